import type { Kysely, Selectable } from 'kysely';
import type { SqlDialect } from '../../platform/database/sql-dialect.ts';
import type { ModelAliasTable, ModelProviderTable, ModelRouteRuleTable, ModelsTables, ModelTable } from './models.tables.ts';
import type { DataClass, ModelCapabilityName, RouteRuleMatch } from './models.schema.ts';
import type { Alias, Budget, DataClassDefault, Model, Provider, ModelChanges, ProviderChanges, ProviderType, ProviderWithCount, RoutableModel, RouteRule, RouteRuleChanges } from './models.types.ts';

/** Queries that run alone or inside one transaction (the sync of declared entries). */
export interface ModelsQueries {
  listProviders(workspaceId: string): Promise<ProviderWithCount[]>;
  findProvider(workspaceId: string, idOrName: string): Promise<ProviderWithCount | undefined>;
  insertProvider(provider: Provider): Promise<void>;
  updateProvider(id: string, changes: ProviderChanges): Promise<void>;
  deleteProvider(id: string): Promise<void>;
  /** Adds models a provider does not have yet (a re-discovery keeps declared prices and capabilities). */
  insertModels(models: Model[]): Promise<void>;
  /** Adds a declared model or brings an existing one of that name in line with its declaration. */
  upsertDeclaredModel(model: Model): Promise<void>;
  /** Removes a provider's models whose names are not listed (all of them for an empty list). */
  deleteModelsExcept(providerId: string, keep: string[]): Promise<void>;
  /** Enabled models of enabled providers, in provider order. */
  /** Enabled models of enabled providers (what routing sees); with `includeDisabled`, every model of every provider. */
  listModels(workspaceId: string, options?: { includeDisabled?: boolean }): Promise<RoutableModel[]>;
  updateModel(id: string, changes: ModelChanges): Promise<void>;
  listAliases(workspaceId: string): Promise<Alias[]>;
  /** Creates or replaces the alias of that name; `declared` left out keeps what an existing one has. */
  upsertAlias(alias: Omit<Alias, 'declared'> & { declared?: boolean }): Promise<void>;
  /** Whether there was one to delete. */
  deleteAlias(workspaceId: string, name: string): Promise<boolean>;
  /** Declared rules first (in their order), then the others. */
  listRules(workspaceId: string): Promise<RouteRule[]>;
  insertRule(rule: RouteRule): Promise<void>;
  updateRule(id: string, changes: RouteRuleChanges): Promise<void>;
  deleteRule(id: string): Promise<void>;
  /**
   * Serialises the sync of declared entries into one workspace across nodes starting at once (PostgreSQL);
   * SQLite has one writer, whose transaction already does.
   */
  lockDeclared(workspaceId: string): Promise<void>;
  listDataClassDefaults(workspaceId: string): Promise<DataClassDefault[]>;
  /** `keyId` null: the workspace's; `dataClass` null removes the default. */
  setDataClassDefault(workspaceId: string, keyId: string | null, dataClass: DataClass | null, at: string): Promise<void>;
  listBudgets(workspaceId: string): Promise<Budget[]>;
  setBudget(workspaceId: string, budget: Budget, at: string): Promise<void>;
  deleteBudget(workspaceId: string, keyId: string | null): Promise<void>;
}

export interface ModelsRepository extends ModelsQueries {
  /** Runs `work` in one transaction with the same queries bound to it. */
  transaction<T>(work: (queries: ModelsQueries) => Promise<T>): Promise<T>;
  /** The rules made in the dashboard are edited as one ordered list: the new list replaces them in one transaction; declared rules stay. */
  replaceRules(workspaceId: string, rules: RouteRule[]): Promise<void>;
}

// The tables keep booleans as 0/1, lists and objects as JSON text, and the workspace's own default or limits
// under the key id ''. Nothing of that leaves this file.
const flag = (value: boolean): number => (value ? 1 : 0);
const keyColumn = (keyId: string | null): string => keyId ?? '';
const timeoutsColumn = (timeouts: Provider['timeouts']): string | null => (timeouts ? JSON.stringify(timeouts) : null);

