/**
 * The egress port: every outbound HTTP request Stead makes (task `http.request`, webhooks, monitors, model
 * providers, fetch-by-URL) goes through one client, so server-side request forgery is stopped in one place.
 *
 * Guaranteed (checked by `egress.contract.ts`):
 * - a destination that resolves to a private, loopback, link-local, unique-local, multicast, unspecified,
 *   documentation, reserved or cloud-metadata address (every range IANA lists as not globally reachable, and IPv6
 *   forms carrying such an IPv4 address) is refused with `SteadError('egress_blocked')` unless an allow rule
 *   covers it; the check runs on the address actually connected to (after DNS resolution, so DNS rebinding does
 *   not slip through) and again on every redirect hop;
 * - names are compared without one trailing dot (`localhost.` is `localhost`), and `localhost` and names under it
 *   are loopback by policy, refused without asking DNS;
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

/** What `request` takes: a subset of `fetch`'s options, with headers as a plain object and a body that can be sent again on a redirect. */
export interface EgressLeanInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRedirects?: number;
}

/**
 * The answer of `request`: the parts of a `Response` model adapters read, over undici's own body stream. The body
 * can be read once (`text`, `json` or iterating `body`); leaving it unread holds the connection until it times out.
 */
export interface EgressResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: { get(name: string): string | null };
  readonly body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export interface EgressClient {
  fetch: EgressFetch;
  /**
   * The same checks, redirects, timeouts and errors as `fetch`, without the WHATWG `Request`/`Response`/stream
   * objects: about a quarter of `fetch`'s CPU per call, for hot paths (the model gateway).
   */
  request(url: string | URL, init?: EgressLeanInit): Promise<EgressResponse>;
  /** Would a request to this URL's host be refused? Resolves the name; never sends a request. */
  check(url: string | URL): Promise<{ allowed: true } | { allowed: false; reason: string }>;
  /**
   * Adds allow rules at run time (host name, IP address or CIDR range), as when an administrator adds a
   * model provider on a local address. Rules from `STEAD_EGRESS_ALLOWED_HOSTS` are always present. Never removed.
   */
  allow(rule: string): void;
  /**
   * Replaces the managed rules (the instance's allowed hosts kept in the database, edited in Instance settings)
   * with `rules`, at once: a removed rule stops allowing its destinations for the next connection. Rules from
   * the options and `allow` stay. Throws `validation_failed` on a bad rule, leaving the previous list in force.
   */
  setManagedRules(rules: readonly string[]): void;
  /**
   * Makes another client follow this one's managed rules: it gets the current list now and every later
   * replacement (a model provider's own client follows the instance's). Held weakly: a dropped client is forgotten.
   */
  shareManagedRules(follower: Pick<EgressClient, 'setManagedRules'>): void;
  /** Releases pooled connections. */
  close(): Promise<void>;
}
