import type { Clock, Ids } from '../../platform/clock/clock.ts';
import type { EgressClient } from '../../platform/egress/egress.port.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { createModelProvider, type ModelProviderType } from '../../platform/model-provider/model-provider.factory.ts';
import {
  ProviderError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  type EmbeddingRequest,
  type EmbeddingResponse,
  type ModelProvider,
  type ProviderFetch,
  type Usage,
} from '../../platform/model-provider/model-provider.port.ts';
import type { ModelsRepository, ModelWithProviderRow, ProviderRow } from './models.repository.ts';
import type { AddProviderRequest, DataClass, Locality, ModelCapabilityName, ModelView, ProviderView, RouteDecision, UsageRecord } from './models.schema.ts';

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
}

/** Who is calling and with what data, for routing and the usage ledger. */
export interface CallerContext {
  dataClass: DataClass;
  keyId?: string | null;
  userId?: string | null;
  signal?: AbortSignal;
}

interface Candidate {
  row: ModelWithProviderRow;
  label: string;
}

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

const costOf = (row: ModelWithProviderRow, usage: Usage | undefined): number | null => {
  if (!usage || (row.inputPricePerMillion === null && row.outputPricePerMillion === null)) return null;
  return ((usage.prompt_tokens ?? 0) * (row.inputPricePerMillion ?? 0) + (usage.completion_tokens ?? 0) * (row.outputPricePerMillion ?? 0)) / 1_000_000;
};

/** Upstream failures another target may not have: overload, rate limits, outages, timeouts, network errors. */
const canFallBack = (error: unknown): boolean => error instanceof ProviderError && error.isRetryable;

