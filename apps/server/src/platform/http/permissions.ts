/**
 * Roles and permissions, checked in one place (the access hook). Every route declares one `RoutePermission`
 * in its `config`; registering a route without one, or with one no feature declared, throws, so a forgotten
 * declaration fails every test.
 *
 * Each feature declares its workspace permissions with the lowest role that holds them (roles nest: every
 * role has what the roles below it have) in its definition; `feature-list.ts` adds every feature's names to
 * `WorkspacePermissionRegistry`, so a route naming an undeclared permission does not compile:
 *
 * ```ts
 * export const keysPermissions = { 'keys:read': 'admin', 'keys:manage': 'admin' } as const satisfies PermissionDeclarations;
 * export const keysFeature = defineFeature({ name: 'keys', permissions: keysPermissions, … });
 * ```
 */
export const workspaceRoles = ['owner', 'admin', 'member', 'viewer'] as const;
export type WorkspaceRole = (typeof workspaceRoles)[number];

/** Higher rank grants more; used so nobody can hand out a role above their own. */
export const roleRank: Record<WorkspaceRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** Permission name → the lowest role that holds it. */
export type PermissionDeclarations = Readonly<Record<string, WorkspaceRole>>;

/** Every workspace permission by name; `feature-list.ts` adds every feature's (see above). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface WorkspacePermissionRegistry {}
export type WorkspacePermission = keyof WorkspacePermissionRegistry & string;

/**
 * - `public`: anyone, no credentials.
 * - `user`: a signed-in person (session cookie); API keys are not accepted.
 * - `admin`: an instance administrator (session cookie).
 * - a workspace permission: the route has a `:workspaceId` parameter; a member whose role grants it, or an
 *   API key of that workspace whose role grants it.
 */
export type RoutePermission = 'public' | 'user' | 'admin' | WorkspacePermission;

/** The workspace permissions of every feature, composed; the access hook and the route inventory test ask it. */
export interface AccessPolicy {
  readonly permissions: readonly WorkspacePermission[];
  grants(role: WorkspaceRole, permission: WorkspacePermission): boolean;
  isWorkspacePermission(permission: string): permission is WorkspacePermission;
}

/** Composes the features' declarations; a permission declared twice is a programming error and throws. */
export const createAccessPolicy = (declarations: readonly PermissionDeclarations[]): AccessPolicy => {
  const lowestRole = new Map<string, WorkspaceRole>();
  for (const declared of declarations) {
    for (const [permission, role] of Object.entries(declared)) {
      if (lowestRole.has(permission)) throw new Error(`The permission ${permission} is declared twice`);
      lowestRole.set(permission, role);
    }
  }
  return {
    permissions: [...lowestRole.keys()] as WorkspacePermission[],
    grants: (role, permission) => {
      const lowest = lowestRole.get(permission);
      return lowest !== undefined && roleRank[role] >= roleRank[lowest];
    },
    isWorkspacePermission: (permission): permission is WorkspacePermission => lowestRole.has(permission),
  };
};
