import { defineFeature, ownTables } from '../../feature.ts';
import type { ErrorCatalogue } from '../../platform/errors/error-codes.ts';
import type { PermissionDeclarations } from '../../platform/http/permissions.ts';
import { createMemberRoleCache, type MemberRoleCache } from './member-role-cache.ts';
import { registerWorkspacesCommands } from './workspaces.command.ts';
import type { WorkspaceAccessEvent } from './workspaces.events.ts';
import { workspacesMigrations } from './workspaces.migrations.ts';
import { createWorkspacesRepository } from './workspaces.repository.ts';
import { registerWorkspacesRoutes } from './workspaces.routes.ts';
import { createWorkspacesService, type WorkspacesService } from './workspaces.service.ts';
import type { WorkspacesTables } from './workspaces.tables.ts';

export const workspacesPermissions = {
  'workspace:read': 'viewer',
  'workspace:update': 'admin',
  'workspace:delete': 'owner',
  'members:read': 'viewer',
  'members:manage': 'admin',
} as const satisfies PermissionDeclarations;

export const workspacesErrorCodes = {
  workspace_not_found: { status: 404, summary: 'The workspace does not exist or the caller is not a member.' },
  workspace_slug_taken: { status: 409, summary: 'Another workspace already uses this slug.' },
  workspace_last_owner: { status: 409, summary: 'The change would leave the workspace without an owner.' },
  member_not_found: { status: 404, summary: 'The user is not a member of this workspace.' },
  member_exists: { status: 409, summary: 'The user is already a member of this workspace.' },
  invitation_not_found: { status: 404, summary: 'The invitation does not exist or was revoked.' },
  invitation_expired: { status: 410, summary: 'The invitation has expired.' },
  invitation_used: { status: 409, summary: 'The invitation was already accepted.' },
  invitation_email_mismatch: { status: 403, summary: 'The invitation was issued to a different email address.' },
  role_not_assignable: { status: 403, summary: 'The caller may not grant a role above their own.' },
} as const satisfies ErrorCatalogue;

/** The workspaces service, with members' roles cached for the API-key check on every request. */
export interface WorkspacesFeatureService extends WorkspacesService {
  readonly memberRoles: MemberRoleCache;
}

declare module '../../feature.ts' { interface SteadServices { workspaces: WorkspacesFeatureService } }

// Access changes reach every node (Redis), so each drops the roles it cached for API-key checks.
const dropCachedRole = { everyNode: true, handle: (event: WorkspaceAccessEvent, services: { workspaces: WorkspacesFeatureService }) => services.workspaces.memberRoles.invalidate(event) };

/** Workspaces, their members and invitations. */
export const workspacesFeature = defineFeature({
  name: 'workspaces',
  tables: ownTables<WorkspacesTables>(),
  migrations: workspacesMigrations,
  permissions: workspacesPermissions,
  errorCodes: workspacesErrorCodes,
  events: { 'member-role-change': dropCachedRole, 'member-remove': dropCachedRole, 'workspace-delete': dropCachedRole },
  create: ({ db, services, clock, ids, config, emit, domainEvents }) => {
    const service = createWorkspacesService({ repository: createWorkspacesRepository(db), users: services.auth, clock, ids, invitationTtlHours: config.invitationTtlHours, emit });
    const memberRoles = createMemberRoleCache({ lookup: service.memberRole, clock, invalidationsArrive: () => domainEvents.listening });
    return { ...service, memberRoles };
  },
  routes: (app, { services, linkOrigin }) => registerWorkspacesRoutes(app, { workspaces: services.workspaces, linkOrigin }),
  cli: registerWorkspacesCommands,
});