export const createModelsService = ({ repository, secrets, clock, ids, createEgress, egressAllowedHosts }: ModelsServiceOptions) => {
  const clients = new Map<string, { provider: ModelProvider; egress: EgressClient }>();

  const toProvider = (row: ProviderRow): ProviderView => ({
    id: row.id,
    name: row.name,
    type: row.type as ProviderView['type'],
    baseUrl: row.baseUrl,
    locality: row.locality as Locality,
    hasApiKey: row.hasApiKey === 1,
    enabled: row.enabled === 1,
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
  });

  /**
   * One adapter per provider, cached. A local provider's own host is allowed for its calls only: adding a local
   * model server is the administrator's explicit consent to reach that address, and nothing else gains it.
   */
  const clientOf = async (row: Pick<ProviderRow, 'id' | 'workspaceId' | 'type' | 'baseUrl' | 'locality' | 'hasApiKey' | 'name'>) => {
    const cached = clients.get(row.id);
    if (cached) return cached;
    const allowed = row.locality === 'local' ? [...egressAllowedHosts, new URL(row.baseUrl).hostname.replace(/^\[|\]$/g, '')] : egressAllowedHosts;
    const egress = createEgress(allowed);
    const apiKey = row.hasApiKey === 1 ? await secrets.reveal(row.workspaceId, secretName(row.id)) : undefined;
    const provider = createModelProvider(row.type as ModelProviderType, { baseUrl: row.baseUrl, apiKey, fetch: egress.fetch as unknown as ProviderFetch, name: row.name, clock, ids } as never);
    const client = { provider, egress };
    clients.set(row.id, client);
    return client;
  };

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

  const findProvider = async (workspaceId: string, idOrName: string): Promise<ProviderRow> => {
    const row = await repository.findProvider(workspaceId, idOrName);
    if (!row) throw new SteadError('provider_not_found', `No model provider ${idOrName} in this workspace`);
    return row;
  };

  /** Orders the targets that may serve a request, or says exactly why none may. */
  const route = async (workspaceId: string, requested: string, dataClass: DataClass, needs: ModelCapabilityName[]): Promise<{ decision: RouteDecision; candidates: Candidate[] }> => {
    const models = await repository.listModels(workspaceId);
    const slash = requested.indexOf('/');
    const named =
      requested === 'auto'
        ? models.filter((row) => parseCapabilities(row.capabilities).includes('chat'))
        : models.filter((row) => row.name === requested || (slash > 0 && `${row.providerName}/${row.name}` === requested));
    if (named.length === 0) {
      throw new SteadError('model_not_found', requested === 'auto' ? 'No chat model is configured in this workspace; add a provider first' : `No model called ${requested} in this workspace; GET /v1/models lists them`);
    }
    const capable = named.filter((row) => needs.every((need) => parseCapabilities(row.capabilities).includes(need)));
    if (capable.length === 0) {
      throw new SteadError('route_no_target', `No target for ${requested} has every capability the request needs (${needs.join(', ')})`, { details: { needs } });
    }
    const eligible = dataClass === 'private' ? capable.filter((row) => row.locality === 'local') : capable;
    if (eligible.length === 0) {
      throw new SteadError(
        'route_no_private_target',
        `This request is private, and no local model can serve ${requested}; private data never goes to a hosted provider. Add a local model (Ollama, llama.cpp, LM Studio) with locality "local", or send a different x-stead-data-class`,
      );
    }
    // Local targets first: cheaper, private, and usually closer; hosted ones remain as fallbacks for non-private data.
    const ordered = [...eligible.filter((row) => row.locality === 'local'), ...eligible.filter((row) => row.locality !== 'local')];
    const candidates = ordered.map((row) => ({ row, label: `${row.providerName}/${row.name}` }));
    const reason =
      dataClass === 'private'
        ? `private: local targets only (${candidates.length} of ${capable.length} capable)`
        : `${dataClass}: ${candidates.length} capable target(s), local first`;
    return { decision: { requested, dataClass, needs, candidates: candidates.map(({ row }) => ({ model: `${row.providerName}/${row.name}`, provider: row.providerName, locality: row.locality as Locality })), reason }, candidates };
  };

  const recordUsage = async (workspaceId: string, entry: { requested: string; caller: CallerContext; decision: RouteDecision | null; target: Candidate | null; stream: boolean; usage?: Usage; firstTokenMs?: number | null; startedAt: number; error?: unknown }): Promise<void> => {
    await repository.insertUsage({
      id: ids.next(),
      workspaceId,
      keyId: entry.caller.keyId ?? null,
      userId: entry.caller.userId ?? null,
      requestedModel: entry.requested,
      providerId: entry.target?.row.providerId ?? null,
      modelName: entry.target?.row.name ?? null,
      candidates: JSON.stringify(entry.decision?.candidates.map((candidate) => candidate.model) ?? []),
      reason: entry.decision?.reason ?? (entry.error instanceof Error ? entry.error.message.slice(0, 500) : 'not routed'),
      dataClass: entry.caller.dataClass,
      stream: entry.stream ? 1 : 0,
      inputTokens: entry.usage?.prompt_tokens ?? null,
      outputTokens: entry.usage?.completion_tokens ?? null,
      cost: entry.target ? costOf(entry.target.row, entry.usage) : null,
      firstTokenMs: entry.firstTokenMs ?? null,
      totalMs: Math.round(performance.now() - entry.startedAt),
      status: entry.error ? 'error' : 'ok',
      errorCode: entry.error instanceof SteadError ? entry.error.code : entry.error ? 'internal_error' : null,
      at: clock.now().toISOString(),
    });
  };

  /** Routes, then tries each candidate in order while failures are ones another target might not have. */
  const withFallback = async <T>(candidates: Candidate[], call: (candidate: Candidate, provider: ModelProvider) => Promise<T>): Promise<{ result: T; target: Candidate }> => {
    let lastError: unknown;
    for (const candidate of candidates) {
      const { row } = candidate;
      const { provider } = await clientOf({ id: row.providerId, workspaceId: row.workspaceId, type: row.providerType, baseUrl: row.baseUrl, locality: row.locality, hasApiKey: row.hasApiKey, name: row.providerName });
      try {
        return { result: await call(candidate, provider), target: candidate };
      } catch (error) {
        lastError = error;
        if (!canFallBack(error)) throw error;
      }
    }
    throw lastError;
  };

  return {
    async listProviders(workspaceId: string): Promise<ProviderView[]> {
      return (await repository.listProviders(workspaceId)).map(toProvider);
    },

    async addProvider(workspaceId: string, request: AddProviderRequest): Promise<{ provider: ProviderView; models: ModelView[]; discoveryError: string | null }> {
      if (await repository.findProvider(workspaceId, request.name)) throw new SteadError('validation_failed', `A provider called ${request.name} already exists in this workspace`, { details: { field: 'name' } });
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
        timeouts: null,
        createdAt: at,
        updatedAt: at,
      };
      await repository.insertProvider(row);
      if (request.apiKey) await secrets.store(workspaceId, secretName(row.id), request.apiKey);
      await repository.insertModels(
        request.models.map((model) => ({
          id: ids.next(),
          workspaceId,
          providerId: row.id,
          name: model.name,
          capabilities: JSON.stringify(model.capabilities),
          contextLength: model.contextLength,
          inputPricePerMillion: model.inputPricePerMillion,
          outputPricePerMillion: model.outputPricePerMillion,
          source: 'declared',
          enabled: 1,
          createdAt: at,
        })),
      );
      let discoveryError: string | null = null;
      if (request.discover) {
        try {
          await discover(row);
        } catch (error) {
          discoveryError = error instanceof Error ? error.message : String(error);
        }
      }
      const models = (await repository.listModels(workspaceId)).filter((model) => model.providerId === row.id).map(toModel);
      return { provider: toProvider(row), models, discoveryError };
    },

    /** Asks the upstream for its model list: reachability, credentials and latency in one call. */
    async testProvider(workspaceId: string, idOrName: string): Promise<{ ok: boolean; latencyMs: number; models: number; error: string | null }> {
      const row = await findProvider(workspaceId, idOrName);
      const started = performance.now();
      try {
        const models = await discover(row);
        return { ok: true, latencyMs: Math.round(performance.now() - started), models, error: null };
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - started), models: 0, error: error instanceof Error ? error.message : String(error) };
      }
    },

    async removeProvider(workspaceId: string, idOrName: string): Promise<ProviderView> {
      const row = await findProvider(workspaceId, idOrName);
      await repository.deleteProvider(row.id);
      await secrets.remove(workspaceId, secretName(row.id));
      const client = clients.get(row.id);
      clients.delete(row.id);
      await client?.egress.close();
      return toProvider(row);
    },

    async listModels(workspaceId: string): Promise<ModelView[]> {
      return (await repository.listModels(workspaceId)).map(toModel);
    },

    /** "Which target would serve this?" without calling a model. */
    async explainRoute(workspaceId: string, requested: string, dataClass: DataClass, needs: ModelCapabilityName[]): Promise<RouteDecision> {
      return (await route(workspaceId, requested, dataClass, needs.includes('chat') || needs.includes('embeddings') ? needs : ['chat', ...needs])).decision;
    },

    async chat(workspaceId: string, request: ChatCompletionRequest, caller: CallerContext): Promise<ChatCompletion & { stead: { target: string; decision: RouteDecision } }> {
      const startedAt = performance.now();
      let decision: RouteDecision | null = null;
      let target: Candidate | null = null;
      try {
        const routed = await route(workspaceId, request.model, caller.dataClass, needsOf(request));
        decision = routed.decision;
        const outcome = await withFallback(routed.candidates, (candidate, provider) => provider.chat({ ...request, model: candidate.row.name }, { signal: caller.signal }));
        target = outcome.target;
        await recordUsage(workspaceId, { requested: request.model, caller, decision, target, stream: false, usage: outcome.result.usage, startedAt });
        return { ...outcome.result, stead: { target: target.label, decision } };
      } catch (error) {
        await recordUsage(workspaceId, { requested: request.model, caller, decision, target, stream: false, startedAt, error });
        throw error;
      }
    },

    /**
     * Streams from the first candidate that produces a first chunk. Until then nothing has reached the client, so
     * a failing candidate is replaced by the next; after it, a failure ends the stream with an error.
     */
    async streamChat(workspaceId: string, request: ChatCompletionRequest, caller: CallerContext): Promise<{ decision: RouteDecision; target: string; chunks: AsyncIterable<ChatCompletionChunk> }> {
      const startedAt = performance.now();
      let decision: RouteDecision | null = null;
      try {
        const routed = await route(workspaceId, request.model, caller.dataClass, needsOf(request));
        decision = routed.decision;
        const streamRequest = { ...request, stream_options: { include_usage: true } };
        const opened = await withFallback(routed.candidates, async (candidate, provider) => {
          const iterator = provider.streamChat({ ...streamRequest, model: candidate.row.name }, { signal: caller.signal })[Symbol.asyncIterator]();
          const first = await iterator.next();
          return { iterator, first };
        });
        const firstTokenMs = Math.round(performance.now() - startedAt);
        const target = opened.target;
        const settledDecision = decision;
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
            throw error;
          } finally {
            await recordUsage(workspaceId, { requested: request.model, caller, decision: settledDecision, target, stream: true, usage, firstTokenMs, startedAt, error: failure });
          }
        };
        return { decision, target: target.label, chunks: chunks() };
      } catch (error) {
        await recordUsage(workspaceId, { requested: request.model, caller, decision, target: null, stream: true, startedAt, error });
        throw error;
      }
    },

    async embed(workspaceId: string, request: EmbeddingRequest, caller: CallerContext): Promise<EmbeddingResponse> {
      const startedAt = performance.now();
      let decision: RouteDecision | null = null;
      try {
        const routed = await route(workspaceId, request.model, caller.dataClass, ['embeddings']);
        decision = routed.decision;
        const outcome = await withFallback(routed.candidates, (candidate, provider) => provider.embed({ ...request, model: candidate.row.name }, { signal: caller.signal }));
        await recordUsage(workspaceId, { requested: request.model, caller, decision, target: outcome.target, stream: false, usage: outcome.result.usage as Usage | undefined, startedAt });
        return outcome.result;
      } catch (error) {
        await recordUsage(workspaceId, { requested: request.model, caller, decision, target: null, stream: false, startedAt, error });
        throw error;
      }
    },

    async usage(workspaceId: string, cursor: string | undefined, limit = 100): Promise<{ records: UsageRecord[]; nextCursor: string | null }> {
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

    async close(): Promise<void> {
      await Promise.all([...clients.values()].map((client) => client.egress.close()));
      clients.clear();
    },
  };
};

export type ModelsService = ReturnType<typeof createModelsService>;
