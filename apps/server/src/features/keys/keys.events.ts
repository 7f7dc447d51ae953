import type { AuditService } from '../audit/audit.service.ts';
import type { WorkspaceAccessEvent } from '../workspaces/workspaces.events.ts';
import type { KeysService } from './keys.service.ts';

declare module '../../platform/events/domain-events.ts' {
  interface DomainEventMap {
    /** An API key was revoked (committed): by a person, because its creator left the workspace, or because the creator's account was disabled. */
    'key-revoke': { workspaceId: string; keyId: string; reason: 'revoked' | 'creator-removed' | 'creator-disabled' };
  }
}

/**
 * A person removed from a workspace loses the keys they made there: they are revoked (and shown revoked), each
 * with an audit event, so that re-inviting the person later does not bring old keys back. Runs in the process
 * that removed the member, right after the removal; until it has run, the keys already fail (their creator
 * is no longer a member).
 */
export const revokeKeysOfRemovedMember =
  ({ keys, audit }: { keys: Pick<KeysService, 'revokeCreatedByInWorkspace'>; audit: Pick<AuditService, 'record'> }) =>
  async (event: Extract<WorkspaceAccessEvent, { type: 'member-remove' }>): Promise<void> => {
    const revoked = await keys.revokeCreatedByInWorkspace(event.workspaceId, event.userId);
    for (const keyId of revoked) {
      await audit.record({
        workspaceId: event.workspaceId,
        actor: { type: 'system', id: null, label: 'member removal' },
        action: 'key.revoke',
        target: { type: 'key', id: keyId },
        outcome: 'success',
        metadata: { reason: 'creator-removed', creatorId: event.userId },
      });
    }
  };
