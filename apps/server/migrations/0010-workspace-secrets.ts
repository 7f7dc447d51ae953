import type { Kysely } from 'kysely';
import { createTable } from './migration-helpers.ts';

/**
 * The workspace secrets store: named secrets a workspace admin makes for tasks (a webhook signing key, an API
 * token). This table holds what people may see (name, description, who may use it); the value itself is a row of
 * `secret` named `workspace-secret:<name>`, encrypted like every other secret and never read back through the API.
 *
 * Tasks and schedules record the role their creator acted with (`createdByRole`: the member's role, or the API
 * key's), so a task may use only the secrets that role may use, when it is created and again when it runs.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await createTable(db, 'workspaceSecret', {
    id: 'text primary key',
    workspaceId: 'text not null references workspace.id on delete cascade',
    name: 'text not null',
    description: "text not null default ''",
    usableBy: 'text not null',
    createdBy: 'text',
    createdAt: 'text not null',
    updatedAt: 'text not null',
    lastUsedAt: 'text',
  })
    .addUniqueConstraint('workspaceSecret_name_key', ['workspaceId', 'name'])
    .execute();
  await db.schema.alterTable('task').addColumn('createdByRole', 'text').execute();
  await db.schema.alterTable('schedule').addColumn('createdByRole', 'text').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('schedule').dropColumn('createdByRole').execute();
  await db.schema.alterTable('task').dropColumn('createdByRole').execute();
  await db.schema.dropTable('workspaceSecret').execute();
};
