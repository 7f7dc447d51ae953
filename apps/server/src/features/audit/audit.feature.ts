import { defineFeature, ownTables } from '../../feature.ts';
import type { PermissionDeclarations } from '../../platform/http/permissions.ts';
import { registerAuditHook } from './audit.hook.ts';
import { auditMigrations } from './audit.migrations.ts';
import { createAuditRepository } from './audit.repository.ts';
import { registerAuditRoutes } from './audit.routes.ts';
import { createAuditTargetNames } from './audit-target-names.ts';
import { createAuditService, type AuditService } from './audit.service.ts';
import type { AuditTables } from './audit.tables.ts';

export const auditPermissions = { 'audit:read': 'admin' } as const satisfies PermissionDeclarations;

declare module '../../feature.ts' { interface SteadServices { audit: AuditService } }

/** The append-only audit log: every state-changing route records one event (the hook), plus system actions. */
export const auditFeature = defineFeature({
  name: 'audit',
  tables: ownTables<AuditTables>(),
  migrations: auditMigrations,
  permissions: auditPermissions,
  // Names are looked up through the other features' services when used, never at creation (they audit too).
  create: ({ db, events, clock, ids, services, logger }) =>
    createAuditService({
      repository: createAuditRepository(db), events, clock, ids,
      targetNames: createAuditTargetNames(() => services),
      onNameError: (error) => logger.warn({ err: error, component: 'audit' }, 'target name lookup failed'),
    }),
  hooks: (app, { services }) => registerAuditHook(app, services.audit),
  routes: (app, { services }) => registerAuditRoutes(app, { audit: services.audit }),
});
