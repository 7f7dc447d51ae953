import { readFileSync } from 'node:fs';
import type { ProviderFetch } from './model-provider.port.ts';

/**
 * Test support: replays `__fixtures__` through an injected `fetch`, records what adapters sent, and serves
 * stream bodies in irregular byte chunks (cutting lines and UTF-8 characters) so parsers must buffer.
 */

/** A whole upstream response, as stored in `__fixtures__` (see its README). */
export interface Recording {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const fixturesUrl = new URL('./__fixtures__/', import.meta.url);

export const loadFixture = (name: string): Recording => {
  const text = readFileSync(new URL(name, fixturesUrl), 'utf8');
  if (name.endsWith('.sse')) return { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' }, body: text };
  if (name.endsWith('.ndjson')) return { status: 200, headers: { 'content-type': 'application/x-ndjson' }, body: text };
  const stored = JSON.parse(text) as { status: number; headers: Record<string, string>; body: unknown };
  return { status: stored.status, headers: stored.headers, body: JSON.stringify(stored.body) };
};

/**
 * What the fake upstream does for one request. `respond` sends the recording; with `cut`, the body stops
 * after `cutAt` bytes (default: at a line end about 60 % in) and then `hold`s (never ends), `error`s (a
 * connection reset, as undici reports it) or `end`s cleanly (a server that stopped early).
 */
export type UpstreamScript =
  | { respond: Recording; cut?: 'hold' | 'error' | 'end'; cutAt?: number }
  | { hang: true }
  | { fail: Error };

export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** Parsed JSON when the body was JSON text, else the raw body. */
  body: unknown;
}

export interface ReplayedBody {
  /** The adapter cancelled the body (dropped the connection). */
  cancelled: boolean;
  /** At least one chunk boundary fell inside a multi-byte UTF-8 character. */
  splitInsideCharacter: boolean;
}

export interface ReplayFetch {
  fetch: ProviderFetch;
  requests: RecordedRequest[];
  bodies: ReplayedBody[];
}

/** Deterministic chunk boundaries between 1 and 29 bytes apart, plus one inside the first multi-byte character. */
const boundaries = (bytes: Uint8Array): number[] => {
  const cuts = new Set<number>();
  let seed = 7;
  for (let position = 0; position < bytes.length; ) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    position += 1 + (seed % 29);
    if (position < bytes.length) cuts.add(position);
  }
  const lead = bytes.findIndex((byte) => byte >= 0xc0);
  if (lead !== -1) cuts.add(lead + 1);
  return [...cuts].sort((left, right) => left - right);
};

const insideCharacter = (bytes: Uint8Array, cut: number): boolean => {
  const byte = bytes[cut];
  return byte !== undefined && (byte & 0xc0) === 0x80;
};

const defaultCut = (text: string): number => {
  const bytes = new TextEncoder().encode(text);
  const limit = Math.floor(bytes.length * 0.6);
  const newline = bytes.lastIndexOf(10, limit);
  return newline === -1 ? limit : newline + 1;
};

const chunkedBody = (script: Extract<UpstreamScript, { respond: Recording }>, record: ReplayedBody): ReadableStream<Uint8Array> => {
  const all = new TextEncoder().encode(script.respond.body);
  const end = script.cut ? (script.cutAt ?? defaultCut(script.respond.body)) : all.length;
  const bytes = all.subarray(0, end);
  const cuts = boundaries(bytes);
  record.splitInsideCharacter = cuts.some((cut) => insideCharacter(bytes, cut));
  const pieces = [0, ...cuts, bytes.length].slice(1).map((stop, index, stops) => bytes.subarray(index === 0 ? 0 : stops[index - 1], stop));
  let next = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // One piece per pull, after a macrotask, so the consumer sees them as separate network reads.
      await new Promise((resolve) => setImmediate(resolve));
      const piece = pieces[next];
      next += 1;
      if (piece) {
        controller.enqueue(piece);
        return;
      }
      if (script.cut === 'hold') return new Promise<void>(() => undefined);
      if (script.cut === 'error') controller.error(new TypeError('terminated', { cause: new Error('read ECONNRESET') }));
      else controller.close();
    },
    cancel() {
      record.cancelled = true;
    },
  });
};

const headersOf = (init: RequestInit): Record<string, string> => Object.fromEntries(new Headers(init.headers).entries());

const bodyOf = (init: RequestInit): unknown => {
  if (typeof init.body !== 'string') return init.body ?? undefined;
  try {
    return JSON.parse(init.body);
  } catch {
    return init.body;
  }
};

/**
 * A `fetch` that answers requests with the scripts in order (the last one repeats). Like undici, it rejects
 * with the signal's reason when the signal aborts before the headers; unlike undici, the bodies it returns
 * ignore the signal, so a test passes only if the adapter cancels the body itself.
 */
export const replayFetch = (...scripts: UpstreamScript[]): ReplayFetch => {
  const requests: RecordedRequest[] = [];
  const bodies: ReplayedBody[] = [];
  const fetch: ProviderFetch = (url, init) => {
    requests.push({ url, method: init.method ?? 'GET', headers: headersOf(init), body: bodyOf(init) });
    const script = scripts[Math.min(requests.length - 1, scripts.length - 1)];
    if (!script) throw new Error('replayFetch needs at least one script');
    const signal = init.signal ?? undefined;
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      if ('fail' in script) return reject(script.fail);
      if ('hang' in script) return;
      const record: ReplayedBody = { cancelled: false, splitInsideCharacter: false };
      bodies.push(record);
      setImmediate(() => resolve(new Response(chunkedBody(script, record), { status: script.respond.status, headers: script.respond.headers })));
    });
  };
  return { fetch, requests, bodies };
};

/** Everything an async iterable yields, or the error it threw alongside what it yielded before. */
export const drain = async <T>(iterable: AsyncIterable<T>): Promise<{ items: T[]; error?: unknown }> => {
  const items: T[] = [];
  try {
    for await (const item of iterable) items.push(item);
    return { items };
  } catch (error) {
    return { items, error };
  }
};
