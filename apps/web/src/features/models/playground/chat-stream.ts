/**
 * A streamed chat through the gateway's OpenAI-compatible endpoint, as the playground runs it: POST with the
 * session cookie, read `data:` events as they arrive, report each token, the target that served
 * (`x-stead-target`) and the time to the first token. A refusal before the stream (a JSON error answer) and an
 * `error` event inside it (the upstream failed after tokens were sent) both end as a `ChatStreamError`.
 */
import { chatCompletionsUrl, type DataClass, type LatencyTier } from '@/lib/api.ts';
import { readSseEvents } from '@/lib/sse.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatUsage {
  promptTokens: number | null;
  completionTokens: number | null;
}

/** What one `data:` line of the stream means. */
export type ChatStreamEvent =
  | { type: 'delta'; text: string; finishReason: string | null; usage: ChatUsage | null }
  | { type: 'error'; code: string; message: string }
  | { type: 'done' };

/** The gateway's refusal or failure, with Stead's stable code (e.g. `route_no_private_target`). */
export class ChatStreamError extends Error {
  readonly code: string;
  readonly status: number;
  /** True when the failure came after tokens had been shown (the answer so far stays on screen). */
  readonly midStream: boolean;

  constructor(code: string, message: string, options: { status?: number; midStream?: boolean } = {}) {
    super(message);
    this.name = 'ChatStreamError';
    this.code = code;
    this.status = options.status ?? 0;
    this.midStream = options.midStream ?? false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `{ error: { code?, message, type? } }` body of an error answer or event, or null. */
export function errorOf(value: unknown): { code: string; message: string } | null {
  if (!isRecord(value) || !isRecord(value.error)) return null;
  const { code, message, type } = value.error;
  return {
    code: typeof code === 'string' ? code : typeof type === 'string' ? type : 'provider_error',
    message: typeof message === 'string' && message ? message : 'The gateway reported an error.',
  };
}

const countOf = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Reads one `data:` payload: a chunk's text, an error object, or the closing `[DONE]`. */
export function parseChatEvent(data: string): ChatStreamEvent | null {
  const trimmed = data.trim();
  if (trimmed === '[DONE]') return { type: 'done' };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return null;
  }
  const error = errorOf(value);
  if (error) return { type: 'error', ...error };
  if (!isRecord(value)) return null;
  const choice = Array.isArray(value.choices) && isRecord(value.choices[0]) ? value.choices[0] : null;
  const delta = choice && isRecord(choice.delta) ? choice.delta : null;
  const usage = isRecord(value.usage) ? { promptTokens: countOf(value.usage.prompt_tokens), completionTokens: countOf(value.usage.completion_tokens) } : null;
  return {
    type: 'delta',
    text: delta && typeof delta.content === 'string' ? delta.content : '',
    finishReason: choice && typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
    usage,
  };
}

export interface StreamChatOptions {
  workspaceId: string;
  model: string;
  messages: ChatMessage[];
  /** Sent as `x-stead-data-class`; absent: the workspace's default. */
  dataClass?: DataClass;
  /** Sent as `x-stead-latency`. */
  latencyTier?: LatencyTier;
  /** Sampling temperature (0–2); absent: the model's default. */
  temperature?: number;
  /** Sent as `max_tokens`; absent: the model's default. */
  maxTokens?: number;
  signal?: AbortSignal;
  /** Called once the gateway has picked the target, before the first token. */
  onTarget?: (target: string | null) => void;
  /** Called for every piece of text, with the time since the request started of the first one. */
  onText?: (text: string) => void;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Default: `performance.now()`. */
  now?: () => number;
}

export interface StreamChatResult {
  text: string;
  target: string | null;
  /** Milliseconds from sending to the first piece of text; null when none came. */
  firstTokenMs: number | null;
  totalMs: number;
  finishReason: string | null;
  usage: ChatUsage | null;
}

/** Streams one chat completion; throws a ChatStreamError for any refusal or failure (aborting throws the AbortError). */
export async function streamChat(options: StreamChatOptions): Promise<StreamChatResult> {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const now = options.now ?? (() => performance.now());
  const started = now();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (options.dataClass) headers['x-stead-data-class'] = options.dataClass;
  if (options.latencyTier) headers['x-stead-latency'] = options.latencyTier;

  let response: Response;
  try {
    response = await doFetch(chatCompletionsUrl(options.workspaceId), {
      method: 'POST',
      credentials: 'same-origin',
      headers,
      body: JSON.stringify({
        model: options.model,
        messages: options.messages,
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
        stream: true,
        stream_options: { include_usage: true },
      }),
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ChatStreamError('network_error', 'The server cannot be reached. Check that Stead is running.');
  }

  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    const error = errorOf(body);
    throw new ChatStreamError(error?.code ?? 'http_error', error?.message ?? `The gateway answered with status ${response.status}.`, { status: response.status });
  }
  const target = response.headers.get('x-stead-target');
  options.onTarget?.(target);
  if (!response.body) throw new ChatStreamError('provider_error', 'The gateway sent no stream.', { status: response.status });

  const result: StreamChatResult = { text: '', target, firstTokenMs: null, totalMs: 0, finishReason: null, usage: null };
  let finished = false;
  try {
    for await (const event of readSseEvents(response.body)) {
      const parsed = parseChatEvent(event.data);
      if (!parsed) continue;
      if (parsed.type === 'done') {
        finished = true;
        break;
      }
      if (parsed.type === 'error') throw new ChatStreamError(parsed.code, parsed.message, { status: response.status, midStream: result.text !== '' });
      if (parsed.usage) result.usage = parsed.usage;
      if (parsed.finishReason) result.finishReason = parsed.finishReason;
      if (parsed.text) {
        if (result.firstTokenMs === null) result.firstTokenMs = Math.round(now() - started);
        result.text += parsed.text;
        options.onText?.(parsed.text);
      }
    }
  } catch (error) {
    if (error instanceof ChatStreamError || options.signal?.aborted) throw error;
    throw new ChatStreamError('network_error', 'The connection was lost before the answer was complete.', { status: response.status, midStream: result.text !== '' });
  }
  if (!finished) throw new ChatStreamError('stream_incomplete', 'The stream ended before the answer was complete.', { status: response.status, midStream: result.text !== '' });
  result.totalMs = Math.round(now() - started);
  return result;
}
