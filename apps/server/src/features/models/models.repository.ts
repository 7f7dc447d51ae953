import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database, ModelAliasTable, ModelBudgetTable, ModelProviderTable, ModelRouteRuleTable, ModelTable, ModelUsageTable } from '../../platform/database/database.types.ts';

export type ProviderRow = Selectable<ModelProviderTable>;
export type ModelRow = Selectable<ModelTable>;
export type ModelWithProviderRow = ModelRow & { providerName: string; providerType: string; locality: string; baseUrl: string; hasApiKey: number; timeouts: string | null };

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
  async updateProvider(id: string, changes: Updateable<ModelProviderTable>): Promise<void> {
    await db.updateTable('modelProvider').set(changes).where('id', '=', id).execute();
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
      .select(['modelProvider.name as providerName', 'modelProvider.type as providerType', 'modelProvider.locality', 'modelProvider.baseUrl', 'modelProvider.hasApiKey', 'modelProvider.timeouts'])
      .where('model.workspaceId', '=', workspaceId)
      .where('model.enabled', '=', 1)
      .where('modelProvider.enabled', '=', 1)
      .orderBy('modelProvider.id')
      .orderBy('model.name')
      .execute();
  },
  listAliases(workspaceId: string): Promise<Selectable<ModelAliasTable>[]> {
    return db.selectFrom('modelAlias').selectAll().where('workspaceId', '=', workspaceId).orderBy('name').execute();
  },
  /** Creates or replaces the alias of that name. */
  async upsertAlias(row: Insertable<ModelAliasTable>): Promise<void> {
    await db
      .insertInto('modelAlias')
      .values(row)
      .onConflict((conflict) => conflict.columns(['workspaceId', 'name']).doUpdateSet({ targets: row.targets, updatedAt: row.updatedAt }))
      .execute();
  },
  async deleteAlias(workspaceId: string, name: string): Promise<boolean> {
    const result = await db.deleteFrom('modelAlias').where('workspaceId', '=', workspaceId).where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  },
  listRules(workspaceId: string): Promise<Selectable<ModelRouteRuleTable>[]> {
    return db.selectFrom('modelRouteRule').selectAll().where('workspaceId', '=', workspaceId).orderBy('position').execute();
  },
  /** Rules are edited as one ordered list: the new list replaces the old in one transaction. */
  async replaceRules(workspaceId: string, rows: Insertable<ModelRouteRuleTable>[]): Promise<void> {
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('modelRouteRule').where('workspaceId', '=', workspaceId).execute();
      if (rows.length > 0) await trx.insertInto('modelRouteRule').values(rows).execute();
    });
  },
  listDataClassDefaults(workspaceId: string) {
    return db.selectFrom('modelDataClassDefault').select(['keyId', 'dataClass']).where('workspaceId', '=', workspaceId).execute();
  },
  async setDataClassDefault(workspaceId: string, keyId: string, dataClass: string | null, at: string): Promise<void> {
    if (dataClass === null) {
      await db.deleteFrom('modelDataClassDefault').where('workspaceId', '=', workspaceId).where('keyId', '=', keyId).execute();
      return;
    }
    await db
      .insertInto('modelDataClassDefault')
      .values({ workspaceId, keyId, dataClass, updatedAt: at })
      .onConflict((conflict) => conflict.columns(['workspaceId', 'keyId']).doUpdateSet({ dataClass, updatedAt: at }))
      .execute();
  },
  listBudgets(workspaceId: string) {
    return db.selectFrom('modelBudget').selectAll().where('workspaceId', '=', workspaceId).execute();
  },
  async setBudget(row: Insertable<ModelBudgetTable>): Promise<void> {
    const { workspaceId: _workspaceId, keyId: _keyId, ...limits } = row;
    await db.insertInto('modelBudget').values(row).onConflict((conflict) => conflict.columns(['workspaceId', 'keyId']).doUpdateSet(limits)).execute();
  },
  async deleteBudget(workspaceId: string, keyId: string): Promise<void> {
    await db.deleteFrom('modelBudget').where('workspaceId', '=', workspaceId).where('keyId', '=', keyId).execute();
  },
  /** One statement (one transaction, one fsync) for a batch of ledger rows. */
  async insertUsage(rows: Insertable<ModelUsageTable>[]): Promise<void> {
    if (rows.length > 0) await db.insertInto('modelUsage').values(rows).execute();
  },
  listUsage(workspaceId: string, cursor: string | undefined, limit: number) {
    let select = db.selectFrom('modelUsage').selectAll().where('workspaceId', '=', workspaceId);
    if (cursor) select = select.where('id', '<', cursor);
    return select.orderBy('id', 'desc').limit(limit + 1).execute();
  },
});

export type ModelsRepository = ReturnType<typeof createModelsRepository>;
