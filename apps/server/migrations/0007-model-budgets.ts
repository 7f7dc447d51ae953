import type { Kysely } from 'kysely';

/** Gateway limits per workspace (`keyId` = '') and per API key; a null column is no limit. */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('modelBudget')
    .addColumn('workspaceId', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('keyId', 'text', (c) => c.notNull())
    .addColumn('requestsPerMinute', 'integer')
    .addColumn('tokensPerMinute', 'integer')
    .addColumn('spendPerDay', 'double precision')
    .addColumn('spendPerMonth', 'double precision')
    .addColumn('updatedAt', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('modelBudget_pk', ['workspaceId', 'keyId'])
    .execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('modelBudget').ifExists().execute();
};
