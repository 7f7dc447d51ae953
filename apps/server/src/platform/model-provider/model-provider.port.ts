import type { Clock, Ids } from '../clock/clock.ts';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingRequest,
  EmbeddingResponse,
} from './chat-completion.types.ts';

export type * from './chat-completion.types.ts';
export { chunkJsonOf } from './chat-completion.types.ts';
export { ProviderError, type ProviderErrorPhase } from './provider-error.ts';

/** What a model can do, as far as the upstream tells; the gateway's model table may add or override. */
export type ModelCapability = 'chat' | 'tools' | 'json' | 'vision' | 'embeddings' | 'code';

/** One entry of a provider's model list. A field neither the upstream reports nor holds for every model of the vendor is absent. */
export interface ModelInfo {
  /** The name to send as `model`. */
  id: string;
  ownedBy?: string;
  /** Context window in tokens. */
  contextLength?: number;
  capabilities?: ModelCapability[];
  /** Local model facts (Ollama's tag list): family, parameter size, quantization, size on disk. */
  details?: { family?: string; parameterSize?: string; quantization?: string; format?: string; sizeBytes?: number; modifiedAt?: string };
}

/**
 * What an adapter supports beyond the common core; the gateway routes on these rather than on the adapter
 * type. Values per adapter (openai-compatible / ollama / anthropic / huggingface / gguf):
 */
export interface ModelProviderCapabilities {
  /** `tools` and `tool_choice` are honoured. true / true / true / true / false. */
  tools: boolean;
  /** `response_format` `json_object` and `json_schema` are honoured (natively or emulated). true / true / true / true / false. */
  jsonOutput: boolean;
  /** `image_url` content parts are accepted. true / true (data: URLs only) / true / true / false. */
  vision: boolean;
  /** `embed` works. true / true / false / true / false. */
  embeddings: boolean;
  /** `listModels` asks the upstream (otherwise it returns the configured models). true / true / true / true / false. */
  modelDiscovery: boolean;
  /** `forward` exists: the upstream speaks the OpenAI wire format. true / false / false / true / false. */
  passthrough: boolean;
}

/**
 * Deadlines of one upstream call. A deadline that passes aborts the call with a `provider_timeout`
 * `ProviderError` whose `phase` says how far it got.
 */
export interface ProviderTimeouts {
  /**
   * Until the response headers arrive, for streaming chat and model listing. Non-streaming chat and
   * embeddings are bounded by `totalMs` alone, because their headers come only with the whole answer.
   * Ollama sends headers after loading the model, so a cold local model needs a generous value. Default 30,000.
   */
  connectMs: number;
  /** From sending until a streaming chat yields its first token. Default 120,000. */
  firstTokenMs: number;
  /** The whole call, body included. Default 600,000. */
  totalMs: number;
}

export const defaultProviderTimeouts: ProviderTimeouts = { connectMs: 30_000, firstTokenMs: 120_000, totalMs: 600_000 };

/** What an adapter sends: a JSON (or raw) body, plain headers, the call's signal. */
export interface ProviderRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | undefined;
  signal: AbortSignal;
}

/** The parts of an answer an adapter reads; a standard `Response` has them, and so does the egress client's lean `request`. */
export interface ProviderResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText?: string;
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null;
  text(): Promise<string>;
}

/**
 * The HTTP call an adapter makes: `globalThis.fetch`, the egress client's `fetch`, or (the gateway) its
 * `request`, which answers the same for a quarter of the CPU.
 */
export type ProviderFetch = (url: string, init: ProviderRequestInit) => Promise<ProviderResponse>;

/** Options shared by every HTTP adapter factory. */
export interface HttpProviderOptions {
  /** The upstream root; each adapter documents its own default and whether it includes `/v1`. */
  baseUrl?: string;
  /** Sent as the vendor's credential header. Default: none (local servers). */
  apiKey?: string;
  /** Default `globalThis.fetch`; the gateway passes the egress client's. */
  fetch?: ProviderFetch;
  /** Extra headers on every request (OpenRouter's `HTTP-Referer`, an organisation id). Default none. */
  headers?: Record<string, string>;
  /** Default `defaultProviderTimeouts`. */
  timeouts?: Partial<ProviderTimeouts>;
  /** Names the provider in error messages. Default: the adapter type. */
  name?: string;
  /** Time source for `created` fields and `Retry-After` dates. Default the system clock. */
  clock?: Clock;
  /** Source of the completion and tool call ids translating adapters make up. Default random UUIDs. */
  ids?: Ids;
}

