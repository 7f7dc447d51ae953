import { createHash } from 'node:crypto';
import type { Clock, Ids } from '../../platform/clock/clock.ts';
import type { EgressClient } from '../../platform/egress/egress.port.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { createModelProvider, type ModelProviderType } from '../../platform/model-provider/model-provider.factory.ts';
import {
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  type EmbeddingRequest,
  type EmbeddingResponse,
  type ModelProvider,
  type ProviderTimeouts,
  type Usage,
} from '../../platform/model-provider/model-provider.port.ts';
import { createBudgets, type BudgetLimits, type BudgetScope, type BudgetUsage } from './budgets.ts';
import { callWithFallback } from './call-with-fallback.ts';
import type { KeyValueStore } from '../../platform/key-value/key-value.port.ts';
import { qualifiedName, routeRequest, rulesNeedBudget, type RouteFacts, type RoutingTable } from './model-router.ts';
import type { ModelsRepository, ModelWithProviderRow, ProviderRow, ProviderWithCountRow, RouteRuleRow } from './models.repository.ts';
import type {
  AddProviderRequest,
  AliasView,
  DataClass,
  DeclaredGateway,
  LatencyTier,
  Locality,
  ModelCapabilityName,
  ModelView,
  ProviderView,
  RouteDecision,
  RouteRuleMatch,
  RouteRuleRequest,
  RouteRuleView,
  UpdateProviderRequest,
  UsageRecord,
} from './models.schema.ts';
import { localModelServerPorts, providerEgressGrant, type ProviderAddressFacts } from './provider-egress.ts';
import { createTargetHealth, type TargetHealth } from './target-health.ts';
import { createUsageWriter } from './usage-writer.ts';

export interface ModelsSecrets {
  store(workspaceId: string | null, name: string, value: string): Promise<void>;
  reveal(workspaceId: string | null, name: string): Promise<string | undefined>;
  remove(workspaceId: string | null, name: string): Promise<void>;
}

export interface ModelsServiceOptions {
  repository: ModelsRepository;
  secrets: ModelsSecrets;
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
}

/** Who is calling and with what data, for routing and the usage ledger. */
export interface CallerContext {
  /** From `x-stead-data-class`; absent: the key's default, else the workspace's, else `internal`. */
  dataClass?: DataClass | undefined;
  latencyTier?: LatencyTier | undefined;
  keyId?: string | null;
  userId?: string | null;
  signal?: AbortSignal;
}

interface Candidate {
  row: ModelWithProviderRow;
  label: string;
}

/** Characters per token, roughly, for routing by context length before any tokenizer is involved. */
const charactersPerToken = 4;
const estimateTokens = (request: ChatCompletionRequest): number =>
  Math.ceil(request.messages.reduce((total, message) => total + (typeof message.content === 'string' ? message.content.length : JSON.stringify(message.content ?? '').length), 0) / charactersPerToken);

/** Base URLs stored before credentials in them were refused are shown without them. */
const withoutCredentials = (baseUrl: string): string => {
  if (!baseUrl.includes('@') || !URL.canParse(baseUrl)) return baseUrl;
  const url = new URL(baseUrl);
  if (url.username === '' && url.password === '') return baseUrl;
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/+$/, '');
};

const secretName = (providerId: string) => `model-provider:${providerId}`;
const guessCapabilities = (name: string): ModelCapabilityName[] => (/embed/i.test(name) ? ['embeddings'] : ['chat']);
const parseCapabilities = (text: string): ModelCapabilityName[] => JSON.parse(text) as ModelCapabilityName[];

/** The capabilities a chat request needs from its target. */
export const needsOf = (request: ChatCompletionRequest): ModelCapabilityName[] => {
  const needs: ModelCapabilityName[] = ['chat'];
  if (request.tools && request.tools.length > 0) needs.push('tools');
  if (request.response_format && request.response_format.type !== 'text') needs.push('json');
  const hasImage = request.messages.some((message) => Array.isArray(message.content) && message.content.some((part) => part.type === 'image_url'));
  if (hasImage) needs.push('vision');
  return needs;
};

