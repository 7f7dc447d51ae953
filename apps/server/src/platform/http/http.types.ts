import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SteadError } from '../errors/stead-error.ts';

/** The Fastify instance every feature registers its routes on: zod schemas give types, validation and OpenAPI. */
export type SteadApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

export const noContent = z.null().describe('No content');

/** Sets `Set-Cookie` values produced by the auth service. */
export const setCookies = (reply: FastifyReply, cookies: string[]): void => {
  if (cookies.length > 0) void reply.header('set-cookie', cookies);
};

/** The signed-in user of a `user`/`admin` route (the access hook guarantees one). */
export const userOf = (request: FastifyRequest) => {
  if (request.caller.type !== 'user') throw new SteadError('unauthenticated', 'Sign in first');
  return request.caller;
};

/** The confirmed workspace and role of a workspace route (the access hook guarantees them). */
export const workspaceOf = (request: FastifyRequest) => {
  if (!request.workspaceAccess) throw new SteadError('workspace_not_found', 'Workspace not found');
  return request.workspaceAccess;
};

/** The user a workspace action is attributed to: the signed-in user, or the person who created the API key. */
export const actingUserId = (request: FastifyRequest): string =>
  request.caller.type === 'user' ? request.caller.user.id : request.caller.type === 'key' ? request.caller.ownerUserId : '';

/**
 * A path parameter naming a record: Stead's ids (and provider and alias names) are letters, digits, `_`, `.` and
 * `-`. Declared on every route, so a space, a NUL byte (which PostgreSQL refuses in text) or a path fragment
 * answers 400 before any query runs.
 */
export const idPattern = /^[\w.-]+$/;
export const idParam = (maxLength = 64) => z.string().min(1).max(maxLength).regex(idPattern, 'letters, digits, `_`, `.` or `-`');

export const workspaceIdParams = z.object({ workspaceId: idParam() });
