import type { Kysely } from 'kysely';

/**
 * Gateway routing: aliases (`fast`, `private` → ordered targets), route rules (conditions → ordered targets)
 * and default data classes per workspace and per API key. The models feature owns these tables, so it never
 * reaches into the keys or workspaces tables.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('modelAlias')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspaceId', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('createdAt', 'text', (c) => c.notNull())
    .addColumn('updatedAt', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('modelAlias_name_idx').on('modelAlias').columns(['workspaceId', 'name']).unique().execute();

  await db.schema
    .createTable('modelRouteRule')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspaceId', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('match', 'text', (c) => c.notNull())
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('createdAt', 'text', (c) => c.notNull())
    .addColumn('updatedAt', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('modelRouteRule_workspace_idx').on('modelRouteRule').columns(['workspaceId', 'position']).execute();

  await db.schema
    .createTable('modelDataClassDefault')
    .addColumn('workspaceId', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
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
