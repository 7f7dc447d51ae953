import { STATUS_CODES } from 'node:http';
import { SteadError } from '../errors/stead-error.ts';
import type { ProviderResponse } from './model-provider.port.ts';
import type { Redact } from './secret-redaction.ts';

/**
 * How far a call got before it failed: `connect` (no response headers yet, or an error status),
 * `first-token` (headers arrived, nothing yielded yet), `stream` (chunks already reached the caller, so the
 * gateway may no longer fall back to another target).
 */
export type ProviderErrorPhase = 'connect' | 'first-token' | 'stream';

type ProviderErrorCode = 'provider_error' | 'provider_timeout' | 'provider_unavailable' | 'validation_failed';

export interface ProviderErrorInit {
  /** Default `provider_error`. */
  code?: ProviderErrorCode;
  /** The provider's name, as shown in messages. */
  provider: string;
  message: string;
  /** Upstream HTTP status; absent for network failures, timeouts and local refusals. */
  status?: number;
  phase: ProviderErrorPhase;
  /** Default: from `status` (see `isRetryableStatus`); without a status, true unless the code is a local refusal. */
  isRetryable?: boolean;
  retryAfterMs?: number;
  rawBody?: string;
  /** The vendor's error type or code (`rate_limit_error`, `invalid_api_key`). */
  upstreamType?: string;
  cause?: unknown;
}

/** Bodies are kept for the logs and the usage ledger; a whole HTML error page is not worth keeping. */
export const rawBodyLimit = 4_096;

/**
 * Retryable: 408 and 429, 409 (OpenAI answers it for lock conflicts; its official clients retry it), 425,
 * and every 5xx including Anthropic's 529 overloaded. Never 400, 401, 403, 404 or 422.
 */
export const isRetryableStatus = (status: number): boolean =>
  status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;

/** A failure at a model provider, translated at the adapter boundary; see `ModelProvider` for the contract. */
export class ProviderError extends SteadError {
  readonly provider: string;
  readonly status: number | undefined;
  readonly isRetryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly rawBody: string | undefined;
  readonly phase: ProviderErrorPhase;
  readonly upstreamType: string | undefined;

  constructor(init: ProviderErrorInit) {
    const code = init.code ?? 'provider_error';
    super(code, init.message, {
      cause: init.cause,
      details: { provider: init.provider, status: init.status, phase: init.phase, upstreamType: init.upstreamType, retryAfterMs: init.retryAfterMs },
    });
    this.name = 'ProviderError';
    this.provider = init.provider;
    this.status = init.status;
    this.phase = init.phase;
    this.retryAfterMs = init.retryAfterMs;
    this.rawBody = init.rawBody === undefined ? undefined : init.rawBody.slice(0, rawBodyLimit);
    this.upstreamType = init.upstreamType;
    const localRefusal = code === 'validation_failed' || code === 'provider_unavailable';
    this.isRetryable = init.isRetryable ?? (init.status === undefined ? !localRefusal : isRetryableStatus(init.status));
  }
}

export const isProviderError = (error: unknown): error is ProviderError => error instanceof ProviderError;

/**
 * The same error with every text that came from the upstream (message, raw body, vendor type, the cause's
 * message) passed through `redact`; see `secret-redaction.ts`.
 */
export const redactProviderError = (error: ProviderError, redact: Redact): ProviderError => {
  const message = redact(error.message);
  const rawBody = error.rawBody === undefined ? undefined : redact(error.rawBody);
  const upstreamType = error.upstreamType === undefined ? undefined : redact(error.upstreamType);
  const causeMessage = error.cause instanceof Error ? redact(error.cause.message) : undefined;
  const causeChanged = error.cause instanceof Error && causeMessage !== error.cause.message;
  if (message === error.message && rawBody === error.rawBody && upstreamType === error.upstreamType && !causeChanged) return error;
  return new ProviderError({
    code: error.code as ProviderErrorCode,
    provider: error.provider,
    message,
    status: error.status,
    phase: error.phase,
    isRetryable: error.isRetryable,
    retryAfterMs: error.retryAfterMs,
    rawBody,
    upstreamType,
    cause: causeChanged ? new Error(causeMessage) : error.cause,
  });
};

/** How long an upstream's own words may be in a message. */
export const summaryLimit = 200;

