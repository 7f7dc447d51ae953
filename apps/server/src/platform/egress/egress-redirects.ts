import { SteadError } from '../errors/stead-error.ts';

/** Redirect rules both egress paths (`fetch` and `request`) follow by hand, so every hop is checked again. */
export const redirectStatuses = new Set([301, 302, 303, 307, 308]);
export const bodyHeaders = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];
// Credentials meant for one origin must not follow a redirect to another (the fetch standard drops
// Authorization; cookies and proxy credentials are no safer to hand over).
export const credentialHeaders = ['authorization', 'proxy-authorization', 'cookie'];

/** As browsers do: 303 turns anything but GET/HEAD into GET, and 301/302 turn POST into GET (the body is dropped). */
export const becomesGet = (status: number, method: string): boolean =>
  (status === 303 && method !== 'GET' && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');

/** The next hop's URL, or `egress_failed` when there are too many hops or the `Location` is not a URL. */
export const nextHop = (url: URL, location: string, redirects: number, maxRedirects: number): URL => {
  if (redirects >= maxRedirects) {
    throw new SteadError('egress_failed', `Request to ${url.origin} failed: more than ${maxRedirects} redirects`, { details: { origin: url.origin, maxRedirects } });
  }
  try {
    return new URL(location, url);
  } catch (error) {
    throw new SteadError('egress_failed', `Request to ${url.origin} failed: redirect to an invalid URL`, { cause: error, details: { location } });
  }
};

export const describeError = (error: unknown): string => {
  if (error instanceof AggregateError && error.message === '') return error.errors.map(describeError).join('; ');
  if (error instanceof Error) return error.message || ((error as NodeJS.ErrnoException).code ?? error.name);
  return String(error);
};

export const timeoutError = (url: URL, timeoutMs: number): SteadError =>
  new SteadError('egress_failed', `Request to ${url.origin} timed out after ${timeoutMs} ms`, { details: { origin: url.origin, timeoutMs } });