type ProviderRow = Selectable<ModelProviderTable> & { modelCount: unknown };
const toProvider = (row: ProviderRow): ProviderWithCount => ({
  id: row.id,
  workspaceId: row.workspaceId,
  name: row.name,
  type: row.type as ProviderType,
  baseUrl: row.baseUrl,
  locality: row.locality as Provider['locality'],
  hasApiKey: row.hasApiKey === 1,
  enabled: row.enabled === 1,
  timeouts: row.timeouts ? (JSON.parse(row.timeouts) as Provider['timeouts']) : null,
  declared: row.declared === 1,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  modelCount: Number(row.modelCount ?? 0),
});
const providerColumns = (changes: Omit<ProviderChanges, 'updatedAt'>) => ({
  ...(changes.name === undefined ? {} : { name: changes.name }),
  ...(changes.type === undefined ? {} : { type: changes.type }),
  ...(changes.baseUrl === undefined ? {} : { baseUrl: changes.baseUrl }),
  ...(changes.locality === undefined ? {} : { locality: changes.locality }),
  ...(changes.hasApiKey === undefined ? {} : { hasApiKey: flag(changes.hasApiKey) }),
  ...(changes.enabled === undefined ? {} : { enabled: flag(changes.enabled) }),
  ...(changes.timeouts === undefined ? {} : { timeouts: timeoutsColumn(changes.timeouts) }),
});

type RoutableModelRow = Selectable<ModelTable> & { providerName: string; providerType: string; locality: string; baseUrl: string; hasApiKey: number; timeouts: string | null; providerDeclared: number };
const toRoutableModel = (row: RoutableModelRow): RoutableModel => ({
  id: row.id,
  workspaceId: row.workspaceId,
  providerId: row.providerId,
  name: row.name,
  capabilities: JSON.parse(row.capabilities) as ModelCapabilityName[],
  contextLength: row.contextLength,
  inputPricePerMillion: row.inputPricePerMillion,
  outputPricePerMillion: row.outputPricePerMillion,
  source: row.source as Model['source'],
  enabled: row.enabled === 1,
  createdAt: row.createdAt,
  providerName: row.providerName,
  providerType: row.providerType as ProviderType,
  locality: row.locality as RoutableModel['locality'],
  baseUrl: row.baseUrl,
  hasApiKey: row.hasApiKey === 1,
  timeouts: row.timeouts ? (JSON.parse(row.timeouts) as RoutableModel['timeouts']) : null,
  providerDeclared: row.providerDeclared === 1,
});
const modelRow = (model: Model) => ({ ...model, capabilities: JSON.stringify(model.capabilities), enabled: flag(model.enabled) });

const toAlias = (row: Selectable<ModelAliasTable>): Alias => ({ ...row, targets: JSON.parse(row.targets) as string[], declared: row.declared === 1 });
const toRule = (row: Selectable<ModelRouteRuleTable>): RouteRule => ({
  ...row,
  match: JSON.parse(row.match) as RouteRuleMatch,
  targets: JSON.parse(row.targets) as string[],
  enabled: row.enabled === 1,
  declared: row.declared === 1,
});
const ruleRow = (rule: RouteRule) => ({ ...rule, match: JSON.stringify(rule.match), targets: JSON.stringify(rule.targets), enabled: flag(rule.enabled), declared: flag(rule.declared) });
const ruleColumns = ({ match, targets, enabled, ...rest }: RouteRuleChanges) => ({
  ...rest,
  ...(match === undefined ? {} : { match: JSON.stringify(match) }),
  ...(targets === undefined ? {} : { targets: JSON.stringify(targets) }),
  ...(enabled === undefined ? {} : { enabled: flag(enabled) }),
});

