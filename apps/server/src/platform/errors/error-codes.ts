/**
 * The catalogue of stable error codes. A code is part of the public API: clients branch on it, so a code is
 * never renamed or reused. `docs/errors.md` documents every entry (a test enforces it), and the HTTP error
 * handler is the only place that turns a code into a status.
 */
export const errorCodes = {
  validation_failed: { status: 400, summary: 'A body, query or path parameter failed validation.' },
  malformed_json: { status: 400, summary: 'The request body is not valid JSON.' },
  unsupported_media_type: { status: 415, summary: 'The request body has a content type the route does not accept.' },
  payload_too_large: { status: 413, summary: 'The request body is larger than the configured limit.' },
  not_found: { status: 404, summary: 'The route or the addressed resource does not exist, or the caller may not see it.' },
  method_not_allowed: { status: 405, summary: 'The route exists but not for this HTTP method.' },
  unauthenticated: { status: 401, summary: 'The route needs a session or an API key and the request carried neither (or an invalid one).' },
  forbidden: { status: 403, summary: "The caller is authenticated but their role does not grant the route's permission." },
  csrf_rejected: { status: 403, summary: 'A cookie-authenticated request changing state came from an origin that is not allowed.' },
  rate_limited: { status: 429, summary: 'Too many requests; retry after the number of seconds in `Retry-After`.' },
  setup_already_done: { status: 409, summary: 'The owner account already exists; setup runs only once.' },
  invalid_credentials: { status: 401, summary: 'Email or password is wrong.' },
  account_disabled: { status: 403, summary: 'The account has been disabled by an administrator.' },
  two_factor_required: { status: 401, summary: 'The password was right; a TOTP or recovery code must now be sent to finish signing in.' },
  two_factor_invalid: { status: 401, summary: 'The two-factor code or recovery code is wrong or expired.' },
  two_factor_not_enabled: { status: 409, summary: 'Two-factor authentication is not enabled for this account.' },
  password_too_weak: { status: 400, summary: 'The new password does not meet the length requirement.' },
  email_taken: { status: 409, summary: 'An account with this email already exists.' },
  user_not_found: { status: 404, summary: 'No user has this id or email.' },
  workspace_not_found: { status: 404, summary: 'The workspace does not exist or the caller is not a member.' },
  workspace_slug_taken: { status: 409, summary: 'Another workspace already uses this slug.' },
  workspace_last_owner: { status: 409, summary: 'The change would leave the workspace without an owner.' },
  member_not_found: { status: 404, summary: 'The user is not a member of this workspace.' },
  member_exists: { status: 409, summary: 'The user is already a member of this workspace.' },
  invitation_not_found: { status: 404, summary: 'The invitation does not exist or was revoked.' },
  invitation_expired: { status: 410, summary: 'The invitation has expired.' },
  invitation_used: { status: 409, summary: 'The invitation was already accepted.' },
  invitation_email_mismatch: { status: 403, summary: 'The invitation was issued to a different email address.' },
  role_not_assignable: { status: 403, summary: 'The caller may not grant a role above their own.' },
  key_not_found: { status: 404, summary: 'The API key does not exist in this workspace.' },
  secret_key_invalid: { status: 500, summary: 'The secret key cannot decrypt stored secrets (wrong STEAD_SECRET_KEY or key file).' },
  config_invalid: { status: 500, summary: 'A setting is invalid; the message names it and what is allowed.' },
  service_unavailable: { status: 503, summary: 'A required component (database, event bus) is not reachable.' },
  internal_error: { status: 500, summary: 'An unexpected error; the response carries a request id to find it in the logs.' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof errorCodes;
