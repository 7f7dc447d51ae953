import type { Kysely, Migration } from 'kysely';

/**
 * The name a target had when its event was recorded, so the log still names a schedule or key after it was
 * deleted (the record itself stays append-only: the column is only ever written on insert).
 */
const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('auditEvent').addColumn('targetName', 'text').execute();
};

const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('auditEvent').dropColumn('targetName').execute();
};

export const auditMigrations: Record<string, Migration> = { '0016-audit-target-name': { up, down } };
