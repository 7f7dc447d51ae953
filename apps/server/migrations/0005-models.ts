import type { Kysely } from 'kysely';
import { createTable } from './migration-helpers.ts';

/**
 * The model gateway: providers (an upstream with its base URL and locality; its API key lives in the secrets
 * table), the models each offers with capabilities and prices, and the usage ledger of every gateway call.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await createTable(db, 'modelProvider', {
    id: 'text primary key',
    workspaceId: 'text not null references workspace.id on delete cascade',
    name: 'text not null',
    type: 'text not null',
    baseUrl: 'text not null',
    locality: 'text not null',
    hasApiKey: 'integer not null',
    enabled: 'integer not null',
    timeouts: 'text',
    createdAt: 'text not null',
    updatedAt: 'text not null',
  }).execute();
  await db.schema.createIndex('modelProvider_name_idx').on('modelProvider').columns(['workspaceId', 'name']).unique().execute();

  await createTable(db, 'model', {
    id: 'text primary key',
    workspaceId: 'text not null references workspace.id on delete cascade',
    providerId: 'text not null references modelProvider.id on delete cascade',
    name: 'text not null',
    capabilities: 'text not null',
    contextLength: 'integer',
    inputPricePerMillion: 'double precision',
    outputPricePerMillion: 'double precision',
    source: 'text not null',
    enabled: 'integer not null',
    createdAt: 'text not null',
  }).execute();
  await db.schema.createIndex('model_provider_name_idx').on('model').columns(['providerId', 'name']).unique().execute();
  await db.schema.createIndex('model_workspace_idx').on('model').columns(['workspaceId', 'name']).execute();

  await createTable(db, 'modelUsage', {
    id: 'text primary key',
    workspaceId: 'text not null references workspace.id on delete cascade',
    keyId: 'text',
    userId: 'text',
    requestedModel: 'text not null',
    providerId: 'text',
    modelName: 'text',
    candidates: 'text not null',
    reason: 'text not null',
    dataClass: 'text not null',
    stream: 'integer not null',
    inputTokens: 'integer',
    outputTokens: 'integer',
    cost: 'double precision',
    firstTokenMs: 'integer',
    totalMs: 'integer not null',
    status: 'text not null',
    errorCode: 'text',
    at: 'text not null',
  }).execute();
  await db.schema.createIndex('modelUsage_workspace_idx').on('modelUsage').columns(['workspaceId', 'id']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['modelUsage', 'model', 'modelProvider']) await db.schema.dropTable(table).ifExists().execute();
};
