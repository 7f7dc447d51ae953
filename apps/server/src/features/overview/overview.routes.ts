import type { FastifyRequest } from 'fastify';
import { roleRank } from '../../platform/http/permissions.ts';
import { workspaceIdParams, type SteadApp } from '../../platform/http/http.types.ts';
import { overviewSchema } from './overview.schema.ts';
import type { OverviewService } from './overview.service.ts';

export interface OverviewRoutesDeps {
  overview: OverviewService;
  linkOrigin: (request: Pick<FastifyRequest, 'protocol' | 'host'>) => string;
}

export const registerOverviewRoutes = (app: SteadApp, { overview, linkOrigin }: OverviewRoutesDeps): void => {
  app.get('/api/workspaces/:workspaceId/overview', {
    config: { permission: 'overview:read' },
    schema: {
      tags: ['workspaces'],
      summary: "A workspace at a glance: the gateway's base URL, today's usage and how far setup has come",
      params: workspaceIdParams,
      response: { 200: overviewSchema },
    },
  }, async (request) => {
    const role = request.workspaceAccess?.role ?? 'viewer';
    // Listing keys is for admins and owners (the keys feature's `keys:read`); others get no count rather than a refusal.
    const mayListKeys = roleRank[role] >= roleRank.admin;
    return overview.get(request.params.workspaceId, { baseUrl: `${linkOrigin(request)}/v1`, mayListKeys });
  });
};
