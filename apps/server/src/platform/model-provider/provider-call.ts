import { randomUUID } from 'node:crypto';
import { systemClock } from '../clock/clock.ts';
import type { Clock, Ids } from '../clock/clock.ts';
import { isSteadError } from '../errors/stead-error.ts';
import { forgetChunkJson, type ChatCompletionChunk } from './chat-completion.types.ts';
import type { CallOptions, HttpProviderOptions, ProviderFetch, ProviderResponse, ProviderTimeouts } from './model-provider.port.ts';
import { defaultProviderTimeouts } from './model-provider.port.ts';
import { errorFromResponse, isProviderError, ProviderError, redactProviderError } from './provider-error.ts';
import type { ProviderErrorPhase } from './provider-error.ts';
import { createRedactor, secretsOfHeaders, type Redact } from './secret-redaction.ts';
import { parseServerSentEventBatches, readLineBatches, readLines, type ServerSentEvent } from './stream-lines.ts';

/** What every HTTP adapter resolves from its options once, at construction. */
export interface ProviderContext {
  name: string;
  baseUrl: string;
  fetch: ProviderFetch;
  headers: Record<string, string>;
  timeouts: ProviderTimeouts;
  clock: Clock;
  ids: Ids;
  /** Removes this provider's API key and credential headers from text an upstream sent back (error path only). */
  redact: Redact;
}

const randomIds: Ids = { next: () => randomUUID().replaceAll('-', '') };

export const resolveContext = (options: HttpProviderOptions, defaults: { name: string; baseUrl: string }, authHeaders: Record<string, string>): ProviderContext => ({
  redact: createRedactor([...(options.apiKey ? [options.apiKey] : []), ...secretsOfHeaders(authHeaders, options.headers)]),
  name: options.name ?? defaults.name,
  baseUrl: (options.baseUrl ?? defaults.baseUrl).replace(/\/+$/, ''),
  // Bound late so a test (or the egress client) replacing globalThis.fetch after construction is honoured.
  fetch: options.fetch ?? ((url, init) => globalThis.fetch(url, init as RequestInit)),
  // Lower-cased so an `Authorization` in `options.headers` replaces the adapter's instead of joining it.
  headers: Object.fromEntries(Object.entries({ ...authHeaders, ...options.headers }).map(([key, value]) => [key.toLowerCase(), value])),
  timeouts: { ...defaultProviderTimeouts, ...options.timeouts },
  clock: options.clock ?? systemClock,
  ids: options.ids ?? randomIds,
});

/** Which deadlines a call arms while it waits for response headers; see `ProviderTimeouts`. */
export type CallKind = 'stream' | 'whole' | 'listing';

/**
 * One upstream call: its deadlines, its abort signal (the caller's joined with the deadlines) and its phase.
 * Every adapter method opens one, sends through it, maps failures with `toError`, and closes it in `finally`.
 */
export interface ProviderCall {
  readonly signal: AbortSignal;
  readonly phase: ProviderErrorPhase;
  /** Sends a JSON (or raw) body and resolves to a 2xx response; anything else rejects with a `ProviderError`. */
  send(path: string, init: { method?: 'GET' | 'POST'; body?: unknown; headers?: Record<string, string> }): Promise<ProviderResponse>;
  /** The response body as lines, cancelled on abort; a read failure becomes a `ProviderError`. */
  lines(response: ProviderResponse): AsyncGenerator<string>;
  /** The response body as server-sent events; like `lines`, without a generator step per line. */
  events(response: ProviderResponse): AsyncIterable<ServerSentEvent>;
  /**
   * Whether a chunk goes to the consumer: token-less leading chunks are held back, and the first token clears the
   * first-token deadline and carries the assistant role; see the port's stream guarantee.
   */
  admit(chunk: ChatCompletionChunk): boolean;
  /** A stream ended before the upstream said it finished. */
  truncated(): ProviderError;
  toError(error: unknown): unknown;
  /** Clears the deadlines but keeps the caller's abort linked to `signal` (for a body the caller reads). */
  settle(): void;
  /** Clears the deadlines and unlinks the caller's signal. */
  close(): void;
}

