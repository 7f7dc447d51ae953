import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, ModelProviderTable, ModelTable, ModelUsageTable } from '../../platform/database/database.types.ts';

export type ProviderRow = Selectable<ModelProviderTable>;
export type ModelRow = Selectable<ModelTable>;
export type ModelWithProviderRow = ModelRow & { providerName: string; providerType: string; locality: string; baseUrl: string; hasApiKey: number };

export const createModelsRepository = (db: Kysely<Database>) => ({
  listProviders(workspaceId: string): Promise<ProviderRow[]> {
    return db.selectFrom('modelProvider').selectAll().where('workspaceId', '=', workspaceId).orderBy('id').execute();
  },
  findProvider(workspaceId: string, idOrName: string): Promise<ProviderRow | undefined> {
    return db
      .selectFrom('modelProvider')
      .selectAll()
      .where('workspaceId', '=', workspaceId)
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
  },
  async insertProvider(row: Insertable<ModelProviderTable>): Promise<void> {
    await db.insertInto('modelProvider').values(row).execute();
  },
  async deleteProvider(id: string): Promise<void> {
    await db.deleteFrom('modelProvider').where('id', '=', id).execute();
  },
  /** Adds models a provider does not have yet (a re-discovery keeps declared prices and capabilities). */
  async insertModels(rows: Insertable<ModelTable>[]): Promise<void> {
    if (rows.length === 0) return;
    await db.insertInto('model').values(rows).onConflict((conflict) => conflict.columns(['providerId', 'name']).doNothing()).execute();
  },
  /** Enabled models of enabled providers, in provider order. */
  listModels(workspaceId: string): Promise<ModelWithProviderRow[]> {
    return db
      .selectFrom('model')
      .innerJoin('modelProvider', 'modelProvider.id', 'model.providerId')
      .selectAll('model')
      .select(['modelProvider.name as providerName', 'modelProvider.type as providerType', 'modelProvider.locality', 'modelProvider.baseUrl', 'modelProvider.hasApiKey'])
      .where('model.workspaceId', '=', workspaceId)
      .where('model.enabled', '=', 1)
      .where('modelProvider.enabled', '=', 1)
      .orderBy('modelProvider.id')
      .orderBy('model.name')
      .execute();
  },
  async insertUsage(row: Insertable<ModelUsageTable>): Promise<void> {
    await db.insertInto('modelUsage').values(row).execute();
  },
  listUsage(workspaceId: string, cursor: string | undefined, limit: number) {
    let select = db.selectFrom('modelUsage').selectAll().where('workspaceId', '=', workspaceId);
    if (cursor) select = select.where('id', '<', cursor);
    return select.orderBy('id', 'desc').limit(limit + 1).execute();
  },
});

export type ModelsRepository = ReturnType<typeof createModelsRepository>;
