import { defineFeature, ownTables } from '../../feature.ts';
import type { PermissionDeclarations } from '../../platform/http/permissions.ts';
import { registerAuditHook } from './audit.hook.ts';
import { createAuditRepository } from './audit.repository.ts';
import { registerAuditRoutes } from './audit.routes.ts';
import { createAuditService, type AuditService } from './audit.service.ts';
import type { AuditTables } from './audit.tables.ts';

export const auditPermissions = { 'audit:read': 'admin' } as const satisfies PermissionDeclarations;

declare module '../../feature.ts' { interface SteadServices { audit: AuditService } }

/** The append-only audit log: every state-changing route records one event (the hook), plus system actions. */
export const auditFeature = defineFeature({
  name: 'audit',
  tables: ownTables<AuditTables>(),
  permissions: auditPermissions,
  create: ({ db, events, clock, ids }) => createAuditService({ repository: createAuditRepository(db), events, clock, ids }),
  hooks: (app, { services }) => registerAuditHook(app, services.audit),
  routes: (app, { services }) => registerAuditRoutes(app, { audit: services.audit }),
});
