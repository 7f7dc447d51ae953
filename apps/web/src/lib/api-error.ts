/** Shape of every error body the Stead server sends with a 4xx/5xx status. */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    requestId: string;
    details?: Record<string, unknown>;
  };
}

/** Code used when the request never reached the server (offline, DNS, refused connection). */
export const NETWORK_ERROR_CODE = 'network_error';

/** An error answered by the API, or a failure to reach it at all (`status` 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly details: Record<string, unknown> | undefined;

  constructor(options: {
    status: number;
    code: string;
    message: string;
    requestId?: string | null;
    details?: Record<string, unknown>;
    cause?: unknown;
  }) {
    super(options.message, { cause: options.cause });
    this.status = options.status;
    this.code = options.code;
    this.requestId = options.requestId ?? null;
    this.details = options.details;
  }

  get isNetworkError(): boolean {
    return this.code === NETWORK_ERROR_CODE;
  }

  get isUnauthenticated(): boolean {
    return this.status === 401;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` has the server's `{ error: { code, message } }` envelope. */
export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (!isRecord(value) || !isRecord(value.error)) return false;
  return typeof value.error.code === 'string' && typeof value.error.message === 'string';
}

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

/** Builds an ApiError from a failed response's status and its (possibly non-JSON) body. */
export function apiErrorFromResponse(status: number, body: unknown): ApiError {
  if (isApiErrorBody(body)) {
    return new ApiError({
      status,
      code: body.error.code,
      message: body.error.message,
      requestId: typeof body.error.requestId === 'string' ? body.error.requestId : null,
      details: isRecord(body.error.details) ? body.error.details : undefined,
    });
  }
  return new ApiError({
    status,
    code: status >= 500 ? 'server_error' : 'http_error',
    message: fallbackMessages[status] ?? `The server answered with status ${status}.`,
  });
}

/** The text to show a person for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isNetworkError) return 'The server cannot be reached. Check that Stead is running.';
    return error.message;
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
