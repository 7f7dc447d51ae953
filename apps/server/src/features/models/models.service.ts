import type { Clock, Ids } from '../../platform/clock/clock.ts';
import type { EgressClient } from '../../platform/egress/egress.port.ts';
import type { KeyValueStore } from '../../platform/key-value/key-value.port.ts';
import { createBudgets } from './budgets.ts';
import type { LocalModelServer } from './local-model-servers.ts';
import { createDeclaredSync, type DeclaredSync } from './declared-sync.ts';
import { createModelProviders, type ModelProviders } from './model-providers.ts';
import type { ModelUsageRepository, UsageTotals } from './model-usage.repository.ts';
import type { ModelsRepository } from './models.repository.ts';
import type { DeclaredGateway, UsageRecord } from './models.schema.ts';
import type { ModelsKeys, ModelsSecrets } from './models.types.ts';
import { createProviderClients } from './provider-clients.ts';
import { createRouteResolver, type RouteResolver } from './route-resolver.ts';
import { createRoutedCalls, type RoutedCalls } from './routed-calls.ts';
import { createRoutingSettings, type RoutingSettings } from './routing-settings.ts';
import { createRoutingTables } from './routing-table.ts';
import { createTargetHealth, type TargetHealth } from './target-health.ts';
import { createUsageLedger } from './usage-ledger.ts';

export interface ModelsServiceOptions {
  repository: ModelsRepository;
  usageRepository: ModelUsageRepository;
  secrets: ModelsSecrets;
  /** The keys feature: budgets, defaults and the route tester may name only keys of their workspace. */
  keys: ModelsKeys;
  clock: Clock;
  ids: Ids;
  /** Builds the egress client a provider's calls go through, with the allow rules given. */
  createEgress(allowedHosts: string[]): EgressClient;
  /** `STEAD_EGRESS_ALLOWED_HOSTS`: every provider's client gets these. */
  egressAllowedHosts: string[];
  /** Budget counters: in memory on one node, Redis in a cluster so limits hold across nodes. */
  store: KeyValueStore;
  /** Breakers and latency of targets. Default: a new one with default thresholds. */
  health?: TargetHealth;
  /** How long a node trusts its cached routing table when another node may have changed it. Default 2,000 ms. */
  routingCacheMs?: number;
  /** How long usage rows wait to be written together. Default 50 ms. */
  usageFlushMs?: number;
  /** A batch of usage rows could not be written (they are dropped; the call itself already answered). */
  onUsageError?: (error: unknown, rows: number) => void;
  /** The `gateway` block of `stead.config.yaml`: entries every workspace gets, read-only. Default: none. */
  declared?: DeclaredGateway;
  /** Reads the environment variable a declared provider names for its API key. Default: `process.env`. */
  apiKeyOf?: (variable: string) => string | undefined;
  /**
   * Whether an unset API key variable of a declared provider stops `syncDeclared` (the server's start, so a
   * forgotten export fails at once instead of failing calls later). Off for CLI commands: they keep the key a
   * workspace already has. Default true.
   */
  requireDeclaredApiKeys?: boolean;
  /** Asking a declared provider for its models in the background failed (it can be retried with a provider test). */
  onDiscoveryError?: (error: unknown, provider: string) => void;
  /** Looks for model servers on this machine's default ports. Default: probes Ollama, llama.cpp and LM Studio on loopback. */
  detectLocalServers?: () => Promise<LocalModelServer[]>;
}

/**
 * The model gateway: providers, the declared entries of `stead.config.yaml`, routed calls, routing settings and
 * the usage ledger. Used by its routes, the OpenAI-compatible endpoint, the CLI and the `model.prompt` task.
 */
export interface ModelsService extends Omit<ModelProviders, 'discover'>, DeclaredSync, RoutedCalls, RoutingSettings {
  explainRoute: RouteResolver['explainRoute'];
  usage(workspaceId: string, cursor: string | undefined, limit?: number): Promise<{ records: UsageRecord[]; nextCursor: string | null }>;
  /** Calls, failures, tokens and spend of the workspace from `since` on. */
  usageTotals(workspaceId: string, since: string): Promise<UsageTotals>;
  /** The ledger for spreadsheets: one row per call, RFC 4180 quoting. */
  usageCsv(workspaceId: string): Promise<string>;
  /** Writes the ledger's pending entries and closes the providers' connections. */
  close(): Promise<void>;
}

export const createModelsService = ({
  repository,
  usageRepository,
  secrets,
  keys,
  clock,
  ids,
  createEgress,
  egressAllowedHosts,
  store,
  health = createTargetHealth(),
  routingCacheMs = 2_000,
  usageFlushMs = 50,
  onUsageError = () => {},
  declared = { providers: [], aliases: {}, rules: [] },
  apiKeyOf = (variable) => process.env[variable],
  requireDeclaredApiKeys = true,
  onDiscoveryError = () => {},
  detectLocalServers,
}: ModelsServiceOptions): ModelsService => {
  const budgets = createBudgets({ store, now: () => clock.now() });
  const tables = createRoutingTables({ repository, cacheMs: routingCacheMs });
  const invalidate = tables.invalidate;
  const clients = createProviderClients({ secrets, clock, ids, createEgress, egressAllowedHosts });
  const ledger = createUsageLedger({ repository: usageRepository, providers: repository, clock, ids, flushMs: usageFlushMs, onError: onUsageError });
  const resolver = createRouteResolver({ tables, budgets, keys, repository });
  const { discover, ...providers } = createModelProviders({ repository, clients, secrets, health, clock, ids, declared, invalidate, ...(detectLocalServers ? { detectLocalServers } : {}) });

  return {
    ...providers,
    ...createDeclaredSync({ declared, repository, providers: { discover }, clients, secrets, clock, ids, apiKeyOf, requireDeclaredApiKeys, onDiscoveryError, invalidate }),
    ...createRoutedCalls({ resolver, budgets, clients, health, ledger, store }),
    ...createRoutingSettings({ repository, budgets, keys, clock, ids, invalidate }),
    explainRoute: resolver.explainRoute,
    usage: ledger.list,
    usageTotals: ledger.totalsSince,
    usageCsv: ledger.csv,
    async close() {
      await ledger.flush();
      await clients.close();
    },
  };
};
