import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { DatabaseDialect } from '../../platform/database/database.port.ts';
import { commitWithoutDiskWait } from '../../platform/database/commit-without-disk-wait.ts';
import type { Database, ModelAliasTable, ModelBudgetTable, ModelProviderTable, ModelRouteRuleTable, ModelTable, ModelUsageTable } from '../../platform/database/database.types.ts';

export type ProviderRow = Selectable<ModelProviderTable>;
export type ProviderWithCountRow = ProviderRow & { modelCount: number };
export type ModelRow = Selectable<ModelTable>;
export type ModelWithProviderRow = ModelRow & { providerName: string; providerType: string; locality: string; baseUrl: string; hasApiKey: number; timeouts: string | null; providerDeclared: number };
export type AliasRow = Selectable<ModelAliasTable>;
export type RouteRuleRow = Selectable<ModelRouteRuleTable>;

/** Queries that run alone or inside one transaction (the sync of declared entries). */
const queries = (db: Kysely<Database>, dialect: DatabaseDialect) => {
  // Counted regardless of enabled: a disabled provider still has its models, it only serves nothing.
  const providersWithCount = () =>
    db
      .selectFrom('modelProvider')
      .selectAll('modelProvider')
      .select((eb) => eb.selectFrom('model').select(eb.fn.countAll().as('count')).whereRef('model.providerId', '=', 'modelProvider.id').as('modelCount'));
  const withCount = <Row extends { modelCount: unknown }>(row: Row): Row & { modelCount: number } => ({ ...row, modelCount: Number(row.modelCount ?? 0) });

  return {
    async listProviders(workspaceId: string): Promise<ProviderWithCountRow[]> {
      return (await providersWithCount().where('workspaceId', '=', workspaceId).orderBy('id').execute()).map(withCount);
    },
    async findProvider(workspaceId: string, idOrName: string): Promise<ProviderWithCountRow | undefined> {
      const row = await providersWithCount()
        .where('workspaceId', '=', workspaceId)
        .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
        .executeTakeFirst();
      return row && withCount(row);
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
    /** Adds a declared model or brings an existing one of that name in line with its declaration. */
    async upsertDeclaredModel(row: Insertable<ModelTable>): Promise<void> {
      const { capabilities, contextLength, inputPricePerMillion, outputPricePerMillion } = row;
      await db
        .insertInto('model')
        .values(row)
        .onConflict((conflict) => conflict.columns(['providerId', 'name']).doUpdateSet({ capabilities, contextLength, inputPricePerMillion, outputPricePerMillion, source: 'declared', enabled: 1 }))
        .execute();
    },
    /** Removes a provider's models whose names are not listed (all of them for an empty list). */
    async deleteModelsExcept(providerId: string, keep: string[]): Promise<void> {
      let query = db.deleteFrom('model').where('providerId', '=', providerId);
      if (keep.length > 0) query = query.where('name', 'not in', keep);
      await query.execute();
    },
    /** Enabled models of enabled providers, in provider order. */
    listModels(workspaceId: string): Promise<ModelWithProviderRow[]> {
      return db
        .selectFrom('model')
        .innerJoin('modelProvider', 'modelProvider.id', 'model.providerId')
        .selectAll('model')
        .select(['modelProvider.name as providerName', 'modelProvider.type as providerType', 'modelProvider.locality', 'modelProvider.baseUrl', 'modelProvider.hasApiKey', 'modelProvider.timeouts', 'modelProvider.declared as providerDeclared'])
        .where('model.workspaceId', '=', workspaceId)
        .where('model.enabled', '=', 1)
        .where('modelProvider.enabled', '=', 1)
        .orderBy('modelProvider.id')
        .orderBy('model.name')
        .execute();
    },
    listAliases(workspaceId: string): Promise<AliasRow[]> {
      return db.selectFrom('modelAlias').selectAll().where('workspaceId', '=', workspaceId).orderBy('name').execute();
    },
    /** Creates or replaces the alias of that name. */
    async upsertAlias(row: Insertable<ModelAliasTable>): Promise<void> {
      await db
        .insertInto('modelAlias')
        .values(row)
        .onConflict((conflict) => conflict.columns(['workspaceId', 'name']).doUpdateSet({ targets: row.targets, updatedAt: row.updatedAt, ...(row.declared === undefined ? {} : { declared: row.declared }) }))
        .execute();
    },
    async deleteAlias(workspaceId: string, name: string): Promise<boolean> {
      const result = await db.deleteFrom('modelAlias').where('workspaceId', '=', workspaceId).where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    /** Declared rules first (in their order), then the others. */
    listRules(workspaceId: string): Promise<RouteRuleRow[]> {
      return db.selectFrom('modelRouteRule').selectAll().where('workspaceId', '=', workspaceId).orderBy('declared', 'desc').orderBy('position').orderBy('id').execute();
    },
    async insertRule(row: Insertable<ModelRouteRuleTable>): Promise<void> {
      await db.insertInto('modelRouteRule').values(row).execute();
    },
    async updateRule(id: string, changes: Updateable<ModelRouteRuleTable>): Promise<void> {
      await db.updateTable('modelRouteRule').set(changes).where('id', '=', id).execute();
    },
    async deleteRule(id: string): Promise<void> {
      await db.deleteFrom('modelRouteRule').where('id', '=', id).execute();
    },
    /**
     * Serialises the sync of declared entries into one workspace across nodes starting at once (PostgreSQL);
     * SQLite has one writer, whose transaction already does.
     */
    async lockDeclared(workspaceId: string): Promise<void> {
      if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`stead:model-declared:${workspaceId}`}))`.execute(db);
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
    /** Whether an API key (revoked or not) belongs to the workspace; limits and defaults may name only those. */
    async keyInWorkspace(workspaceId: string, keyId: string): Promise<boolean> {
      return (await db.selectFrom('apiKey').select('id').where('id', '=', keyId).where('workspaceId', '=', workspaceId).executeTakeFirst()) !== undefined;
    },
    async deleteBudget(workspaceId: string, keyId: string): Promise<void> {
      await db.deleteFrom('modelBudget').where('workspaceId', '=', workspaceId).where('keyId', '=', keyId).execute();
    },
    /** One statement (one transaction, one fsync) for a batch of ledger rows. */
    async insertUsage(rows: Insertable<ModelUsageTable>[]): Promise<void> {
      // The ledger is written in batches behind the calls; waiting for the disk on each batch blocked the event
      // loop for milliseconds. A process crash still loses nothing committed.
      if (rows.length > 0) await commitWithoutDiskWait(db, dialect, (relaxed) => relaxed.insertInto('modelUsage').values(rows).execute());
    },
    listUsage(workspaceId: string, cursor: string | undefined, limit: number) {
      let select = db.selectFrom('modelUsage').selectAll().where('workspaceId', '=', workspaceId);
      if (cursor) select = select.where('id', '<', cursor);
      return select.orderBy('id', 'desc').limit(limit + 1).execute();
    },
  };
};

export type ModelsQueries = ReturnType<typeof queries>;

export const createModelsRepository = (db: Kysely<Database>, dialect: DatabaseDialect) => ({
  ...queries(db, dialect),
  /** Runs `work` in one transaction with the same queries bound to it. */
  transaction: <T>(work: (repository: ModelsQueries) => Promise<T>): Promise<T> => db.transaction().execute((trx) => work(queries(trx, dialect))),
  /** The rules made in the dashboard are edited as one ordered list: the new list replaces them in one transaction; declared rules stay. */
  async replaceRules(workspaceId: string, rows: Insertable<ModelRouteRuleTable>[]): Promise<void> {
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('modelRouteRule').where('workspaceId', '=', workspaceId).where('declared', '=', 0).execute();
      if (rows.length > 0) await trx.insertInto('modelRouteRule').values(rows).execute();
    });
  },
});

export type ModelsRepository = ReturnType<typeof createModelsRepository>;
