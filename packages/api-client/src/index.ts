import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.ts';

export type { components, paths };

/** The error body every Stead route returns on failure. */
export type SteadErrorBody = { error: { code: string; message: string; requestId: string; details?: Record<string, unknown> } };

export interface SteadClientOptions {
  /** Origin of the Stead server, e.g. `http://127.0.0.1:7070`. Default: the page's own origin (the web app). */
  baseUrl?: string;
  /** A workspace API key (`stead_…`), sent as `Authorization: Bearer`. Browsers use the session cookie instead. */
  apiKey?: string;
  /** Injected `fetch` (tests, custom agents). Default: the global `fetch`. */
  fetch?: typeof fetch;
}

const isErrorBody = (body: unknown): body is SteadErrorBody => {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
};

/**
 * The thrown form of a failed call: the HTTP status and Stead's stable error code. An answer that did not
 * come from Stead (a reverse proxy's HTML page, an empty body) still gives an error, coded `http_error`.
 */
export class SteadApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;

  constructor(status: number, body: unknown) {
    super(isErrorBody(body) ? body.error.message : `HTTP ${status}`);
    this.name = 'SteadApiError';
    this.status = status;
    this.code = isErrorBody(body) ? body.error.code : 'http_error';
    this.requestId = isErrorBody(body) ? body.error.requestId : undefined;
  }
}

/**
 * A typed client for every route in the OpenAPI document: paths, parameters, bodies and responses are
 * checked at compile time. Cookies are sent (`credentials: 'include'`) so the dashboard's session works.
 */
export const createSteadClient = (options: SteadClientOptions = {}) => {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? '',
    credentials: 'include',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  if (options.apiKey) {
    const apiKey = options.apiKey;
    const auth: Middleware = {
      onRequest({ request }) {
        request.headers.set('authorization', `Bearer ${apiKey}`);
        return request;
      },
    };
    client.use(auth);
  }
  return client;
};

export type SteadClient = ReturnType<typeof createSteadClient>;

/** Unwraps an openapi-fetch result: the data, or a thrown `SteadApiError`. */
export const unwrap = async <T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> => {
  const { data, error, response } = await call;
  if (!response.ok) throw new SteadApiError(response.status, error);
  return data as T;
};
