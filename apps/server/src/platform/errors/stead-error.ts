import type { ErrorCode } from './error-codes.ts';

/**
 * The one error type that crosses layers. Domain code throws it with a stable `code`; it carries no HTTP
 * status (the error handler maps codes to statuses) and may hold `details` that are safe to show the caller.
 */
export class SteadError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SteadError';
    this.code = code;
    this.details = options.details;
  }
}

export const isSteadError = (error: unknown): error is SteadError => error instanceof SteadError;
