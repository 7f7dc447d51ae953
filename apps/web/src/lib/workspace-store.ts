import type { Workspace } from './api.ts';

const WORKSPACE_STORAGE_KEY = 'stead.workspace';

export function readStoredWorkspaceId(): string | null {
  try {
    return window.localStorage.getItem(WORKSPACE_STORAGE_KEY);
  } catch {
    return null;
  }
}

export function storeWorkspaceId(workspaceId: string | null): void {
  try {
    if (workspaceId) window.localStorage.setItem(WORKSPACE_STORAGE_KEY, workspaceId);
    else window.localStorage.removeItem(WORKSPACE_STORAGE_KEY);
  } catch {
    // Storage can be unavailable; the URL still carries the workspace.
  }
}

/** The remembered workspace when the person still belongs to it, otherwise the first one (or none). */
export function pickWorkspace(workspaces: readonly Workspace[], storedId: string | null): Workspace | null {
  return workspaces.find((workspace) => workspace.id === storedId) ?? workspaces[0] ?? null;
}

/** Roles that may manage members, invitations, keys and settings. */
export function canManage(role: Workspace['role'] | undefined): boolean {
  return role === 'owner' || role === 'admin';
}
