import { workspaceIdParams, type SteadApp } from '../../platform/http/http.types.ts';
import { auditPageSchema, auditQuerySchema } from './audit.schema.ts';
import type { AuditService } from './audit.service.ts';

export const registerAuditRoutes = (app: SteadApp, { audit }: { audit: AuditService }): void => {
  app.get('/api/workspaces/:workspaceId/audit', {
    config: { permission: 'audit:read' },
    schema: { tags: ['audit'], summary: 'Audit log of a workspace, newest first', params: workspaceIdParams, querystring: auditQuerySchema, response: { 200: auditPageSchema } },
  }, async (request) => audit.list(request.params.workspaceId, request.query));

  app.get('/api/admin/audit', {
    config: { permission: 'admin' },
    schema: { tags: ['admin'], summary: 'Audit log of the whole instance (sign-ins, every workspace)', querystring: auditQuerySchema, response: { 200: auditPageSchema } },
  }, async (request) => audit.list(undefined, request.query));
};
