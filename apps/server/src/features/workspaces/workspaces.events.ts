import type { WorkspaceRole } from '../../platform/http/permissions.ts';

/**
 * What the workspaces feature announces when someone's access to a workspace shrinks or ends. Other features
 * react (the keys feature revokes a removed member's keys; every node drops its cached roles) without the
 * workspaces service knowing them.
 */
export type WorkspaceAccessEvent =
  | { type: 'member-role-change'; workspaceId: string; userId: string; role: WorkspaceRole }
  | { type: 'member-remove'; workspaceId: string; userId: string }
  | { type: 'workspace-delete'; workspaceId: string };

export const workspaceAccessEventTypes = ['member-role-change', 'member-remove', 'workspace-delete'] as const satisfies readonly WorkspaceAccessEvent['type'][];

/** Emits an access event; resolves once this process's handlers ran (see platform/events/domain-events.ts). */
export type EmitWorkspaceAccessEvent = (event: WorkspaceAccessEvent) => Promise<void>;
