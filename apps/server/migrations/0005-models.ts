import type { Kysely } from 'kysely';

/**
 * The model gateway: providers (an upstream with its base URL and locality; its API key lives in the secrets
 * table), the models each offers with capabilities and prices, and the usage ledger of every gateway call.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('modelProvider')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspaceId', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('baseUrl', 'text', (c) => c.notNull())
    .addColumn('locality', 'text', (c) => c.notNull())
    .addColumn('hasApiKey', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('timeouts', 'text')
    .addColumn('createdAt', 'text', (c) => c.notNull())
    .addColumn('updatedAt', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('modelProvider_name_idx').on('modelProvider').columns(['workspaceId', 'name']).unique().execute();

  await db.schema
    .createTable('model')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspaceId', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('providerId', 'text', (c) => c.notNull().references('modelProvider.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('capabilities', 'text', (c) => c.notNull())
    .addColumn('contextLength', 'integer')
    .addColumn('inputPricePerMillion', 'double precision')
    .addColumn('outputPricePerMillion', 'double precision')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('createdAt', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('model_provider_name_idx').on('model').columns(['providerId', 'name']).unique().execute();
  await db.schema.createIndex('model_workspace_idx').on('model').columns(['workspaceId', 'name']).execute();

  await db.schema
    .createTable('modelUsage')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspaceId', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('keyId', 'text')
    .addColumn('userId', 'text')
    .addColumn('requestedModel', 'text', (c) => c.notNull())
    .addColumn('providerId', 'text')
    .addColumn('modelName', 'text')
    .addColumn('candidates', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('dataClass', 'text', (c) => c.notNull())
    .addColumn('stream', 'integer', (c) => c.notNull())
    .addColumn('inputTokens', 'integer')
    .addColumn('outputTokens', 'integer')
    .addColumn('cost', 'double precision')
    .addColumn('firstTokenMs', 'integer')
    .addColumn('totalMs', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('errorCode', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('modelUsage_workspace_idx').on('modelUsage').columns(['workspaceId', 'id']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['modelUsage', 'model', 'modelProvider']) await db.schema.dropTable(table).ifExists().execute();
};
