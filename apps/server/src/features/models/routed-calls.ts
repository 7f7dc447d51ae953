import { createHash } from 'node:crypto';
import type { KeyValueStore } from '../../platform/key-value/key-value.port.ts';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingRequest,
  EmbeddingResponse,
  ModelProvider,
  Usage,
} from '../../platform/model-provider/model-provider.port.ts';
import type { Budgets } from './budgets.ts';
import { callWithFallback } from './call-with-fallback.ts';
import type { RouteFacts } from './model-router.ts';
import type { ModelCapabilityName, RouteDecision } from './models.schema.ts';
import type { CallerContext } from './models.types.ts';
import type { ProviderClients } from './provider-clients.ts';
import type { Candidate, RouteResolver } from './route-resolver.ts';
import type { TargetHealth } from './target-health.ts';
import { costOf, type UsageLedger } from './usage-ledger.ts';

/** A chat answer with what the gateway did: the target, the routing decision, and whether the cache answered. */
export type RoutedChatCompletion = ChatCompletion & { stead: { target: string; decision: RouteDecision; cache: 'hit' | 'miss' | null } };

/** Calls through the gateway: routed, held to the budgets, failed over, recorded in the ledger. */
export interface RoutedCalls {
  chat(workspaceId: string, request: ChatCompletionRequest, caller: CallerContext): Promise<RoutedChatCompletion>;
  /**
   * Streams from the first candidate that produces a first chunk. Until then nothing has reached the client, so
   * a failing candidate is replaced by the next; after it, a failure ends the stream with an error.
   */
  streamChat(workspaceId: string, request: ChatCompletionRequest, caller: CallerContext): Promise<{ decision: RouteDecision; target: string; chunks: AsyncIterable<ChatCompletionChunk> }>;
  embed(workspaceId: string, request: EmbeddingRequest, caller: CallerContext): Promise<EmbeddingResponse & { stead: { target: string } }>;
}

export interface RoutedCallsOptions {
  resolver: RouteResolver;
  budgets: Budgets;
  clients: ProviderClients;
  health: TargetHealth;
  ledger: UsageLedger;
  /** Where deterministic answers are cached (the budget counters' store). */
  store: KeyValueStore;
}

/** Characters per token, roughly, for routing by context length before any tokenizer is involved. */
const charactersPerToken = 4;
const estimateTokens = (request: ChatCompletionRequest): number =>
  Math.ceil(request.messages.reduce((total, message) => total + (typeof message.content === 'string' ? message.content.length : JSON.stringify(message.content ?? '').length), 0) / charactersPerToken);

