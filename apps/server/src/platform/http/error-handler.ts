import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { platformErrorCodes, type ErrorCatalogue, type ErrorCode } from '../errors/error-codes.ts';
import { isSteadError } from '../errors/stead-error.ts';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: Record<string, unknown>; type?: string; param?: null };
}

/** Paths of the OpenAI-compatible endpoint, whose errors also carry OpenAI's `type` and `param`. */
const isGatewayPath = (path: string): boolean => path === '/v1' || path.startsWith('/v1/');

/** OpenAI's error `type` for a status, added on `/v1/` routes so OpenAI clients classify Stead's errors as they expect. */
const openAiErrorType = (status: number): string =>
  status === 401 ? 'authentication_error' : status === 403 ? 'permission_error' : status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';

/** Fastify's own error codes for bad input, mapped to Stead codes so no malformed request answers 500. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_VALIDATION: 'validation_failed',
  FST_ERR_BAD_URL: 'not_found',
  FST_ERR_ASYNC_CONSTRAINT: 'validation_failed',
};

/** The single place where errors become HTTP responses. */
export const registerErrorHandler = (
  app: FastifyInstance,
  options: {
    spaFallback?: ((request: FastifyRequest, reply: FastifyReply) => boolean) | undefined;
    /** Every code with its status (the platform's and the features'). Default: the platform's codes only. */
    catalogue?: ErrorCatalogue;
  } = {},
): void => {
  const catalogue: ErrorCatalogue = options.catalogue ?? platformErrorCodes;
  // A code missing from the catalogue is a programming error: answered as the 500 it is.
  const statusOf = (code: ErrorCode) => catalogue[code]?.status ?? 500;
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const send = (code: ErrorCode, message: string, details?: Record<string, unknown>) => {
      const status = statusOf(code);
      const openAi = isGatewayPath(request.url.split('?')[0] ?? '') ? { type: openAiErrorType(status), param: null } : {};
      const body: ErrorBody = { error: { code, message, requestId: request.id, ...(details ? { details } : {}), ...openAi } };
      return reply.status(status).send(body);
    };

    if (isSteadError(error)) {
      if (statusOf(error.code) >= 500) request.log.error({ err: error }, error.message);
      return send(error.code, error.message, error.details);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((issue) => ({
        path: [error.validationContext, ...(issue.instancePath ? issue.instancePath.split('/').filter(Boolean) : [])].join('.'),
        message: issue.message,
      }));
      const first = issues[0];
      return send('validation_failed', first ? `${first.path}: ${first.message}` : 'Invalid request', { issues });
    }
    // A schema check inside a handler or service (the route's own schema should have caught it): still the
    // caller's input, so 400 with the issues, never 500. Logged, because the route schema is the place for it.
    if (error instanceof z.core.$ZodError) {
      request.log.warn({ err: error }, 'validation error escaped a route schema');
      const issues = error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
      const first = issues[0];
      return send('validation_failed', first ? `${first.path || 'input'}: ${first.message}` : 'Invalid request', { issues });
    }
    if (error.statusCode === 429) {
      return send('rate_limited', error.message || 'Too many requests');
    }
    const mapped = error.code ? fastifyCodes[error.code] : undefined;
    if (mapped) return send(mapped, error.message);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return send(error.statusCode === 404 ? 'not_found' : 'validation_failed', error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return send('internal_error', `Internal error; quote request id ${request.id} when reporting it`);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // The OpenAI-compatible endpoint is an API: an unknown path there must not answer with the dashboard's HTML
    // (an OpenAI client would parse it as a model object), but with OpenAI's error shape.
    const gateway = isGatewayPath(path);
    if (!gateway && options.spaFallback?.(request, reply)) return reply;
    const body: ErrorBody = { error: { code: 'not_found', message: `No route ${request.method} ${path}`, requestId: request.id, ...(gateway ? { type: 'invalid_request_error', param: null } : {}) } };
    return reply.status(404).send(body);
  });
};
