import type { DomainEventOf } from '../../platform/events/domain-events.ts';
import type { WorkspaceRole } from '../../platform/http/permissions.ts';
import type { Workspace } from './workspaces.schema.ts';

/**
 * What the workspaces feature announces. Other features react without the workspaces service knowing them:
 * the keys feature revokes a removed member's keys, every node drops its cached roles when access shrinks or
 * ends, and the gateway's declared entries are copied into each new workspace.
 */
declare module '../../platform/events/domain-events.ts' {
  interface DomainEventMap {
    /** A workspace was created (committed), with its owner as the only member. */
    'workspace-create': { workspace: Workspace; ownerUserId: string };
    'member-role-change': { workspaceId: string; userId: string; role: WorkspaceRole };
    'member-remove': { workspaceId: string; userId: string };
    'workspace-delete': { workspaceId: string };
  }
}

/** The events by which someone's access to a workspace shrinks or ends. */
export const workspaceAccessEventTypes = ['member-role-change', 'member-remove', 'workspace-delete'] as const;
export type WorkspaceAccessEvent = DomainEventOf<(typeof workspaceAccessEventTypes)[number]>;
