import type { FastifyInstance } from 'fastify';
import { callerLabel } from '../../platform/http/request-context.ts';
import type { AuditService } from './audit.service.ts';

/**
 * Records an audit event for every request to a route that declares an `audit` action, before the response
 * leaves (so an acknowledged change always has its record). Failures are recorded too when the caller is
 * known or the route is public (failed sign-ins), but not anonymous probes of protected routes.
 */
export const registerAuditHook = (app: FastifyInstance, audit: AuditService): void => {
  app.addHook('onSend', async (request, reply, payload) => {
    const { audit: action, permission } = request.routeOptions.config;
    if (!action) return payload;
    const details = request.auditDetails;
    const succeeded = reply.statusCode < 400;
    const caller = request.caller ?? { type: 'anonymous' };
    if (!succeeded && caller.type === 'anonymous' && permission !== 'public' && !details?.actor) return payload;

    try {
      // Error replies come from the one error handler, so their payload is the JSON error body.
      const errorCode = !succeeded && typeof payload === 'string' ? (JSON.parse(payload) as { error?: { code?: string } }).error?.code : undefined;
      await audit.record({
        workspaceId: details?.workspaceId ?? request.workspaceAccess?.workspaceId ?? (caller.type === 'key' ? caller.workspaceId : null),
        actor: details?.actor ?? callerLabel(caller),
        action,
        target: { type: details?.targetType ?? null, id: details?.targetId ?? null },
        requestId: request.id,
        clientAddress: request.ip,
        outcome: succeeded ? 'success' : 'failure',
        metadata: succeeded ? (details?.metadata ?? null) : { ...details?.metadata, status: reply.statusCode, ...(errorCode ? { code: errorCode } : {}) },
      });
    } catch (error) {
      request.log.error({ err: error, action }, 'audit record failed');
    }
    return payload;
  });
};
