import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { sameList, sameRule } from './declared-entries.ts';
import type { ModelProviders } from './model-providers.ts';
import { declaredModel } from './model-providers.ts';
import type { ModelsQueries, ModelsRepository } from './models.repository.ts';
import type { DeclaredGateway } from './models.schema.ts';
import { providerSecretName, type Alias, type ModelsSecrets, type ProviderTimeoutSettings, type ProviderWithCount, type RouteRule } from './models.types.ts';
import type { ProviderClients } from './provider-clients.ts';

/** The `gateway` block of `stead.config.yaml`, brought into workspaces. */
export interface DeclaredSync {
  /**
   * Syncs the declared entries of `stead.config.yaml` into these workspaces (at start, and for each new
   * workspace). Throws `config_invalid` when a workspace has an entry of a declared name made in the dashboard.
   */
  syncDeclared(workspaces: { id: string; slug?: string }[]): Promise<void>;
}

export interface DeclaredSyncOptions {
  declared: DeclaredGateway;
  repository: ModelsRepository;
  providers: Pick<ModelProviders, 'discover'>;
  clients: Pick<ProviderClients, 'drop'>;
  secrets: ModelsSecrets;
  clock: Clock;
  ids: Ids;
  /** Reads the environment variable a declared provider names for its API key. */
  apiKeyOf(variable: string): string | undefined;
  /** Whether an unset API key variable of a declared provider stops the sync (see `ModelsServiceOptions`). */
  requireDeclaredApiKeys: boolean;
  /** Asking a declared provider for its models in the background failed. */
  onDiscoveryError(error: unknown, provider: string): void;
  invalidate(workspaceId: string): void;
}

const sameTimeouts = (left: ProviderTimeoutSettings | null, right: ProviderTimeoutSettings | null): boolean =>
  left === null || right === null ? left === right : left.connectMs === right.connectMs && left.firstTokenMs === right.firstTokenMs && left.totalMs === right.totalMs;

/** What one workspace's transaction leaves to do once it committed. */
interface ProviderOutcome {
  keys: { providerId: string; apiKey: string | undefined }[];
  touched: string[];
  removed: string[];
  toDiscover: string[];
}

