import { SteadApiError, type SteadErrorBody } from '@stead/api-client';

/** Code of the SteadApiError (status 0) for a request that never reached the server: offline, DNS, refused connection. */
export const NETWORK_ERROR_CODE = 'network_error';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` has the server's `{ error: { code, message } }` envelope. */
export function isApiErrorBody(value: unknown): value is SteadErrorBody {
  if (!isRecord(value) || !isRecord(value.error)) return false;
  return typeof value.error.code === 'string' && typeof value.error.message === 'string';
}

/** An envelope for an error that Stead did not answer itself, so it has no request id. */
const envelope = (code: string, message: string) => ({ error: { code, message } }) as SteadErrorBody;

const fallbackMessages: Record<number, string> = {
  400: 'The request was not valid.',
  401: 'You are not signed in.',
  403: 'You do not have permission to do that.',
  404: 'Not found.',
  409: 'That conflicts with the current state.',
  413: 'The request is too large.',
  429: 'Too many attempts. Wait a moment and try again.',
  502: 'The server is unreachable right now.',
  503: 'The server is temporarily unavailable.',
};

/**
 * The error for a failed answer. A body without Stead's envelope (a reverse proxy's HTML page, an empty 502)
 * gets a readable message for its status instead of `HTTP 502`.
 */
export function apiErrorFromResponse(status: number, body: unknown): SteadApiError {
  if (isApiErrorBody(body)) return new SteadApiError(status, body);
  const code = status >= 500 ? 'server_error' : 'http_error';
  return new SteadApiError(status, envelope(code, fallbackMessages[status] ?? `The server answered with status ${status}.`));
}

/** The error for a request that got no answer at all (status 0). */
export function networkError(cause: unknown): SteadApiError {
  const error = new SteadApiError(0, envelope(NETWORK_ERROR_CODE, 'The server cannot be reached.'));
  error.cause = cause;
  return error;
}

/** True when the request never reached the server. */
export function isNetworkError(error: unknown): boolean {
  return error instanceof SteadApiError && error.code === NETWORK_ERROR_CODE;
}

/** The text to show a person for any thrown value. */
export function errorMessage(error: unknown): string {
  if (isNetworkError(error)) return 'The server cannot be reached. Check that Stead is running.';
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
