import { defineFeature, ownTables } from '../../feature.ts';
import type { ErrorCatalogue } from '../../platform/errors/error-codes.ts';
import type { PermissionDeclarations } from '../../platform/http/permissions.ts';
import { registerKeysCommands } from './keys.command.ts';
import { revokeKeysOfRemovedMember } from './keys.events.ts';
import { createKeysRepository } from './keys.repository.ts';
import { registerKeysRoutes } from './keys.routes.ts';
import { createKeysService, type KeysService } from './keys.service.ts';
import type { KeysTables } from './keys.tables.ts';

/**
 * Every member may list, create and revoke keys, but the service narrows it: below `keysOfEveryoneRole` a person
 * sees and revokes only their own keys, creates them only at their own role or lower, only while the workspace's
 * `memberKeys` setting is on, and only signed in (a member's key does not mint keys).
 */
export const keysPermissions = {
  'keys:read': 'viewer',
  'keys:write': 'viewer',
} as const satisfies PermissionDeclarations;
type KeysPermissions = typeof keysPermissions;

export const keysErrorCodes = {
  key_not_found: { status: 404, summary: 'The API key does not exist in this workspace.' },
  member_keys_disabled: { status: 403, summary: 'This workspace lets only admins and owners create API keys (its `memberKeys` setting is off); ask an admin.' },
  key_not_revocable: { status: 403, summary: "The key was created by a member whose role ranks above the caller's; only they or someone of their rank may revoke it." },
} as const satisfies ErrorCatalogue;
type KeysErrorCodes = typeof keysErrorCodes;

declare module '../../platform/http/permissions.ts' {
  interface WorkspacePermissionRegistry extends KeysPermissions {}
}
declare module '../../platform/errors/error-codes.ts' {
  interface ErrorCodeRegistry extends KeysErrorCodes {}
}
declare module '../../feature.ts' { interface SteadServices { keys: KeysService } }

/** Workspace API keys: created, listed, revoked, and resolved from bearer tokens on every request. */
export const keysFeature = defineFeature({
  name: 'keys',
  tables: ownTables<KeysTables>(),
  permissions: keysPermissions,
  errorCodes: keysErrorCodes,
  events: {
    'member-remove': { handle: (event, services) => revokeKeysOfRemovedMember({ keys: services.keys, audit: services.audit })(event) },
  },
  create: ({ db, services, clock, ids, emit }) =>
    createKeysService({ repository: createKeysRepository(db), users: services.auth, members: services.workspaces.memberRoles, settings: services.workspaces, clock, ids, emit }),
  routes: (app, { services }) => registerKeysRoutes(app, { keys: services.keys }),
  cli: registerKeysCommands,
});
