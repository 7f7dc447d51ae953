import { EventEmitter } from 'node:events';
import type { Agent, Dispatcher } from 'undici';
import { isSteadError, SteadError } from '../errors/stead-error.ts';
import { becomesGet, bodyHeaders, credentialHeaders, describeError, nextHop, redirectStatuses, timeoutError } from './egress-redirects.ts';
import type { EgressClient, EgressResponse } from './egress.port.ts';

interface LeanRequestDependencies {
  /** The egress agent in use, whose connector checks every address connected to (replaced when a rule is removed). */
  agent: () => Agent;
  refuseUrl(url: URL): SteadError | undefined;
  defaultTimeoutMs: number;
  defaultMaxRedirects: number;
  userAgent: string | undefined;
}

/**
 * What undici watches instead of an AbortSignal: it accepts any EventEmitter with `aborted`/`reason`, which costs
 * nothing to create, where every AbortSignal (and `AbortSignal.any` over two) is a measurable share of a gateway
 * call. It fires for the caller's abort (with the caller's reason) or for the deadline (with `egress_failed`).
 */
class CallAbort extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

const headerGetter = (headers: Record<string, string | string[] | undefined>) => ({
  get(name: string): string | null {
    const value = headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  },
});

/**
 * `EgressClient.request`: undici's `Dispatcher.request` through the checking agent, with redirects followed by hand
 * (each hop checked again, the same rules as `fetch`), one deadline over all hops and the body, and the same
 * errors: `egress_blocked`, `egress_failed` (network failure, timeout, too many redirects), the caller's own reason
 * when its signal aborts.
 */
export const createLeanRequest = ({ agent, refuseUrl, defaultTimeoutMs, defaultMaxRedirects, userAgent }: LeanRequestDependencies): EgressClient['request'] =>
  async (input, init = {}) => {
    const { timeoutMs = defaultTimeoutMs, maxRedirects = defaultMaxRedirects, signal } = init;
    let url = new URL(input);
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
    if (userAgent !== undefined) headers['user-agent'] ??= userAgent;

    signal?.throwIfAborted();
    const abort = new CallAbort();
    const onCallerAbort = () => abort.abort(signal?.reason);
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    // The deadline covers every hop and the body, so it outlives this call; it must not keep the process alive.
    const timer = setTimeout(() => abort.abort(timeoutError(url, timeoutMs)), timeoutMs).unref();
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    };

    const toEgressError = (error: unknown): unknown => {
      if (abort.aborted) return abort.reason;
      if (isSteadError(error)) return error;
      // Arguments undici refuses (a bad header) are the caller's mistake and pass as they are.
      if ((error as { code?: string }).code === 'UND_ERR_INVALID_ARG') return error;
      return new SteadError('egress_failed', `Request to ${url.origin} failed: ${describeError(error)}`, { cause: error, details: { origin: url.origin } });
    };

    try {
      for (let redirects = 0; ; redirects += 1) {
        const refused = refuseUrl(url);
        if (refused) throw refused;
        let answer: Dispatcher.ResponseData;
        try {
          answer = await agent().request({ origin: url.origin, path: `${url.pathname}${url.search}`, method: method as Dispatcher.HttpMethod, headers, body: body ?? null, signal: abort });
        } catch (error) {
          throw toEgressError(error);
        }
        const location = answer.headers.location;
        if (!redirectStatuses.has(answer.statusCode) || typeof location !== 'string' || maxRedirects === 0) {
          return leanResponse(answer, url, redirects > 0, finish, toEgressError);
        }
        // Nobody reads a redirect's body: drain a small one so the connection is reused, drop a large one.
        await answer.body.dump().catch(() => undefined);
        const next = nextHop(url, location, redirects, maxRedirects);
        if (becomesGet(answer.statusCode, method)) {
          method = 'GET';
          body = undefined;
          for (const name of bodyHeaders) delete headers[name];
        }
        if (next.origin !== url.origin) for (const name of credentialHeaders) delete headers[name];
        url = next;
      }
    } catch (error) {
      finish();
      throw error;
    }
  };

const leanResponse = (answer: Dispatcher.ResponseData, url: URL, redirected: boolean, finish: () => void, toEgressError: (error: unknown) => unknown): EgressResponse => {
  const { body } = answer;
  // The deadline and the caller's listener go when the body is done: read to the end, destroyed or failed.
  body.once('close', finish);
  return {
    status: answer.statusCode,
    statusText: '',
    ok: answer.statusCode >= 200 && answer.statusCode < 300,
    url: url.href,
    redirected,
    headers: headerGetter(answer.headers),
    body: {
      // A plain iterator over the stream's own (no generator: one fewer promise chain per chunk). A reader that stops
      // early, as after an SSE `[DONE]` that arrived with the end of the body, lets the rest drain instead of
      // destroying the stream, which would fail a body that is in fact complete and cost an AbortError per call.
      [Symbol.asyncIterator]: () => {
        const chunks = body.iterator({ destroyOnReturn: false });
        return {
          next: () => chunks.next().catch((error: unknown) => Promise.reject(toEgressError(error))) as Promise<IteratorResult<Uint8Array>>,
          return: async (): Promise<IteratorResult<Uint8Array>> => {
            await chunks.return?.();
            body.dump().catch(() => undefined);
            return { done: true, value: undefined };
          },
        };
      },
    },
    text: () => body.text().catch((error: unknown) => Promise.reject(toEgressError(error))),
    json: () => body.json().catch((error: unknown) => Promise.reject(toEgressError(error))),
  };
};