/** JSON with sorted keys: two rules are the same whatever order their conditions were written in. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, entry: unknown) => (entry && typeof entry === 'object' && !Array.isArray(entry) ? Object.fromEntries(Object.entries(entry).sort(([left], [right]) => (left < right ? -1 : 1))) : entry));
const sameRule = (row: RouteRuleRow, rule: RouteRuleRequest): boolean =>
  canonical(JSON.parse(row.match)) === canonical(rule.match) && row.targets === JSON.stringify(rule.targets) && (row.enabled === 1) === rule.enabled && row.cacheTtlSeconds === rule.cacheTtlSeconds;
const readOnly = (what: string, action = 'change or remove it there') =>
  new SteadError('provider_read_only', `${what} is declared in stead.config.yaml and read-only here: ${action} and restart Stead`);

const costOf = (row: ModelWithProviderRow, usage: Usage | undefined): number | null => {
  if (!usage || (row.inputPricePerMillion === null && row.outputPricePerMillion === null)) return null;
  return ((usage.prompt_tokens ?? 0) * (row.inputPricePerMillion ?? 0) + (usage.completion_tokens ?? 0) * (row.outputPricePerMillion ?? 0)) / 1_000_000;
};


export const createModelsService = ({
  repository,
  secrets,
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
}: ModelsServiceOptions) => {
  const budgets = createBudgets({ store, now: () => clock.now() });
  const clients = new Map<string, { provider: ModelProvider; egress: EgressClient }>();
  // Routing reads models, aliases, rules and defaults on every call; they change rarely, so each node keeps them
  // briefly (its own changes invalidate at once).
  const tables = new Map<string, { loadedAt: number; table: RoutingTable; defaults: Map<string, DataClass>; limits: Map<string, BudgetLimits>; needsBudget: boolean }>();
  const invalidate = (workspaceId: string) => tables.delete(workspaceId);
  const tableOf = async (workspaceId: string) => {
    const cached = tables.get(workspaceId);
    if (cached && performance.now() - cached.loadedAt < routingCacheMs) return cached;
    const [models, aliases, rules, defaults, limits] = await Promise.all([
      repository.listModels(workspaceId),
      repository.listAliases(workspaceId),
      repository.listRules(workspaceId),
      repository.listDataClassDefaults(workspaceId),
      repository.listBudgets(workspaceId),
    ]);
    const enabledRules = rules.filter((rule) => rule.enabled === 1).map((rule) => ({ name: rule.name, match: JSON.parse(rule.match) as RouteRuleMatch, targets: JSON.parse(rule.targets) as string[], cacheTtlSeconds: rule.cacheTtlSeconds }));
    const entry = {
      loadedAt: performance.now(),
      table: {
        models,
        aliases: aliases.map((alias) => ({ name: alias.name, targets: JSON.parse(alias.targets) as string[] })),
        rules: enabledRules,
      },
      needsBudget: rulesNeedBudget(enabledRules),
      defaults: new Map(defaults.map((row) => [row.keyId, row.dataClass as DataClass])),
      limits: new Map(limits.map((row): [string, BudgetLimits] => [row.keyId, { requestsPerMinute: row.requestsPerMinute, tokensPerMinute: row.tokensPerMinute, spendPerDay: row.spendPerDay, spendPerMonth: row.spendPerMonth }])),
    };
    tables.set(workspaceId, entry);
    return entry;
  };
  /** The workspace's limits and, for a key, the key's: both must hold. */
  const scopesOf = async (workspaceId: string, caller: CallerContext): Promise<BudgetScope[]> => {
    const { limits } = await tableOf(workspaceId);
    const scopes: BudgetScope[] = [];
    const workspaceLimits = limits.get('');
    if (workspaceLimits) scopes.push({ label: 'the workspace', id: workspaceId, limits: workspaceLimits });
    const keyLimits = caller.keyId ? limits.get(caller.keyId) : undefined;
    if (keyLimits && caller.keyId) scopes.push({ label: `API key ${caller.keyId}`, id: `${workspaceId}:${caller.keyId}`, limits: keyLimits });
    return scopes;
  };
  const totalTokens = (usage: Usage | undefined): number | null => (usage ? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0) : null);

  /**
   * Only deterministic, non-streamed requests of a rule with a cache TTL are cached: `temperature` 0 (a sampled
   * answer must not be replayed as if it were the only one). The key covers the whole request body and the
   * candidate list, so a routing change never serves an answer from a target that would no longer be used.
   */
  const cacheKeyOf = (workspaceId: string, decision: RouteDecision, request: ChatCompletionRequest): string | null => {
    if (!decision.cacheTtlSeconds || request.stream || request.temperature !== 0) return null;
    const digest = createHash('sha256').update(JSON.stringify({ request, candidates: decision.candidates })).digest('base64url');
    return `model-cache:${workspaceId}:${digest}`;
  };

  const dataClassOf = async (workspaceId: string, caller: CallerContext): Promise<DataClass> => {
    if (caller.dataClass) return caller.dataClass;
    const { defaults } = await tableOf(workspaceId);
    return (caller.keyId ? defaults.get(caller.keyId) : undefined) ?? defaults.get('') ?? 'internal';
  };

  const toProvider = (row: ProviderWithCountRow): ProviderView => ({
    id: row.id,
    name: row.name,
    type: row.type as ProviderView['type'],
    baseUrl: withoutCredentials(row.baseUrl),
    locality: row.locality as Locality,
    hasApiKey: row.hasApiKey === 1,
    enabled: row.enabled === 1,
    timeouts: row.timeouts ? (JSON.parse(row.timeouts) as ProviderView['timeouts']) : null,
    declared: row.declared === 1,
    modelCount: row.modelCount,
    createdAt: row.createdAt,
  });
  const toModel = (row: ModelWithProviderRow): ModelView => ({
    id: row.id,
    providerId: row.providerId,
    providerName: row.providerName,
    name: row.name,
    qualifiedName: `${row.providerName}/${row.name}`,
    locality: row.locality as Locality,
    capabilities: parseCapabilities(row.capabilities),
    contextLength: row.contextLength,
    inputPricePerMillion: row.inputPricePerMillion,
    outputPricePerMillion: row.outputPricePerMillion,
    source: row.source as ModelView['source'],
    declared: row.providerDeclared === 1,
    health: health.view(qualifiedName(row)),
  });

  /** The egress rules of one provider: the administrator's, plus what `providerEgressGrant` gives it. */
  const egressOf = (row: ProviderAddressFacts) => {
    const grant = providerEgressGrant(row);
    return { grant, egress: createEgress(grant.allow.length > 0 ? [...egressAllowedHosts, ...grant.allow] : egressAllowedHosts) };
  };

  /** One adapter per provider, cached, on an egress client with that provider's rules (see `provider-egress.ts`). */
  const clientOf = async (row: Pick<ProviderRow, 'id' | 'workspaceId' | 'type' | 'baseUrl' | 'locality' | 'hasApiKey' | 'name' | 'timeouts' | 'declared'>) => {
    const cached = clients.get(row.id);
    if (cached) return cached;
    const { grant, egress } = egressOf(row);
    const fetch: EgressClient['request'] = grant.maxRedirects === undefined ? egress.request : (url, init) => egress.request(url, { ...init, maxRedirects: grant.maxRedirects });
    const apiKey = row.hasApiKey === 1 ? await secrets.reveal(row.workspaceId, secretName(row.id)) : undefined;
    const timeouts = row.timeouts ? (JSON.parse(row.timeouts) as Partial<ProviderTimeouts>) : undefined;
    const provider = createModelProvider(row.type as ModelProviderType, { baseUrl: row.baseUrl, apiKey, fetch, name: row.name, clock, ids, timeouts } as never);
    const client = { provider, egress };
    clients.set(row.id, client);
    return client;
  };

  /**
   * Refuses a provider whose address its egress rules would refuse, before it is stored: the same check every
   * call makes, with a message that says how an administrator allows it. A name that does not resolve now is
   * not refused here (discovery reports it).
   */
  const checkAddress = async (row: ProviderAddressFacts): Promise<void> => {
    const { egress } = egressOf(row);
    try {
      const verdict = await egress.check(row.baseUrl).catch(() => ({ allowed: true as const }));
      if (!verdict.allowed) {
        throw new SteadError(
          'egress_blocked',
          `${verdict.reason}. A provider reaches a private or loopback address only when an instance administrator allowed it: in STEAD_EGRESS_ALLOWED_HOSTS, by declaring the provider in stead.config.yaml, or (locality local) on loopback at a local model server's port (${[...localModelServerPorts].join(', ')})`,
          { details: { field: 'baseUrl' } },
        );
      }
    } finally {
      await egress.close();
    }
  };

  /** The row of a model a person or stead.config.yaml declared (rather than one the provider listed). */
  const declaredModelRow = (workspaceId: string, providerId: string, model: AddProviderRequest['models'][number], at: string) => ({
    id: ids.next(),
    workspaceId,
    providerId,
    name: model.name,
    capabilities: JSON.stringify(model.capabilities),
    contextLength: model.contextLength,
    inputPricePerMillion: model.inputPricePerMillion,
    outputPricePerMillion: model.outputPricePerMillion,
    source: 'declared',
    enabled: 1,
    createdAt: at,
  });

  const discover = async (row: ProviderRow): Promise<number> => {
    const { provider } = await clientOf(row);
    const found = await provider.listModels();
    const at = clock.now().toISOString();
    await repository.insertModels(
      found.map((info) => ({
        id: ids.next(),
        workspaceId: row.workspaceId,
        providerId: row.id,
        name: info.id,
        capabilities: JSON.stringify(info.capabilities?.length ? info.capabilities : guessCapabilities(info.id)),
        contextLength: info.contextLength ?? null,
        inputPricePerMillion: null,
        outputPricePerMillion: null,
        source: 'discovered',
        enabled: 1,
        createdAt: at,
      })),
    );
    return found.length;
  };

  const findProvider = async (workspaceId: string, idOrName: string): Promise<ProviderWithCountRow> => {
    const row = await repository.findProvider(workspaceId, idOrName);
    if (!row) throw new SteadError('provider_not_found', `No model provider ${idOrName} in this workspace`);
    return row;
  };

  /** Orders the targets that may serve a request, or says exactly why none may. */
  const route = async (workspaceId: string, facts: RouteFacts): Promise<{ decision: RouteDecision; candidates: Candidate[] }> => {
    const { table } = await tableOf(workspaceId);
    try {
      const routed = routeRequest(table, facts);
      return { decision: routed.decision, candidates: routed.candidates.map((row) => ({ row, label: qualifiedName(row) })) };
    } catch (error) {
      throw await explainDisabled(workspaceId, table, facts, error);
    }
  };

  /** "No such model" is wrong when the model exists and its provider is only disabled: say so (on the error path only). */
  const explainDisabled = async (workspaceId: string, table: RoutingTable, facts: RouteFacts, error: unknown): Promise<unknown> => {
    if (!(error instanceof SteadError) || error.code !== 'model_not_found') return error;
    const refs = table.aliases.find((alias) => alias.name === facts.requested)?.targets ?? [facts.requested];
    const disabled = (await repository.listProviders(workspaceId)).filter((provider) => provider.enabled === 0 && refs.some((ref) => ref.startsWith(`${provider.name}/`)));
    if (disabled.length === 0) return error;
    const names = disabled.map((provider) => provider.name).join(', ');
    return new SteadError('model_not_found', `Nothing can serve ${facts.requested}: its provider ${names} is disabled; enable it again under Models → Providers (or PATCH its model-provider with "enabled": true)`, { details: { disabledProviders: disabled.map((provider) => provider.name) } });
  };

  const usageWriter = createUsageWriter({ insert: repository.insertUsage, flushMs: usageFlushMs, rowsPerStatement: 50, flushAtRows: 500, onError: onUsageError });
  const flushUsage = usageWriter.flush;

  /** Queues the call's ledger row; the usage writer stores it behind the call. */
  const recordUsage = (
    workspaceId: string,
    entry: { facts: RouteFacts | null; caller: CallerContext; requested: string; decision: RouteDecision | null; target: Candidate | null; skipped?: string[]; stream: boolean; usage?: Usage; firstTokenMs?: number | null; startedAt: number; error?: unknown },
  ): void => {
    const reason = [entry.decision?.reason ?? (entry.error instanceof Error ? entry.error.message.slice(0, 500) : 'not routed'), ...(entry.skipped?.length ? [`tried before: ${entry.skipped.join(', ')}`] : [])].join('; ');
    usageWriter.add({
      id: ids.next(),
      workspaceId,
      keyId: entry.caller.keyId ?? null,
      userId: entry.caller.userId ?? null,
      requestedModel: entry.requested,
      providerId: entry.target?.row.providerId ?? null,
      modelName: entry.target?.row.name ?? null,
      candidates: JSON.stringify(entry.decision?.candidates.map((candidate) => candidate.model) ?? []),
      reason,
      dataClass: entry.facts?.dataClass ?? entry.caller.dataClass ?? 'internal',
      stream: entry.stream ? 1 : 0,
      inputTokens: entry.usage?.prompt_tokens ?? null,
      outputTokens: entry.usage?.completion_tokens ?? null,
      cost: entry.target ? costOf(entry.target.row, entry.usage) : null,
      firstTokenMs: entry.firstTokenMs ?? null,
      totalMs: Math.round(performance.now() - entry.startedAt),
      status: entry.error ? 'error' : 'ok',
      // A client that went away mid-call is not a gateway failure; the ledger says so instead of internal_error.
      errorCode: !entry.error ? null : entry.caller.signal?.aborted ? 'client_closed' : entry.error instanceof SteadError ? entry.error.code : 'internal_error',
      at: clock.now().toISOString(),
    });
  };

  const providerOf = async ({ row }: Candidate): Promise<ModelProvider> =>
    (await clientOf({ id: row.providerId, workspaceId: row.workspaceId, type: row.providerType, baseUrl: row.baseUrl, locality: row.locality, hasApiKey: row.hasApiKey, name: row.providerName, timeouts: row.timeouts, declared: row.providerDeclared })).provider;

  /** Tries the candidates in order (retries, breakers, fallback: see callWithFallback). */
  const withFallback = async <T>(candidates: Candidate[], signal: AbortSignal | undefined, call: (candidate: Candidate, provider: ModelProvider) => Promise<T>) => {
    const byLabel = new Map(candidates.map((candidate) => [candidate.label, candidate]));
    const outcome = await callWithFallback(candidates.map((candidate) => candidate.label), health, async (label) => {
      const candidate = byLabel.get(label)!;
      return call(candidate, await providerOf(candidate));
    }, { signal });
    return { result: outcome.result, target: byLabel.get(outcome.target)!, skipped: outcome.skipped };
  };

  /** The remaining spend budget is read only when an enabled rule of the workspace asks for it: it costs a round trip to the counters. */
  const budgetRemainingOf = async (workspaceId: string, caller: CallerContext): Promise<number | undefined> => {
    // Cached routing table: no extra hop on the hot path when no rule needs the budget.
    const needsBudget = (tables.get(workspaceId) ?? (await tableOf(workspaceId))).needsBudget;
    return needsBudget ? budgets.remainingSpendPercent(await scopesOf(workspaceId, caller)) : undefined;
  };

  const factsOf = async (workspaceId: string, requested: string, caller: CallerContext, needs: ModelCapabilityName[], estimatedTokens: number): Promise<RouteFacts> => ({
    requested,
    dataClass: await dataClassOf(workspaceId, caller),
    needs,
    estimatedTokens,
    latencyTier: caller.latencyTier,
    budgetRemainingPercent: await budgetRemainingOf(workspaceId, caller),
  });

  const dropClient = async (providerId: string) => {
    const client = clients.get(providerId);
    clients.delete(providerId);
    await client?.egress.close();
  };

  /**
   * Brings one workspace's declared providers, models, aliases and rules in line with the file, in one
   * transaction: adds and updates them, removes declared ones that left the file. An entry made in the dashboard
   * with a declared one's name is never overwritten: the names come back and nothing changes.
   */
  const syncWorkspace = async (workspaceId: string): Promise<string[]> => {
    const at = clock.now().toISOString();
    const keys: { providerId: string; apiKey: string | undefined }[] = [];
    const touched: string[] = [];
    const removed: string[] = [];
    const toDiscover: string[] = [];
    const conflicts = await repository.transaction(async (trx) => {
      await trx.lockDeclared(workspaceId);
      const providers = await trx.listProviders(workspaceId);
      const aliases = await trx.listAliases(workspaceId);
      const rules = await trx.listRules(workspaceId);
      const madeHere = (rows: { name: string; declared: number }[], name: string) => rows.some((row) => row.name === name && row.declared === 0);
      const clashes = [
        ...declared.providers.filter((provider) => madeHere(providers, provider.name)).map((provider) => `provider ${provider.name}`),
        ...Object.keys(declared.aliases).filter((name) => madeHere(aliases, name)).map((name) => `alias ${name}`),
        ...declared.rules.filter((rule) => madeHere(rules, rule.name)).map((rule) => `route rule "${rule.name}"`),
      ];
      if (clashes.length > 0) return clashes;

      for (const provider of declared.providers) {
        const existing = providers.find((row) => row.name === provider.name);
        const apiKey = provider.apiKeyEnv ? apiKeyOf(provider.apiKeyEnv) : undefined;
        // Only without `requireDeclaredApiKeys` (a CLI command): the workspace keeps the key it has.
        const keepKey = provider.apiKeyEnv !== undefined && !apiKey;
        const fields = {
          type: provider.type,
          baseUrl: provider.baseUrl.replace(/\/+$/, ''),
          locality: provider.locality,
          hasApiKey: apiKey || (keepKey && existing?.hasApiKey === 1) ? 1 : 0,
          enabled: 1,
          timeouts: provider.timeouts ? JSON.stringify(provider.timeouts) : null,
        };
        let id: string;
        let reconnect = true;
        if (existing) {
          id = existing.id;
          reconnect = existing.type !== fields.type || existing.baseUrl !== fields.baseUrl;
          const changed = (Object.keys(fields) as (keyof typeof fields)[]).some((field) => existing[field] !== fields[field]);
          if (changed) await trx.updateProvider(id, { ...fields, updatedAt: at });
          // Models discovered from another upstream are not this one's.
          if (reconnect) await trx.deleteModelsExcept(id, []);
        } else {
          id = ids.next();
          await trx.insertProvider({ id, workspaceId, name: provider.name, ...fields, declared: 1, createdAt: at, updatedAt: at });
        }
        if (!keepKey) keys.push({ providerId: id, apiKey });
        touched.push(id);
        if (provider.models.length > 0) {
          for (const model of provider.models) {
            await trx.upsertDeclaredModel(declaredModelRow(workspaceId, id, model, at));
          }
          await trx.deleteModelsExcept(id, provider.models.map((model) => model.name));
        } else if (reconnect || existing?.modelCount === 0) {
          toDiscover.push(id);
        }
      }
      for (const row of providers) {
        if (row.declared === 1 && !declared.providers.some((provider) => provider.name === row.name)) {
          await trx.deleteProvider(row.id);
          removed.push(row.id);
        }
      }

      for (const [name, targets] of Object.entries(declared.aliases)) {
        const existing = aliases.find((row) => row.name === name);
        if (existing?.targets !== JSON.stringify(targets)) await trx.upsertAlias({ id: ids.next(), workspaceId, name, targets: JSON.stringify(targets), declared: 1, createdAt: at, updatedAt: at });
      }
      for (const row of aliases) if (row.declared === 1 && !(row.name in declared.aliases)) await trx.deleteAlias(workspaceId, row.name);

      for (const [position, rule] of declared.rules.entries()) {
        const existing = rules.find((row) => row.declared === 1 && row.name === rule.name);
        const fields = { position, match: JSON.stringify(rule.match), targets: JSON.stringify(rule.targets), enabled: rule.enabled ? 1 : 0, cacheTtlSeconds: rule.cacheTtlSeconds };
        if (!existing) await trx.insertRule({ id: ids.next(), workspaceId, name: rule.name, ...fields, declared: 1, createdAt: at, updatedAt: at });
        else if (existing.position !== position || !sameRule(existing, rule)) await trx.updateRule(existing.id, { ...fields, updatedAt: at });
      }
      for (const row of rules) if (row.declared === 1 && !declared.rules.some((rule) => rule.name === row.name)) await trx.deleteRule(row.id);
      return [];
    });
    if (conflicts.length > 0) return conflicts;

    // Secrets and adapters live outside the transaction (the secrets service has its own queries).
    for (const { providerId, apiKey } of keys) {
      if (apiKey) await secrets.store(workspaceId, secretName(providerId), apiKey);
      else await secrets.remove(workspaceId, secretName(providerId));
    }
    for (const providerId of removed) await secrets.remove(workspaceId, secretName(providerId));
    for (const providerId of [...touched, ...removed]) await dropClient(providerId);
    invalidate(workspaceId);
    // Discovery waits on the network: start-up does not. Until it ends the provider has no models.
    for (const providerId of toDiscover) {
      const row = await repository.findProvider(workspaceId, providerId);
      if (!row) continue;
      void discover(row).then(
        () => invalidate(workspaceId),
        (error: unknown) => onDiscoveryError(error, row.name),
      );
    }
    return [];
  };

  return {
    async listProviders(workspaceId: string): Promise<ProviderView[]> {
      return (await repository.listProviders(workspaceId)).map(toProvider);
    },

    /**
     * Syncs the declared entries of `stead.config.yaml` into these workspaces (at start, and for each new
     * workspace). Throws `config_invalid` when a workspace has an entry of a declared name made in the dashboard.
     */
    async syncDeclared(workspaces: { id: string; slug?: string }[]): Promise<void> {
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

    async addProvider(workspaceId: string, request: AddProviderRequest): Promise<{ provider: ProviderView; models: ModelView[]; discoveryError: string | null }> {
      const existing = await repository.findProvider(workspaceId, request.name);
      if (existing?.declared === 1) throw readOnly(`Provider ${request.name}`, 'it exists already; change it in the file');
      if (existing) throw new SteadError('validation_failed', `A provider called ${request.name} already exists in this workspace`, { details: { field: 'name' } });
      const at = clock.now().toISOString();
      const row: ProviderRow = {
        id: ids.next(),
        workspaceId,
        name: request.name,
        type: request.type,
        baseUrl: request.baseUrl.replace(/\/+$/, ''),
        locality: request.locality,
        hasApiKey: request.apiKey ? 1 : 0,
        enabled: 1,
        timeouts: request.timeouts ? JSON.stringify(request.timeouts) : null,
        declared: 0,
        createdAt: at,
        updatedAt: at,
      };
      await checkAddress(row);
      await repository.insertProvider(row);
      if (request.apiKey) await secrets.store(workspaceId, secretName(row.id), request.apiKey);
      await repository.insertModels(
        request.models.map((model) => declaredModelRow(workspaceId, row.id, model, at)),
      );
      let discoveryError: string | null = null;
      if (request.discover) {
        try {
          await discover(row);
        } catch (error) {
          discoveryError = error instanceof Error ? error.message : String(error);
        }
      }
      invalidate(workspaceId);
      const models = (await repository.listModels(workspaceId)).filter((model) => model.providerId === row.id).map(toModel);
      return { provider: toProvider({ ...row, modelCount: models.length }), models, discoveryError };
    },

    /** Asks the upstream for its model list: reachability, credentials and latency in one call. */
    async testProvider(workspaceId: string, idOrName: string): Promise<{ ok: boolean; latencyMs: number; models: number; error: string | null }> {
      const row = await findProvider(workspaceId, idOrName);
      // A provider whose models the file lists keeps exactly those: the test only asks the upstream.
      const listed = row.declared === 1 && (declared.providers.find((provider) => provider.name === row.name)?.models.length ?? 0) > 0;
      const started = performance.now();
      try {
        const models = listed ? (await (await clientOf(row)).provider.listModels()).length : await discover(row);
        invalidate(workspaceId);
        return { ok: true, latencyMs: Math.round(performance.now() - started), models, error: null };
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - started), models: 0, error: error instanceof Error ? error.message : String(error) };
      }
    },

    /** Enable or disable a provider, replace or remove its API key, change its timeouts. */
    async updateProvider(workspaceId: string, idOrName: string, changes: UpdateProviderRequest): Promise<ProviderView> {
      const row = await findProvider(workspaceId, idOrName);
      if (row.declared === 1) throw readOnly(`Provider ${row.name}`);
      if (changes.apiKey) await secrets.store(workspaceId, secretName(row.id), changes.apiKey);
      if (changes.apiKey === null) await secrets.remove(workspaceId, secretName(row.id));
      await repository.updateProvider(row.id, {
        ...(changes.enabled === undefined ? {} : { enabled: changes.enabled ? 1 : 0 }),
        ...(changes.apiKey === undefined ? {} : { hasApiKey: changes.apiKey ? 1 : 0 }),
        ...(changes.timeouts === undefined ? {} : { timeouts: changes.timeouts ? JSON.stringify(changes.timeouts) : null }),
        updatedAt: clock.now().toISOString(),
      });
      // The adapter holds the key and timeouts it was built with: build it again on next use.
      await dropClient(row.id);
      invalidate(workspaceId);
      return toProvider((await repository.findProvider(workspaceId, row.id))!);
    },

    async removeProvider(workspaceId: string, idOrName: string): Promise<ProviderView> {
      const row = await findProvider(workspaceId, idOrName);
      if (row.declared === 1) throw readOnly(`Provider ${row.name}`);
      await repository.deleteProvider(row.id);
      invalidate(workspaceId);
      await secrets.remove(workspaceId, secretName(row.id));
      await dropClient(row.id);
      return toProvider(row);
    },

    async listModels(workspaceId: string): Promise<ModelView[]> {
      return (await repository.listModels(workspaceId)).map(toModel);
    },

    /** "Which target would serve this?" without calling a model. */
    async explainRoute(
      workspaceId: string,
      query: { model: string; dataClass?: DataClass | undefined; keyId?: string | undefined; needs: ModelCapabilityName[]; latencyTier?: LatencyTier | undefined; estimatedTokens: number },
    ): Promise<RouteDecision> {
      const needs: ModelCapabilityName[] = query.needs.includes('embeddings') || query.needs.includes('chat') ? query.needs : ['chat', ...query.needs];
      if (query.keyId && !(await repository.keyInWorkspace(workspaceId, query.keyId))) throw new SteadError('key_not_found', `No API key ${query.keyId} in this workspace`);
      // As a call of that key would be routed (its default data class, its own limits), or without one the workspace's.
      const caller: CallerContext = { dataClass: query.dataClass, keyId: query.keyId ?? null };
      const budgetRemainingPercent = await budgetRemainingOf(workspaceId, caller);
      const { decision } = await route(workspaceId, { requested: query.model, dataClass: await dataClassOf(workspaceId, caller), needs, estimatedTokens: query.estimatedTokens, latencyTier: query.latencyTier, budgetRemainingPercent });
      return decision;
    },

    async chat(workspaceId: string, request: ChatCompletionRequest, caller: CallerContext): Promise<ChatCompletion & { stead: { target: string; decision: RouteDecision; cache: 'hit' | 'miss' | null } }> {
      const startedAt = performance.now();
      let facts: RouteFacts | null = null;
      let decision: RouteDecision | null = null;
      try {
        facts = await factsOf(workspaceId, request.model, caller, needsOf(request), estimateTokens(request));
        const routed = await route(workspaceId, facts);
        decision = routed.decision;
        const cacheKey = cacheKeyOf(workspaceId, decision, request);
        if (cacheKey) {
          const cached = await store.get(cacheKey);
          if (cached) {
            const hit = JSON.parse(cached) as { completion: ChatCompletion; target: string };
            recordUsage(workspaceId, { facts, caller, requested: request.model, decision: { ...decision, reason: `${decision.reason}; answered from the cache (${hit.target})` }, target: null, stream: false, startedAt });
            return { ...hit.completion, model: hit.target, stead: { target: hit.target, decision, cache: 'hit' as const } };
          }
        }
        const scopes = await scopesOf(workspaceId, caller);
        await budgets.reserve(scopes, facts.estimatedTokens);
        const outcome = await withFallback(routed.candidates, caller.signal, (candidate, provider) => provider.chat({ ...request, model: candidate.row.name }, { signal: caller.signal }));
        if (cacheKey && decision.cacheTtlSeconds) await store.set(cacheKey, JSON.stringify({ completion: outcome.result, target: outcome.target.label }), { ttlMs: decision.cacheTtlSeconds * 1000 });
        await budgets.settle(scopes, facts.estimatedTokens, totalTokens(outcome.result.usage), costOf(outcome.target.row, outcome.result.usage));
        recordUsage(workspaceId, { facts, caller, requested: request.model, decision, target: outcome.target, skipped: outcome.skipped, stream: false, usage: outcome.result.usage, startedAt });
        // `model` names the target as /v1/models lists it, so a client can send it back (the upstream says only its own name).
        return { ...outcome.result, model: outcome.target.label, stead: { target: outcome.target.label, decision, cache: cacheKey ? ('miss' as const) : null } };
      } catch (error) {
        recordUsage(workspaceId, { facts, caller, requested: request.model, decision, target: null, stream: false, startedAt, error });
        throw error;
      }
    },

    /**
     * Streams from the first candidate that produces a first chunk. Until then nothing has reached the client, so
     * a failing candidate is replaced by the next; after it, a failure ends the stream with an error.
     */
    async streamChat(workspaceId: string, request: ChatCompletionRequest, caller: CallerContext): Promise<{ decision: RouteDecision; target: string; chunks: AsyncIterable<ChatCompletionChunk> }> {
      const startedAt = performance.now();
      let facts: RouteFacts | null = null;
      let decision: RouteDecision | null = null;
      try {
        facts = await factsOf(workspaceId, request.model, caller, needsOf(request), estimateTokens(request));
        const routed = await route(workspaceId, facts);
        decision = routed.decision;
        const scopes = await scopesOf(workspaceId, caller);
        await budgets.reserve(scopes, facts.estimatedTokens);
        const streamRequest = { ...request, stream_options: { include_usage: true } };
        const opened = await withFallback(routed.candidates, caller.signal, async (candidate, provider) => {
          const iterator = provider.streamChat({ ...streamRequest, model: candidate.row.name }, { signal: caller.signal })[Symbol.asyncIterator]();
          const first = await iterator.next();
          return { iterator, first };
        });
        const firstTokenMs = Math.round(performance.now() - startedAt);
        const settled = { facts, decision };
        const chunks = async function* () {
          let usage: Usage | undefined;
          let failure: unknown;
          try {
            let next = opened.result.first;
            while (!next.done) {
              if (next.value.usage) usage = next.value.usage;
              yield next.value;
              next = await opened.result.iterator.next();
            }
          } catch (error) {
            failure = error;
            // The breaker hears of failures after the first token too: they say as much about the upstream.
            health.failed(opened.target.label);
            throw error;
          } finally {
            await budgets.settle(scopes, settled.facts.estimatedTokens, totalTokens(usage), costOf(opened.target.row, usage));
            recordUsage(workspaceId, { ...settled, caller, requested: request.model, target: opened.target, skipped: opened.skipped, stream: true, usage, firstTokenMs, startedAt, error: failure });
          }
        };
        return { decision, target: opened.target.label, chunks: chunks() };
      } catch (error) {
        recordUsage(workspaceId, { facts, caller, requested: request.model, decision, target: null, stream: true, startedAt, error });
        throw error;
      }
    },

    async embed(workspaceId: string, request: EmbeddingRequest, caller: CallerContext): Promise<EmbeddingResponse & { stead: { target: string } }> {
      const startedAt = performance.now();
      let facts: RouteFacts | null = null;
      let decision: RouteDecision | null = null;
      try {
        facts = await factsOf(workspaceId, request.model, caller, ['embeddings'], 0);
        const routed = await route(workspaceId, facts);
        decision = routed.decision;
        const scopes = await scopesOf(workspaceId, caller);
        await budgets.reserve(scopes, 0);
        const outcome = await withFallback(routed.candidates, caller.signal, (candidate, provider) => provider.embed({ ...request, model: candidate.row.name }, { signal: caller.signal }));
        const usage = outcome.result.usage as Usage | undefined;
        await budgets.settle(scopes, 0, totalTokens(usage), costOf(outcome.target.row, usage));
        recordUsage(workspaceId, { facts, caller, requested: request.model, decision, target: outcome.target, skipped: outcome.skipped, stream: false, usage, startedAt });
        return { ...outcome.result, model: outcome.target.label, stead: { target: outcome.target.label } };
      } catch (error) {
        recordUsage(workspaceId, { facts, caller, requested: request.model, decision, target: null, stream: false, startedAt, error });
        throw error;
      }
    },

    /** Limits and what is used of them now, for the workspace (`keyId` '') and each key that has its own. */
    async budgets(workspaceId: string): Promise<{ keyId: string | null; limits: BudgetLimits; usage: BudgetUsage }[]> {
      const rows = await repository.listBudgets(workspaceId);
      return Promise.all(
        rows.map(async (row) => {
          const limits = { requestsPerMinute: row.requestsPerMinute, tokensPerMinute: row.tokensPerMinute, spendPerDay: row.spendPerDay, spendPerMonth: row.spendPerMonth };
          const usage = await budgets.read({ label: '', id: row.keyId ? `${workspaceId}:${row.keyId}` : workspaceId, limits });
          return { keyId: row.keyId || null, limits, usage };
        }),
      );
    },

    /** Sets the limits of the workspace (no `keyId`) or of one key; all-null limits remove them. */
    async setBudget(workspaceId: string, keyId: string | undefined, limits: BudgetLimits) {
      if (Object.values(limits).every((value) => value === null)) await repository.deleteBudget(workspaceId, keyId ?? '');
      else if (keyId && !(await repository.keyInWorkspace(workspaceId, keyId))) throw new SteadError('key_not_found', `No API key ${keyId} in this workspace`);
      else await repository.setBudget({ workspaceId, keyId: keyId ?? '', ...limits, updatedAt: clock.now().toISOString() });
      invalidate(workspaceId);
      return this.budgets(workspaceId);
    },

    async listAliases(workspaceId: string): Promise<AliasView[]> {
      return (await repository.listAliases(workspaceId)).map((row) => ({ id: row.id, name: row.name, targets: JSON.parse(row.targets) as string[], declared: row.declared === 1, updatedAt: row.updatedAt }));
    },

    async setAlias(workspaceId: string, alias: { name: string; targets: string[] }): Promise<AliasView> {
      if ((await repository.listAliases(workspaceId)).some((row) => row.name === alias.name && row.declared === 1)) throw readOnly(`Alias ${alias.name}`);
      const at = clock.now().toISOString();
      await repository.upsertAlias({ id: ids.next(), workspaceId, name: alias.name, targets: JSON.stringify(alias.targets), createdAt: at, updatedAt: at });
      invalidate(workspaceId);
      return (await this.listAliases(workspaceId)).find((entry) => entry.name === alias.name)!;
    },

    async removeAlias(workspaceId: string, name: string): Promise<void> {
      if ((await repository.listAliases(workspaceId)).some((row) => row.name === name && row.declared === 1)) throw readOnly(`Alias ${name}`);
      if (!(await repository.deleteAlias(workspaceId, name))) throw new SteadError('model_not_found', `No alias ${name} in this workspace`);
      invalidate(workspaceId);
    },

    async listRules(workspaceId: string): Promise<RouteRuleView[]> {
      return (await repository.listRules(workspaceId)).map((row) => ({
        id: row.id,
        position: row.position,
        name: row.name,
        match: JSON.parse(row.match) as RouteRuleMatch,
        targets: JSON.parse(row.targets) as string[],
        enabled: row.enabled === 1,
        cacheTtlSeconds: row.cacheTtlSeconds,
        declared: row.declared === 1,
        updatedAt: row.updatedAt,
      }));
    },

    /**
     * Replaces the ordered list of rules made here (the editor saves the whole list). Declared rules stay first;
     * the list may start with them, sent back unchanged as GET lists them, and then they are left as they are.
     * Changing, moving or dropping one of them that way is refused.
     */
    async replaceRules(workspaceId: string, rules: RouteRuleRequest[]): Promise<RouteRuleView[]> {
      const declaredRules = (await repository.listRules(workspaceId)).filter((row) => row.declared === 1);
      const declaredNames = new Set(declaredRules.map((row) => row.name));
      let own = rules;
      if (rules.some((rule) => declaredNames.has(rule.name))) {
        const differing = declaredRules.find((row, index) => !rules[index] || rules[index].name !== row.name || !sameRule(row, rules[index]));
        if (differing) throw readOnly(`Route rule "${differing.name}"`, 'send it unchanged and ahead of the others, or leave it out; change, move or remove it in the file');
        own = rules.slice(declaredRules.length);
        const clash = own.find((rule) => declaredNames.has(rule.name));
        if (clash) throw readOnly(`Route rule "${clash.name}"`, 'give the rule made here another name, or change the declared one in the file');
      }
      const at = clock.now().toISOString();
      await repository.replaceRules(
        workspaceId,
        own.map((rule, position) => ({ id: ids.next(), workspaceId, position, name: rule.name, match: JSON.stringify(rule.match), targets: JSON.stringify(rule.targets), enabled: rule.enabled ? 1 : 0, cacheTtlSeconds: rule.cacheTtlSeconds, createdAt: at, updatedAt: at })),
      );
      invalidate(workspaceId);
      return this.listRules(workspaceId);
    },

    async dataClassDefaults(workspaceId: string): Promise<{ workspace: DataClass; keys: Record<string, DataClass> }> {
      const rows = await repository.listDataClassDefaults(workspaceId);
      return {
        workspace: (rows.find((row) => row.keyId === '')?.dataClass as DataClass | undefined) ?? 'internal',
        keys: Object.fromEntries(rows.filter((row) => row.keyId !== '').map((row) => [row.keyId, row.dataClass as DataClass])),
      };
    },

    /** `keyId` absent: the workspace default (null resets it to `internal`). */
    async setDataClassDefault(workspaceId: string, keyId: string | undefined, dataClass: DataClass | null): Promise<{ workspace: DataClass; keys: Record<string, DataClass> }> {
      if (keyId && dataClass !== null && !(await repository.keyInWorkspace(workspaceId, keyId))) throw new SteadError('key_not_found', `No API key ${keyId} in this workspace`);
      await repository.setDataClassDefault(workspaceId, keyId ?? '', dataClass, clock.now().toISOString());
      invalidate(workspaceId);
      return this.dataClassDefaults(workspaceId);
    },

    async usage(workspaceId: string, cursor: string | undefined, limit = 100): Promise<{ records: UsageRecord[]; nextCursor: string | null }> {
      await flushUsage();
      const rows = await repository.listUsage(workspaceId, cursor, limit);
      const page = rows.slice(0, limit);
      const providers = new Map((await repository.listProviders(workspaceId)).map((row) => [row.id, row.name]));
      return {
        records: page.map((row) => ({
          id: row.id,
          at: row.at,
          requestedModel: row.requestedModel,
          target: row.modelName ? `${providers.get(row.providerId ?? '') ?? row.providerId}/${row.modelName}` : null,
          candidates: JSON.parse(row.candidates) as string[],
          reason: row.reason,
          dataClass: row.dataClass as DataClass,
          stream: row.stream === 1,
          inputTokens: row.inputTokens,
          outputTokens: row.outputTokens,
          cost: row.cost,
          firstTokenMs: row.firstTokenMs,
          totalMs: row.totalMs,
          status: row.status as UsageRecord['status'],
          errorCode: row.errorCode,
          keyId: row.keyId,
          userId: row.userId,
        })),
        nextCursor: rows.length > limit ? page.at(-1)!.id : null,
      };
    },

    /** The ledger for spreadsheets: one row per call, RFC 4180 quoting. */
    async usageCsv(workspaceId: string): Promise<string> {
      const columns = ['at', 'requestedModel', 'target', 'dataClass', 'status', 'errorCode', 'inputTokens', 'outputTokens', 'cost', 'firstTokenMs', 'totalMs', 'stream', 'keyId', 'userId', 'reason'] as const;
      const quote = (value: unknown) => {
        const text = value === null || value === undefined ? '' : String(value);
        return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
      };
      const lines: string[] = [columns.join(',')];
      let cursor: string | undefined;
      do {
        const page = await this.usage(workspaceId, cursor, 500);
        for (const record of page.records) lines.push(columns.map((column) => quote(record[column])).join(','));
        cursor = page.nextCursor ?? undefined;
      } while (cursor && lines.length <= 100_000);
      return `${lines.join('\r\n')}\r\n`;
    },

    async close(): Promise<void> {
      await flushUsage();
      await Promise.all([...clients.values()].map((client) => client.egress.close()));
      clients.clear();
    },
  };
};

export type ModelsService = ReturnType<typeof createModelsService>;
