import type { Role, WorkspaceSettings } from '@/lib/api.ts';

const rank: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** Whether someone with `role` sees and revokes everyone's keys (admins and owners) or only their own. */
export function seesEveryonesKeys(role: Role): boolean {
  return rank[role] >= rank.admin;
}

/**
 * The roles a person may give a new key: their own or lower, never owner (keys should not outrank people).
 * Highest first.
 */
export function keyRolesFor(role: Role): Role[] {
  return (['admin', 'member', 'viewer'] as const).filter((candidate) => rank[candidate] <= rank[role]);
}

/** The role a new key starts with: member when it may be had, else the most the person may give. */
export function defaultKeyRole(role: Role): Role {
  const roles = keyRolesFor(role);
  return roles.includes('member') ? 'member' : roles[0]!;
}

/** Admins and owners always create keys; members and viewers while the workspace's `memberKeys` is on. */
export function mayCreateKeys(role: Role, settings: WorkspaceSettings | undefined): boolean {
  return seesEveryonesKeys(role) || settings?.memberKeys !== 'off';
}
