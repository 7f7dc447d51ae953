/**
 * Roles and permissions, checked in one place (the access hook). Every route declares one `RoutePermission`
 * in its `config`; registering a route without one throws, so a forgotten declaration fails every test.
 */
export const workspaceRoles = ['owner', 'admin', 'member', 'viewer'] as const;
export type WorkspaceRole = (typeof workspaceRoles)[number];

export const workspacePermissions = [
  'workspace:read',
  'workspace:update',
  'workspace:delete',
  'members:read',
  'members:manage',
  'keys:read',
  'keys:manage',
  'audit:read',
  'events:read',
  'tasks:read',
  'tasks:run',
  'schedules:read',
  'schedules:manage',
  'models:read',
  'models:use',
  'models:manage',
  'secrets:read',
  'secrets:manage',
] as const;
export type WorkspacePermission = (typeof workspacePermissions)[number];

const viewer: WorkspacePermission[] = ['workspace:read', 'members:read', 'events:read', 'tasks:read', 'schedules:read', 'models:read'];
// Members see the names (never values) of workspace secrets, to pick one for a task; admins make and change them.
const member: WorkspacePermission[] = [...viewer, 'tasks:run', 'models:use', 'secrets:read'];
const admin: WorkspacePermission[] = [...member, 'workspace:update', 'members:manage', 'keys:read', 'keys:manage', 'audit:read', 'schedules:manage', 'models:manage', 'secrets:manage'];
const owner: WorkspacePermission[] = [...admin, 'workspace:delete'];

export const rolePermissions: Record<WorkspaceRole, ReadonlySet<WorkspacePermission>> = {
  owner: new Set(owner),
  admin: new Set(admin),
  member: new Set(member),
  viewer: new Set(viewer),
};

/** Higher rank grants more; used so nobody can hand out a role above their own. */
export const roleRank: Record<WorkspaceRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export const roleGrants = (role: WorkspaceRole, permission: WorkspacePermission): boolean => rolePermissions[role].has(permission);

/**
 * - `public`: anyone, no credentials.
 * - `user`: a signed-in person (session cookie); API keys are not accepted.
 * - `admin`: an instance administrator (session cookie).
 * - a workspace permission: the route has a `:workspaceId` parameter; a member whose role grants it, or an
 *   API key of that workspace whose role grants it.
 */
export type RoutePermission = 'public' | 'user' | 'admin' | WorkspacePermission;

export const isWorkspacePermission = (permission: RoutePermission): permission is WorkspacePermission =>
  (workspacePermissions as readonly string[]).includes(permission);
