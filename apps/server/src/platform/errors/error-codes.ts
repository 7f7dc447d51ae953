/**
 * The catalogue of stable error codes. A code is part of the public API: clients branch on it, so a code is
 * never renamed or reused. `docs/errors.md` documents every entry (a test enforces it), and the HTTP error
 * handler is the only place that turns a code into a status.
 *
 * The platform declares the codes of cross-cutting failures here; each feature declares its own in its
 * definition (`errorCodes`), and `feature-list.ts` adds every feature's to `ErrorCodeRegistry`, so `SteadError`
 * accepts them:
 *
 * ```ts
 * export const keysErrorCodes = { key_not_found: { status: 404, summary: '…' } } as const satisfies ErrorCatalogue;
 * export const keysFeature = defineFeature({ name: 'keys', errorCodes: keysErrorCodes, … });
 * ```
 */
export interface ErrorDefinition {
  status: number;
  summary: string;
}
export type ErrorCatalogue = Readonly<Record<string, ErrorDefinition>>;

export const platformErrorCodes = {
  validation_failed: { status: 400, summary: 'A body, query or path parameter failed validation.' },
  malformed_json: { status: 400, summary: 'The request body is not valid JSON.' },
  invalid_body: { status: 400, summary: 'The request body is valid JSON but its shape is refused before any route sees it: nested deeper than 64 levels.' },
  unsupported_media_type: { status: 415, summary: 'The request body has a content type the route does not accept.' },
  payload_too_large: { status: 413, summary: 'The request body is larger than the configured limit.' },
  not_found: { status: 404, summary: 'The route or the addressed resource does not exist, or the caller may not see it.' },
  method_not_allowed: { status: 405, summary: 'The route exists but not for this HTTP method.' },
  unauthenticated: { status: 401, summary: 'The route needs a session or an API key and the request carried neither (or an invalid one).' },
  forbidden: { status: 403, summary: "The caller is authenticated but their role does not grant the route's permission." },
  csrf_rejected: { status: 403, summary: 'A cookie-authenticated request changing state came from an origin that is not allowed.' },
  host_not_allowed: { status: 421, summary: 'The Host header names a host this server does not serve (DNS rebinding defence); see `STEAD_ALLOWED_HOSTS`.' },
  rate_limited: { status: 429, summary: 'Too many requests; retry after the number of seconds in `Retry-After`.' },
  egress_blocked: { status: 422, summary: 'An outbound request was refused: its destination resolves to a private, loopback, link-local or metadata address that no administrator allowed.' },
  egress_failed: { status: 502, summary: 'An outbound request could not be completed (DNS failure, refused connection, timeout, too many redirects).' },
  secret_key_invalid: { status: 500, summary: 'The secret key cannot decrypt stored secrets (wrong STEAD_SECRET_KEY or key file).' },
  config_invalid: { status: 500, summary: 'A setting is invalid; the message names it and what is allowed.' },
  data_dir_unusable: { status: 503, summary: 'The data directory cannot be created or is not a directory; the message names the path and the cause.' },
  database_open_failed: { status: 503, summary: 'The SQLite database file cannot be opened or created (for example a read-only data directory); the message names the path and the cause.' },
  service_unavailable: { status: 503, summary: 'A required component (database, event bus) is not reachable.' },
  client_closed: { status: 499, summary: 'The client closed the connection before the answer was complete; nobody receives this body, it names the outcome in logs and the usage ledger.' },
  internal_error: { status: 500, summary: 'An unexpected error; the response carries a request id to find it in the logs.' },
} as const satisfies ErrorCatalogue;
type PlatformErrorCodes = typeof platformErrorCodes;

/** Every error code by name: the platform's, plus each feature's (`feature-list.ts`, see above). */
export interface ErrorCodeRegistry extends PlatformErrorCodes {}
export type ErrorCode = keyof ErrorCodeRegistry & string;

/** Joins the platform's catalogue with the features'; a code declared twice is a programming error and throws. */
export const composeErrorCatalogue = (parts: readonly ErrorCatalogue[]): ErrorCatalogue => {
  const catalogue: Record<string, ErrorDefinition> = {};
  for (const part of parts) {
    for (const [code, definition] of Object.entries(part)) {
      if (code in catalogue) throw new Error(`The error code ${code} is declared twice`);
      catalogue[code] = definition;
    }
  }
  return catalogue;
};