/**
 * A short, printable version of text an upstream wrote (its error message or type): control and format characters
 * (line breaks, escapes, bidirectional overrides) become spaces, runs of spaces one, and it is cut at `limit`.
 */
export const summarise = (text: string, limit = summaryLimit): string => {
  const flat = text.replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
};

/**
 * Milliseconds to wait from `retry-after-ms` (OpenAI, fractional milliseconds) or `Retry-After` (seconds or
 * an HTTP date, RFC 9110). Undefined when neither is present or readable.
 */
export const parseRetryAfter = (headers: Pick<Headers, 'get'>, now: Date): number | undefined => {
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null && milliseconds.trim() !== '' && Number.isFinite(Number(milliseconds))) {
    return Math.max(0, Math.round(Number(milliseconds)));
  }
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
};

interface ErrorBodyFacts {
  message?: string;
  type?: string;
  /** Hugging Face's "model is loading" answer says how long loading should take, in seconds. */
  estimatedSeconds?: number;
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const asText = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Reads the error body shapes of every supported vendor: OpenAI and its clones `{error:{message,type,code}}`,
 * Anthropic `{type:"error",error:{type,message}}`, Ollama and Hugging Face `{error:"…"}` (plus
 * `estimated_time`), vLLM `{object:"error",message,type}` and FastAPI `{detail:"…"}`.
 */
export const readErrorBody = (body: unknown): ErrorBodyFacts => {
  const record = asRecord(body);
  if (!record) return {};
  const nested = asRecord(record.error);
  const code = nested?.code ?? record.code;
  const estimated = record.estimated_time;
  return {
    message: asText(nested?.message) ?? asText(record.error) ?? asText(record.message) ?? asText(record.detail),
    type: asText(nested?.type) ?? (typeof code === 'string' ? code : undefined) ?? (record.object === 'error' ? asText(record.type) : undefined),
    estimatedSeconds: typeof estimated === 'number' && Number.isFinite(estimated) ? estimated : undefined,
  };
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** Turns a non-2xx upstream response into a `ProviderError`, reading (and so releasing) its body. */
export const errorFromResponse = async (response: ProviderResponse, provider: string, now: Date): Promise<ProviderError> => {
  let rawBody = '';
  try {
    rawBody = await response.text();
  } catch {
    // A body that breaks off still leaves the status, which is what retry decisions need.
  }
  const facts = readErrorBody(parseJson(rawBody));
  const retryAfterMs = parseRetryAfter(response.headers, now) ?? (facts.estimatedSeconds === undefined ? undefined : Math.round(facts.estimatedSeconds * 1000));
  // Only the message field of a recognised error body, shortened and made printable: never the body itself (an
  // address that is not a model server must not have its answers shown to whoever added it), and never the
  // upstream's reason phrase, which it may fill with anything.
  const reason = facts.message === undefined ? undefined : summarise(facts.message);
  return new ProviderError({
    provider,
    status: response.status,
    phase: 'connect',
    message: `${provider} answered ${response.status}${reason ? `: ${reason}` : ` (${STATUS_CODES[response.status] ?? 'no error message'})`}`,
    retryAfterMs,
    rawBody,
    upstreamType: facts.type === undefined ? undefined : summarise(facts.type, 100),
  });
};

/**
 * An error reported inside a stream that otherwise succeeded (an Anthropic `error` event, an Ollama `{error}`
 * line, an OpenRouter `{error}` chunk). `status` is the vendor's numeric code when it gives one.
 */
export const errorFromStreamPayload = (payload: unknown, provider: string, phase: ProviderErrorPhase, status?: number): ProviderError => {
  const facts = readErrorBody(payload);
  return new ProviderError({
    provider,
    status,
    phase,
    message: `${provider} reported an error: ${facts.message === undefined ? 'no error message' : summarise(facts.message)}`,
    rawBody: JSON.stringify(payload),
    upstreamType: facts.type === undefined ? undefined : summarise(facts.type, 100),
    // Without a status, a mid-stream failure is the upstream's fault (overload, crash), so trying again is sensible.
    isRetryable: status === undefined ? true : isRetryableStatus(status),
  });
};

/** A request the adapter cannot express in its vendor's protocol; never retried on the same provider. */
export const unsupported = (provider: string, message: string): ProviderError =>
  new ProviderError({ code: 'validation_failed', provider, phase: 'connect', message: `${provider}: ${message}` });