/** The capabilities a chat request needs from its target. */
export const needsOf = (request: ChatCompletionRequest): ModelCapabilityName[] => {
  const needs: ModelCapabilityName[] = ['chat'];
  if (request.tools && request.tools.length > 0) needs.push('tools');
  if (request.response_format && request.response_format.type !== 'text') needs.push('json');
  const hasImage = request.messages.some((message) => Array.isArray(message.content) && message.content.some((part) => part.type === 'image_url'));
  if (hasImage) needs.push('vision');
  return needs;
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

/** A target answered: what it sent, and how the call's books are closed. */
interface Answered<T> {
  result: T;
  target: Candidate;
  decision: RouteDecision;
  startedAt: number;
  /** Settles the budget with what the upstream reported and writes the ledger entry: at once for an answer, at its end for a stream. */
  finish(usage: Usage | undefined, ending?: { firstTokenMs?: number; error?: unknown }): Promise<void>;
}

/** One kind of call (chat, stream, embeddings) as the skeleton runs it. */
interface CallSpec<T, R> {
  requested: string;
  needs: ModelCapabilityName[];
  estimatedTokens: number;
  stream: boolean;
  /**
   * An answer that needs no target (the cache), with what the ledger says of it; checked once routed, before the
   * budget. Undefined when there is nothing to look up, so a call without a cache waits for nothing.
   */
  early?(decision: RouteDecision): Promise<{ answer: R; note: string } | undefined> | undefined;
  /** Sends the call to one target; the skeleton picks which, retries and falls back. */
  send(candidate: Candidate, provider: ModelProvider): Promise<T>;
  /** Turns the target's answer into the caller's, calling `finish` (now, or when a stream ends). */
  answer(answered: Answered<T>): Promise<R>;
}

export const createRoutedCalls = ({ resolver, budgets, clients, health, ledger, store }: RoutedCallsOptions): RoutedCalls => {
  /** Tries the candidates in order (retries, breakers, fallback: see callWithFallback). */
  const withFallback = async <T>(candidates: Candidate[], signal: AbortSignal | undefined, send: (candidate: Candidate, provider: ModelProvider) => Promise<T>) => {
    const byLabel = new Map(candidates.map((candidate) => [candidate.label, candidate]));
    const outcome = await callWithFallback(candidates.map((candidate) => candidate.label), health, async (label) => {
      const candidate = byLabel.get(label)!;
      return send(candidate, await clients.ofModel(candidate.model));
    }, { signal });
    return { result: outcome.result, target: byLabel.get(outcome.target)!, skipped: outcome.skipped };
  };

  /** The one skeleton of every call: resolve the route, reserve the budget, try the targets, record the usage. */
  const run = async <T, R>(workspaceId: string, caller: CallerContext, spec: CallSpec<T, R>): Promise<R> => {
    const startedAt = performance.now();
    const { requested, stream } = spec;
    let facts: RouteFacts | null = null;
    let decision: RouteDecision | null = null;
    try {
      facts = await resolver.factsOf(workspaceId, requested, caller, spec.needs, spec.estimatedTokens);
      const routed = await resolver.route(workspaceId, facts);
      decision = routed.decision;
      const lookup = spec.early?.(decision);
      const early = lookup && (await lookup);
      if (early) {
        ledger.record(workspaceId, { facts, caller, requested, decision: { ...decision, reason: `${decision.reason}; ${early.note}` }, target: null, stream, startedAt });
        return early.answer;
      }
      const scopes = await resolver.scopesOf(workspaceId, caller);
      await budgets.reserve(scopes, facts.estimatedTokens);
      const outcome = await withFallback(routed.candidates, caller.signal, spec.send);
      const routedFacts = facts;
      const routedDecision = decision;
      const finish = async (usage: Usage | undefined, ending: { firstTokenMs?: number; error?: unknown } = {}) => {
        await budgets.settle(scopes, routedFacts.estimatedTokens, totalTokens(usage), costOf(outcome.target.model, usage));
        // A literal without spread: `{ ...object, more }` takes V8's slow path, measurable at gateway rates.
        ledger.record(workspaceId, { facts: routedFacts, caller, requested, decision: routedDecision, target: outcome.target.model, skipped: outcome.skipped, stream, usage, firstTokenMs: ending.firstTokenMs, startedAt, error: ending.error });
      };
      return await spec.answer({ result: outcome.result, target: outcome.target, decision, startedAt, finish });
    } catch (error) {
      ledger.record(workspaceId, { facts, caller, requested, decision, target: null, stream, startedAt, error });
      throw error;
    }
  };

  return {
    chat(workspaceId, request, caller) {
      let cacheKey: string | null = null;
      return run<ChatCompletion, RoutedChatCompletion>(workspaceId, caller, {
        requested: request.model,
        needs: needsOf(request),
        estimatedTokens: estimateTokens(request),
        stream: false,
        early(decision) {
          const key = cacheKeyOf(workspaceId, decision, request);
          cacheKey = key;
          if (!key) return undefined;
          return store.get(key).then((cached) => {
            if (!cached) return undefined;
            const hit = JSON.parse(cached) as { completion: ChatCompletion; target: string };
            return { answer: { ...hit.completion, model: hit.target, stead: { target: hit.target, decision, cache: 'hit' as const } }, note: `answered from the cache (${hit.target})` };
          });
        },
        send: (candidate, provider) => provider.chat({ ...request, model: candidate.model.name }, { signal: caller.signal }),
        async answer({ result, target, decision, finish }) {
          if (cacheKey && decision.cacheTtlSeconds) await store.set(cacheKey, JSON.stringify({ completion: result, target: target.label }), { ttlMs: decision.cacheTtlSeconds * 1000 });
          await finish(result.usage);
          // `model` names the target as /v1/models lists it, so a client can send it back (the upstream says only its own name).
          return { ...result, model: target.label, stead: { target: target.label, decision, cache: cacheKey ? ('miss' as const) : null } };
        },
      });
    },

    streamChat(workspaceId, request, caller) {
      const streamRequest = { ...request, stream_options: { include_usage: true } };
      return run(workspaceId, caller, {
        requested: request.model,
        needs: needsOf(request),
        estimatedTokens: estimateTokens(request),
        stream: true,
        async send(candidate, provider) {
          const iterator = provider.streamChat({ ...streamRequest, model: candidate.model.name }, { signal: caller.signal })[Symbol.asyncIterator]();
          const first = await iterator.next();
          return { iterator, first };
        },
        async answer({ result, target, decision, startedAt, finish }) {
          const firstTokenMs = Math.round(performance.now() - startedAt);
          const chunks = async function* () {
            let usage: Usage | undefined;
            let failure: unknown;
            try {
              let next = result.first;
              while (!next.done) {
                if (next.value.usage) usage = next.value.usage;
                yield next.value;
                next = await result.iterator.next();
              }
            } catch (error) {
              failure = error;
              // The breaker hears of failures after the first token too: they say as much about the upstream.
              health.failed(target.label);
              throw error;
            } finally {
              await finish(usage, { firstTokenMs, error: failure });
            }
          };
          return { decision, target: target.label, chunks: chunks() };
        },
      });
    },

    embed(workspaceId, request, caller) {
      return run(workspaceId, caller, {
        requested: request.model,
        needs: ['embeddings'],
        estimatedTokens: 0,
        stream: false,
        send: (candidate, provider) => provider.embed({ ...request, model: candidate.model.name }, { signal: caller.signal }),
        async answer({ result, target, finish }) {
          await finish(result.usage as Usage | undefined);
          return { ...result, model: target.label, stead: { target: target.label } };
        },
      });
    },
  };
};
