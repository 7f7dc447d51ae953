import { defineFeature } from '../../feature.ts';
import type { PermissionDeclarations } from '../../platform/http/permissions.ts';
import { registerEventsRoutes } from './events.routes.ts';

export const eventsPermissions = { 'events:read': 'viewer' } as const satisfies PermissionDeclarations;

/** A workspace's live events for browsers (server-sent events from the event bus). */
export const eventsFeature = defineFeature({
  name: 'events',
  permissions: eventsPermissions,
  routes: (app, { platform, services, policy }) =>
    registerEventsRoutes(app, { events: platform.events, domainEvents: platform.domainEvents, policy, memberRole: services.workspaces.memberRoles.role }),
});