export const createDeclaredSync = (options: DeclaredSyncOptions): DeclaredSync => {
  const { declared, repository, providers: discovery, clients, secrets, clock, ids, apiKeyOf, requireDeclaredApiKeys, onDiscoveryError, invalidate } = options;

  /** Adds and updates the declared providers and their models; removes declared ones that left the file. */
  const syncProviders = async (trx: ModelsQueries, workspaceId: string, existingProviders: ProviderWithCount[], at: string, outcome: ProviderOutcome) => {
    for (const provider of declared.providers) {
      const existing = existingProviders.find((entry) => entry.name === provider.name);
      const apiKey = provider.apiKeyEnv ? apiKeyOf(provider.apiKeyEnv) : undefined;
      // Only without `requireDeclaredApiKeys` (a CLI command): the workspace keeps the key it has.
      const keepKey = provider.apiKeyEnv !== undefined && !apiKey;
      const fields = {
        type: provider.type,
        baseUrl: provider.baseUrl.replace(/\/+$/, ''),
        locality: provider.locality,
        hasApiKey: Boolean(apiKey) || (keepKey && existing?.hasApiKey === true),
        enabled: true,
        timeouts: provider.timeouts ?? null,
      };
      let id: string;
      let reconnect = true;
      if (existing) {
        id = existing.id;
        reconnect = existing.type !== fields.type || existing.baseUrl !== fields.baseUrl;
        const changed = (['type', 'baseUrl', 'locality', 'hasApiKey', 'enabled'] as const).some((field) => existing[field] !== fields[field]) || !sameTimeouts(existing.timeouts, fields.timeouts);
        if (changed) await trx.updateProvider(id, { ...fields, updatedAt: at });
        // Models discovered from another upstream are not this one's.
        if (reconnect) await trx.deleteModelsExcept(id, []);
      } else {
        id = ids.next();
        await trx.insertProvider({ id, workspaceId, name: provider.name, ...fields, declared: true, createdAt: at, updatedAt: at });
      }
      if (!keepKey) outcome.keys.push({ providerId: id, apiKey });
      outcome.touched.push(id);
      if (provider.models.length > 0) {
        for (const model of provider.models) await trx.upsertDeclaredModel(declaredModel(ids, workspaceId, id, model, at));
        await trx.deleteModelsExcept(id, provider.models.map((model) => model.name));
      } else if (reconnect || existing?.modelCount === 0) {
        outcome.toDiscover.push(id);
      }
    }
    for (const existing of existingProviders) {
      if (existing.declared && !declared.providers.some((provider) => provider.name === existing.name)) {
        await trx.deleteProvider(existing.id);
        outcome.removed.push(existing.id);
      }
    }
  };

  const syncAliasesAndRules = async (trx: ModelsQueries, workspaceId: string, aliases: Alias[], rules: RouteRule[], at: string) => {
    for (const [name, targets] of Object.entries(declared.aliases)) {
      const existing = aliases.find((alias) => alias.name === name);
      if (!sameList(existing?.targets, targets)) await trx.upsertAlias({ id: ids.next(), workspaceId, name, targets, declared: true, createdAt: at, updatedAt: at });
    }
    for (const alias of aliases) if (alias.declared && !(alias.name in declared.aliases)) await trx.deleteAlias(workspaceId, alias.name);

    for (const [position, rule] of declared.rules.entries()) {
      const existing = rules.find((entry) => entry.declared && entry.name === rule.name);
      const fields = { position, match: rule.match, targets: rule.targets, enabled: rule.enabled, cacheTtlSeconds: rule.cacheTtlSeconds };
      if (!existing) await trx.insertRule({ id: ids.next(), workspaceId, name: rule.name, ...fields, declared: true, createdAt: at, updatedAt: at });
      else if (existing.position !== position || !sameRule(existing, rule)) await trx.updateRule(existing.id, { ...fields, updatedAt: at });
    }
    for (const existing of rules) if (existing.declared && !declared.rules.some((rule) => rule.name === existing.name)) await trx.deleteRule(existing.id);
  };

  /**
   * Brings one workspace's declared providers, models, aliases and rules in line with the file, in one
   * transaction: adds and updates them, removes declared ones that left the file. An entry made in the dashboard
   * with a declared one's name is never overwritten: the names come back and nothing changes.
   */
  const syncWorkspace = async (workspaceId: string): Promise<string[]> => {
    const at = clock.now().toISOString();
    const outcome: ProviderOutcome = { keys: [], touched: [], removed: [], toDiscover: [] };
    const conflicts = await repository.transaction(async (trx) => {
      await trx.lockDeclared(workspaceId);
      const providers = await trx.listProviders(workspaceId);
      const aliases = await trx.listAliases(workspaceId);
      const rules = await trx.listRules(workspaceId);
      const madeHere = (entries: { name: string; declared: boolean }[], name: string) => entries.some((entry) => entry.name === name && !entry.declared);
      const clashes = [
        ...declared.providers.filter((provider) => madeHere(providers, provider.name)).map((provider) => `provider ${provider.name}`),
        ...Object.keys(declared.aliases).filter((name) => madeHere(aliases, name)).map((name) => `alias ${name}`),
        ...declared.rules.filter((rule) => madeHere(rules, rule.name)).map((rule) => `route rule "${rule.name}"`),
      ];
      if (clashes.length > 0) return clashes;
      await syncProviders(trx, workspaceId, providers, at, outcome);
      await syncAliasesAndRules(trx, workspaceId, aliases, rules, at);
      return [];
    });
    if (conflicts.length > 0) return conflicts;

    // Secrets and adapters live outside the transaction (the secrets service has its own queries).
    for (const { providerId, apiKey } of outcome.keys) {
      if (apiKey) await secrets.store(workspaceId, providerSecretName(providerId), apiKey);
      else await secrets.remove(workspaceId, providerSecretName(providerId));
    }
    for (const providerId of outcome.removed) await secrets.remove(workspaceId, providerSecretName(providerId));
    for (const providerId of [...outcome.touched, ...outcome.removed]) await clients.drop(providerId);
    invalidate(workspaceId);
    // Discovery waits on the network: start-up does not. Until it ends the provider has no models.
    for (const providerId of outcome.toDiscover) {
      const provider = await repository.findProvider(workspaceId, providerId);
      if (!provider) continue;
      void discovery.discover(provider).then(
        () => invalidate(workspaceId),
        (error: unknown) => onDiscoveryError(error, provider.name),
      );
    }
    return [];
  };

  return {
    async syncDeclared(workspaces) {
      for (const [index, provider] of declared.providers.entries()) {
        if (requireDeclaredApiKeys && provider.apiKeyEnv && !apiKeyOf(provider.apiKeyEnv)) {
          throw new SteadError('config_invalid', `gateway.providers[${index}].apiKeyEnv: the environment variable ${provider.apiKeyEnv} (API key of provider ${provider.name}) is not set or empty; export it before starting Stead`);
        }
      }
      const problems: string[] = [];
      for (const workspace of workspaces) {
        const clashes = await syncWorkspace(workspace.id);
        if (clashes.length > 0) problems.push(`workspace ${workspace.slug ?? workspace.id} has ${clashes.join(', ')}`);
      }
      if (problems.length > 0) {
        throw new SteadError(
          'config_invalid',
          `gateway in stead.config.yaml declares names that entries made in the dashboard, the API or the CLI already have, and Stead does not overwrite those: ${problems.join('; ')}. Rename the declared entries, or remove the others (start once without these names in the gateway block, remove them, then add the names back)`,
        );
      }
    },
  };
};