const queries = (db: Kysely<ModelsTables>, dialect: SqlDialect): ModelsQueries => {
  // Counted regardless of enabled: a disabled provider still has its models, it only serves nothing.
  const providersWithCount = () =>
    db
      .selectFrom('modelProvider')
      .selectAll('modelProvider')
      .select((eb) => eb.selectFrom('model').select(eb.fn.countAll().as('count')).whereRef('model.providerId', '=', 'modelProvider.id').as('modelCount'));

  return {
    async listProviders(workspaceId) {
      return (await providersWithCount().where('workspaceId', '=', workspaceId).orderBy('id').execute()).map(toProvider);
    },
    async findProvider(workspaceId, idOrName) {
      const row = await providersWithCount()
        .where('workspaceId', '=', workspaceId)
        .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
        .executeTakeFirst();
      return row && toProvider(row);
    },
    async insertProvider(provider) {
      const { id, workspaceId, name, type, baseUrl, locality, hasApiKey, enabled, timeouts, declared, createdAt, updatedAt } = provider;
      await db
        .insertInto('modelProvider')
        .values({ id, workspaceId, name, type, baseUrl, locality, hasApiKey: flag(hasApiKey), enabled: flag(enabled), timeouts: timeoutsColumn(timeouts), declared: flag(declared), createdAt, updatedAt })
        .execute();
    },
    async updateProvider(id, changes) {
      await db.updateTable('modelProvider').set({ ...providerColumns(changes), updatedAt: changes.updatedAt }).where('id', '=', id).execute();
    },
    async deleteProvider(id) {
      await db.deleteFrom('modelProvider').where('id', '=', id).execute();
    },
    async insertModels(models) {
      if (models.length === 0) return;
      await db.insertInto('model').values(models.map(modelRow)).onConflict((conflict) => conflict.columns(['providerId', 'name']).doNothing()).execute();
    },
    async upsertDeclaredModel(model) {
      const row = modelRow(model);
      const { capabilities, contextLength, inputPricePerMillion, outputPricePerMillion } = row;
      await db
        .insertInto('model')
        .values(row)
        .onConflict((conflict) => conflict.columns(['providerId', 'name']).doUpdateSet({ capabilities, contextLength, inputPricePerMillion, outputPricePerMillion, source: 'declared', enabled: 1 }))
        .execute();
    },
    async deleteModelsExcept(providerId, keep) {
      let query = db.deleteFrom('model').where('providerId', '=', providerId);
      if (keep.length > 0) query = query.where('name', 'not in', keep);
      await query.execute();
    },
    async listModels(workspaceId, { includeDisabled = false } = {}) {
      let query = db
        .selectFrom('model')
        .innerJoin('modelProvider', 'modelProvider.id', 'model.providerId')
        .selectAll('model')
        .select(['modelProvider.name as providerName', 'modelProvider.type as providerType', 'modelProvider.locality', 'modelProvider.baseUrl', 'modelProvider.hasApiKey', 'modelProvider.timeouts', 'modelProvider.declared as providerDeclared'])
        .where('model.workspaceId', '=', workspaceId);
      if (!includeDisabled) query = query.where('model.enabled', '=', 1).where('modelProvider.enabled', '=', 1);
      const rows = await query.orderBy('modelProvider.id').orderBy('model.name').execute();
      return rows.map(toRoutableModel);
    },
    async updateModel(id, { capabilities, enabled, ...rest }) {
      const columns = {
        ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
        ...(capabilities === undefined ? {} : { capabilities: JSON.stringify(capabilities) }),
        ...(enabled === undefined ? {} : { enabled: flag(enabled) }),
      };
      if (Object.keys(columns).length > 0) await db.updateTable('model').set(columns).where('id', '=', id).execute();
    },
    async listAliases(workspaceId) {
      return (await db.selectFrom('modelAlias').selectAll().where('workspaceId', '=', workspaceId).orderBy('name').execute()).map(toAlias);
    },
    async upsertAlias({ declared, ...alias }) {
      const targets = JSON.stringify(alias.targets);
      const declaredColumn = declared === undefined ? {} : { declared: flag(declared) };
      await db
        .insertInto('modelAlias')
        .values({ ...alias, targets, ...declaredColumn })
        .onConflict((conflict) => conflict.columns(['workspaceId', 'name']).doUpdateSet({ targets, updatedAt: alias.updatedAt, ...declaredColumn }))
        .execute();
    },
    async deleteAlias(workspaceId, name) {
      const result = await db.deleteFrom('modelAlias').where('workspaceId', '=', workspaceId).where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async listRules(workspaceId) {
      return (await db.selectFrom('modelRouteRule').selectAll().where('workspaceId', '=', workspaceId).orderBy('declared', 'desc').orderBy('position').orderBy('id').execute()).map(toRule);
    },
    async insertRule(rule) {
      await db.insertInto('modelRouteRule').values(ruleRow(rule)).execute();
    },
    async updateRule(id, changes) {
      await db.updateTable('modelRouteRule').set(ruleColumns(changes)).where('id', '=', id).execute();
    },
    async deleteRule(id) {
      await db.deleteFrom('modelRouteRule').where('id', '=', id).execute();
    },
    async lockDeclared(workspaceId) {
      await dialect.lockForTransaction(db, `stead:model-declared:${workspaceId}`);
    },
    async listDataClassDefaults(workspaceId) {
      const rows = await db.selectFrom('modelDataClassDefault').select(['keyId', 'dataClass']).where('workspaceId', '=', workspaceId).execute();
      return rows.map((row) => ({ keyId: row.keyId || null, dataClass: row.dataClass as DataClass }));
    },
    async setDataClassDefault(workspaceId, keyId, dataClass, at) {
      if (dataClass === null) {
        await db.deleteFrom('modelDataClassDefault').where('workspaceId', '=', workspaceId).where('keyId', '=', keyColumn(keyId)).execute();
        return;
      }
      await db
        .insertInto('modelDataClassDefault')
        .values({ workspaceId, keyId: keyColumn(keyId), dataClass, updatedAt: at })
        .onConflict((conflict) => conflict.columns(['workspaceId', 'keyId']).doUpdateSet({ dataClass, updatedAt: at }))
        .execute();
    },
    async listBudgets(workspaceId) {
      const rows = await db.selectFrom('modelBudget').selectAll().where('workspaceId', '=', workspaceId).execute();
      return rows.map((row) => ({
        keyId: row.keyId || null,
        limits: { requestsPerMinute: row.requestsPerMinute, tokensPerMinute: row.tokensPerMinute, spendPerDay: row.spendPerDay, spendPerMonth: row.spendPerMonth },
      }));
    },
    async setBudget(workspaceId, { keyId, limits }, at) {
      const columns = { ...limits, updatedAt: at };
      await db
        .insertInto('modelBudget')
        .values({ workspaceId, keyId: keyColumn(keyId), ...columns })
        .onConflict((conflict) => conflict.columns(['workspaceId', 'keyId']).doUpdateSet(columns))
        .execute();
    },
    async deleteBudget(workspaceId, keyId) {
      await db.deleteFrom('modelBudget').where('workspaceId', '=', workspaceId).where('keyId', '=', keyColumn(keyId)).execute();
    },
  };
};

export const createModelsRepository = (db: Kysely<ModelsTables>, dialect: SqlDialect): ModelsRepository => ({
  ...queries(db, dialect),
  transaction: (work) => db.transaction().execute((trx) => work(queries(trx, dialect))),
  async replaceRules(workspaceId, rules) {
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('modelRouteRule').where('workspaceId', '=', workspaceId).where('declared', '=', 0).execute();
      if (rules.length > 0) await trx.insertInto('modelRouteRule').values(rules.map(ruleRow)).execute();
    });
  },
});
