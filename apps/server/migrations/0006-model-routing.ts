import type { Kysely } from 'kysely';
import { createTable } from './migration-helpers.ts';

/**
 * Gateway routing: aliases (`fast`, `private` → ordered targets), route rules (conditions → ordered targets)
 * and default data classes per workspace and per API key. The models feature owns these tables, so it never
 * reaches into the keys or workspaces tables.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await createTable(db, 'modelAlias', {
    id: 'text primary key',
    workspaceId: 'text not null references workspace.id on delete cascade',
    name: 'text not null',
    targets: 'text not null',
    createdAt: 'text not null',
    updatedAt: 'text not null',
  }).execute();
  await db.schema.createIndex('modelAlias_name_idx').on('modelAlias').columns(['workspaceId', 'name']).unique().execute();

  await createTable(db, 'modelRouteRule', {
    id: 'text primary key',
    workspaceId: 'text not null references workspace.id on delete cascade',
    position: 'integer not null',
    name: 'text not null',
    match: 'text not null',
    targets: 'text not null',
    enabled: 'integer not null',
    createdAt: 'text not null',
    updatedAt: 'text not null',
  }).execute();
  await db.schema.createIndex('modelRouteRule_workspace_idx').on('modelRouteRule').columns(['workspaceId', 'position']).execute();

  await createTable(db, 'modelDataClassDefault', {
    workspaceId: 'text not null references workspace.id on delete cascade',
  })
    // '' for the workspace's own default, else an API key id.
    .addColumn('keyId', 'text', (c) => c.notNull())
    .addColumn('dataClass', 'text', (c) => c.notNull())
    .addColumn('updatedAt', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('modelDataClassDefault_pk', ['workspaceId', 'keyId'])
    .execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['modelDataClassDefault', 'modelRouteRule', 'modelAlias']) await db.schema.dropTable(table).ifExists().execute();
};
