import { defineFeature } from '../../feature.ts';
import type { PermissionDeclarations } from '../../platform/http/permissions.ts';
import { registerOverviewCommands } from './overview.command.ts';
import { registerOverviewRoutes } from './overview.routes.ts';
import { createOverviewService, type OverviewService } from './overview.service.ts';

export const overviewPermissions = { 'overview:read': 'viewer' } as const satisfies PermissionDeclarations;

declare module '../../feature.ts' { interface SteadServices { overview: OverviewService } }

/** A workspace at a glance for its home page: what no other endpoint sums up (today's usage, setup progress, the /v1 base URL). */
export const overviewFeature = defineFeature({
  name: 'overview',
  permissions: overviewPermissions,
  create: ({ services, clock }) => createOverviewService({ models: services.models, keys: services.keys, clock }),
  routes: (app, { services, linkOrigin }) => registerOverviewRoutes(app, { overview: services.overview, linkOrigin }),
  cli: registerOverviewCommands,
});