export interface CallOptions {
  /** Aborting stops the call; a stream then rejects with the signal's reason and cancels the upstream body. */
  signal?: AbortSignal;
}

export interface ForwardOptions extends CallOptions {
  /** Whether the body asks for a stream; selects the timeout applied while waiting for headers. */
  stream: boolean;
  /** Default `chat/completions`. */
  endpoint?: 'chat/completions' | 'embeddings';
}

/**
 * The model provider port: one upstream (a vendor account, a local server, an in-process model) seen through
 * the OpenAI Chat Completions format. Adapters are built by `createModelProvider` or their own factories.
 *
 * Guaranteed (checked by `model-provider.contract.ts`, which defines the port):
 * - `chat` answers one choice; `streamChat` yields chunks whose assembled text and tool calls equal what
 *   `chat` answers for the same upstream answer, tool call arguments arriving as JSON text fragments;
 * - a stream's first chunk carries the first token (content, a tool call or a finish reason) and the role:
 *   token-less leading chunks are held back, so until the first chunk is yielded nothing reached the caller
 *   and falling back to another target is safe; with `stream_options.include_usage` the last chunk holds
 *   `usage` and no choices;
 * - every failure is a `ProviderError` (`provider_error`, `provider_timeout`, `validation_failed` for a
 *   request the adapter cannot translate, `provider_unavailable` for a provider that cannot run here) with
 *   `status`, `isRetryable`, `retryAfterMs`, `rawBody` and `phase`; a stream that ends before the upstream
 *   said it finished fails with phase `stream` instead of ending quietly;
 * - aborting through `signal` rejects with the signal's reason (not a `ProviderError`) and cancels the
 *   upstream body; the egress client's `egress_blocked` error passes through unchanged.
 *
 * Deliberately not in the contract:
 * - retries, fallback, circuit breaking and budgets: the gateway decides from `isRetryable`, `retryAfterMs`
 *   and `phase`; an adapter makes exactly one upstream request per call (Anthropic's model list may page);
 * - `n` > 1, `logprobs`, `logit_bias`, audio, the legacy `functions` field and the Responses API: the
 *   OpenAI-compatible adapter forwards whatever the request holds, translating adapters drop unknown fields;
 * - base64 embeddings (adapters return floats) and token-array embedding inputs;
 * - identical ids and `created` across adapters: translating adapters make them up where the vendor has none;
 * - validating messages, tool schemas or model names: the gateway validates before calling;
 * - token counting: `usage` is what the upstream reports (absent when it reports nothing).
 */
export interface ModelProvider {
  /** The adapter type, as given to `createModelProvider`. */
  readonly type: string;
  readonly capabilities: ModelProviderCapabilities;
  chat(request: ChatCompletionRequest, options?: CallOptions): Promise<ChatCompletion>;
  /** Lazy: the upstream request is sent when iteration starts. Breaking out of the loop cancels the upstream body. */
  streamChat(request: ChatCompletionRequest, options?: CallOptions): AsyncIterable<ChatCompletionChunk>;
  /** Rejects with a `validation_failed` `ProviderError` when `capabilities.embeddings` is false. */
  embed(request: EmbeddingRequest, options?: CallOptions): Promise<EmbeddingResponse>;
  listModels(options?: CallOptions): Promise<ModelInfo[]>;
  /**
   * Sends a client's body to an OpenAI-compatible upstream untouched (a string or bytes as they are, anything
   * else as JSON) and resolves to the upstream response once its headers arrived, so the gateway can pipe the
   * bytes. A non-2xx status rejects with a `ProviderError` instead. Only the connect deadline (streaming) or
   * the total deadline (non-streaming) applies while waiting for headers; reading the body, and its first-token
   * and total deadlines, are the caller's. Present when `capabilities.passthrough`.
   */
  forward?(body: unknown, options: ForwardOptions): Promise<ProviderResponse>;
}
