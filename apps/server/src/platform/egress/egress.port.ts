/**
 * The egress port: every outbound HTTP request Stead makes (task `http.request`, webhooks, monitors, model
 * providers, fetch-by-URL) goes through one client, so server-side request forgery is stopped in one place.
 *
 * Guaranteed (checked by `egress.contract.ts`):
 * - a destination that resolves to a private, loopback, link-local, unique-local, multicast, unspecified or
 *   cloud-metadata address is refused with `SteadError('egress_blocked')` unless an allow rule covers it; the
 *   check runs on the address actually connected to (after DNS resolution, so DNS rebinding does not slip
 *   through) and again on every redirect hop;
 * - only `http:` and `https:` URLs are fetched; URLs with credentials are refused;
 * - redirects are followed up to `maxRedirects`, each hop checked; a relative `Location` resolves against the
 *   hop's URL; 303 (and 301/302 after a POST) continue as GET without the body, as browsers do; a redirect to
 *   another origin drops `Authorization`, `Proxy-Authorization` and `Cookie`;
 * - network failures, timeouts and too many redirects become `SteadError('egress_failed')` with the cause kept;
 *   a timeout while the caller reads the body errors the body with it too; the caller's own `signal` aborting
 *   rejects with the caller's abort reason (an `AbortError`), not `egress_failed`.
 *
 * Not in the contract: retries (callers decide), caching, cookies, proxies.
 */

export interface EgressRequestInit extends Omit<RequestInit, 'redirect'> {
  /** Abort the whole exchange (all hops, headers and body) after this long. Default 30,000 ms. */
  timeoutMs?: number;
  /** Redirects followed (each destination checked again). 0 returns the 3xx response itself. Default 5. */
  maxRedirects?: number;
}

/** Same shape as `fetch`, so adapters that accept an injected `fetch` take an egress client's unchanged. */
export type EgressFetch = (url: string | URL, init?: EgressRequestInit) => Promise<Response>;

export interface EgressClient {
  fetch: EgressFetch;
  /** Would a request to this URL's host be refused? Resolves the name; never sends a request. */
  check(url: string | URL): Promise<{ allowed: true } | { allowed: false; reason: string }>;
  /**
   * Adds allow rules at run time (host name, IP address or CIDR range), as when an administrator adds a
   * model provider on a local address. Rules from `STEAD_EGRESS_ALLOWED_HOSTS` are always present.
   */
  allow(rule: string): void;
  /** Releases pooled connections. */
  close(): Promise<void>;
}