const carriesToken = (chunk: ChatCompletionChunk): boolean =>
  (chunk.choices.length === 0 && chunk.usage != null) ||
  chunk.choices.some((choice) => Boolean(choice.delta.content) || Boolean(choice.delta.refusal) || (choice.delta.tool_calls?.length ?? 0) > 0 || choice.finish_reason !== null);

/**
 * A class, not an object literal of closures: a literal with a getter closing over the call's state gets a hidden
 * class of its own per call, which kept the call's young objects alive through scavenges (at 500 req/s the memory
 * promoted per scavenge went 584 → 210 KB non-streaming when this became a class; see docs/gateway.md).
 */
class OpenProviderCall implements ProviderCall {
  readonly signal: AbortSignal;
  #phase: ProviderErrorPhase = 'connect';
  #timedOut: ProviderError | undefined;
  readonly #controller = new AbortController();
  readonly #timers: ReturnType<typeof setTimeout>[] = [];
  readonly #connectTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #firstTokenTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #onCallerAbort = (): void => this.#controller.abort(this.#callerSignal?.reason);

  readonly #context: ProviderContext;
  readonly #kind: CallKind;

  constructor(context: ProviderContext, kind: CallKind, options: CallOptions) {
    this.#context = context;
    this.#kind = kind;
    this.signal = this.#controller.signal;
    this.#callerSignal = options.signal;
    if (this.#callerSignal?.aborted) this.#controller.abort(this.#callerSignal.reason);
    else this.#callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true });
    this.#arm(context.timeouts.totalMs, 'finish');
    this.#connectTimer = kind === 'whole' ? undefined : this.#arm(context.timeouts.connectMs, 'send response headers');
    this.#firstTokenTimer = kind === 'stream' ? this.#arm(context.timeouts.firstTokenMs, 'send a first token') : undefined;
  }

  get phase(): ProviderErrorPhase {
    return this.#phase;
  }

  #arm(milliseconds: number, what: string): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.#timedOut = new ProviderError({ code: 'provider_timeout', provider: this.#context.name, phase: this.#phase, message: `${this.#context.name} did not ${what} within ${milliseconds} ms` });
      this.#controller.abort(this.#timedOut);
    }, milliseconds);
    this.#timers.push(timer);
    return timer;
  }

  /**
   * Every failure of a call leaves through here (`runCall`, `streamCall`, `forward`), so this is where the
   * secrets of the call are taken out of whatever the upstream wrote into the error.
   */
  toError(error: unknown): unknown {
    if (this.#timedOut) return this.#timedOut;
    if (this.#callerSignal?.aborted) return this.#callerSignal.reason;
    if (isProviderError(error)) return redactProviderError(error, this.#context.redact);
    // The egress client's refusal is a policy decision, not a provider failure: it keeps its own code.
    if (isSteadError(error) && error.code !== 'egress_failed') return error;
    const reason = error instanceof Error ? error.message : String(error);
    return redactProviderError(new ProviderError({ provider: this.#context.name, phase: this.#phase, message: `${this.#context.name} could not be reached or broke off: ${reason}`, cause: error }), this.#context.redact);
  }

  async send(path: string, init: { method?: 'GET' | 'POST'; body?: unknown; headers?: Record<string, string> }): Promise<ProviderResponse> {
    const context = this.#context;
    const body = init.body === undefined || typeof init.body === 'string' || init.body instanceof Uint8Array ? init.body : JSON.stringify(init.body);
    const headers: Record<string, string> = { ...context.headers, ...init.headers };
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    let response: ProviderResponse;
    try {
      response = await context.fetch(`${context.baseUrl}${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, signal: this.signal });
    } catch (error) {
      throw this.toError(error);
    }
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    if (!response.ok) throw await errorFromResponse(response, context.name, context.clock.now());
    if (this.#kind === 'stream') this.#phase = 'first-token';
    return response;
  }

  async *lines(response: ProviderResponse): AsyncGenerator<string> {
    if (!response.body) throw new ProviderError({ provider: this.#context.name, phase: this.#phase, message: `${this.#context.name} answered without a body` });
    try {
      yield* readLines(response.body, this.signal);
    } catch (error) {
      throw this.toError(error);
    }
  }

  events(response: ProviderResponse): AsyncIterable<ServerSentEvent> {
    if (!response.body) throw new ProviderError({ provider: this.#context.name, phase: this.#phase, message: `${this.#context.name} answered without a body` });
    return parseServerSentEventBatches(readLineBatches(response.body, this.signal), (error) => this.toError(error));
  }

  admit(chunk: ChatCompletionChunk): boolean {
    if (this.#phase === 'stream') return true;
    if (!carriesToken(chunk)) return false;
    if (this.#firstTokenTimer) clearTimeout(this.#firstTokenTimer);
    const first = chunk.choices[0];
    if (first && first.delta.role !== 'assistant') {
      first.delta = { role: 'assistant', ...first.delta };
      forgetChunkJson(chunk);
    }
    this.#phase = 'stream';
    return true;
  }

  truncated(): ProviderError {
    return new ProviderError({ provider: this.#context.name, phase: this.#phase, message: `${this.#context.name} ended the stream before it finished` });
  }

  settle(): void {
    for (const timer of this.#timers) clearTimeout(timer);
  }

  close(): void {
    this.settle();
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }
}

export const openCall = (context: ProviderContext, kind: CallKind, options: CallOptions = {}): ProviderCall => new OpenProviderCall(context, kind, options);

/** Runs a non-streaming call: opens it, hands it to `work`, maps failures, always closes it. */
export const runCall = async <T>(context: ProviderContext, kind: CallKind, options: CallOptions | undefined, work: (call: ProviderCall) => Promise<T>): Promise<T> => {
  const call = openCall(context, kind, options);
  try {
    return await work(call);
  } catch (error) {
    throw call.toError(error);
  } finally {
    call.close();
  }
};

/**
 * Runs a streaming call: lazily (nothing is sent before iteration starts), through `admit`, closing the call
 * when the consumer stops. `translate` turns the 2xx response into canonical chunks.
 */
export const streamCall = (
  context: ProviderContext,
  options: CallOptions | undefined,
  translate: (call: ProviderCall) => AsyncIterable<ChatCompletionChunk>,
): AsyncIterable<ChatCompletionChunk> => ({
  async *[Symbol.asyncIterator]() {
    const call = openCall(context, 'stream', options);
    try {
      // A loop rather than a generator per step: a streamed answer passes every chunk through here.
      for await (const chunk of translate(call)) if (call.admit(chunk)) yield chunk;
    } catch (error) {
      throw call.toError(error);
    } finally {
      call.close();
    }
  },
});

/** Reads a 2xx JSON body; a body that is not JSON is a provider fault (retryable), not a caller's. */
export const readJson = async (call: ProviderCall, response: ProviderResponse, context: ProviderContext): Promise<unknown> => {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProviderError({ provider: context.name, phase: call.phase, status: response.status, message: `${context.name} answered with a body that is not JSON`, rawBody: text, isRetryable: true, cause: error });
  }
};

/** Parses a JSON payload inside a stream, failing with a provider error that keeps the payload. */
export const parseStreamJson = (call: ProviderCall, context: ProviderContext, text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProviderError({ provider: context.name, phase: call.phase, message: `${context.name} sent a stream event that is not JSON`, rawBody: text, cause: error });
  }
};

/** Seconds since the epoch, as OpenAI's `created`. */
export const unixSeconds = (clock: Clock): number => Math.floor(clock.now().getTime() / 1000);
