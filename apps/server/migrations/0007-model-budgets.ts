import type { Kysely } from 'kysely';
import { createTable } from './migration-helpers.ts';

/** Gateway limits per workspace (`keyId` = '') and per API key; a null column is no limit. */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await createTable(db, 'modelBudget', {
    workspaceId: 'text not null references workspace.id on delete cascade',
    keyId: 'text not null',
    requestsPerMinute: 'integer',
    tokensPerMinute: 'integer',
    spendPerDay: 'double precision',
    spendPerMonth: 'double precision',
    updatedAt: 'text not null',
  })
    .addPrimaryKeyConstraint('modelBudget_pk', ['workspaceId', 'keyId'])
    .execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('modelBudget').ifExists().execute();
};
