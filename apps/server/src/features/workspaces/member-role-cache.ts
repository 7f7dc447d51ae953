import type { Clock } from '../../platform/clock/clock.ts';
import type { WorkspaceRole } from '../../platform/http/permissions.ts';
import type { WorkspaceAccessEvent } from './workspaces.events.ts';

export interface MemberRoleCacheOptions {
  /** The current role from the database; null when the user is not a member. */
  lookup: (workspaceId: string, userId: string) => Promise<WorkspaceRole | null>;
  clock: Clock;
  /**
   * Whether invalidations reach this process (the domain events are being received). While they do not (Redis
   * not yet subscribed), nothing is served from the cache.
   */
  invalidationsArrive: () => boolean;
  /** How long an entry is trusted without an invalidation, in milliseconds: the bound on staleness when an event is lost. Default 5,000. */
  ttlMs?: number;
  /** Entries kept at most; the oldest go first. Default 10,000. */
  maxEntries?: number;
}

interface Entry {
  role: WorkspaceRole;
  expiresAt: number;
}

/**
 * Members' current roles, per (workspace, user), for the API-key check on every request (the gateway's hot
 * path): a hit is one map lookup. Entries are dropped by the workspaces feature's access events (role change,
 * removal, workspace deletion) on every node, and expire after a short TTL in case an event was lost (the bus
 * delivers at most once). Only memberships are cached: a miss for a non-member always asks the database.
 */
export interface MemberRoleCache {
  /** The member's current role (cached); null when not a member (never cached). */
  role(workspaceId: string, userId: string): Promise<WorkspaceRole | null>;
  /** Drops what an access event makes stale. */
  invalidate(event: WorkspaceAccessEvent): void;
}

export const createMemberRoleCache = ({ lookup, clock, invalidationsArrive, ttlMs = 5_000, maxEntries = 10_000 }: MemberRoleCacheOptions) : MemberRoleCache => {
  const entries = new Map<string, Entry>();
  // Bumped by every invalidation: a lookup that started before one must not store what it read.
  let generation = 0;
  const keyOf = (workspaceId: string, userId: string) => `${workspaceId}\u0000${userId}`;

  return {
    async role(workspaceId: string, userId: string): Promise<WorkspaceRole | null> {
      const key = keyOf(workspaceId, userId);
      const now = clock.now().getTime();
      const cached = entries.get(key);
      if (cached && cached.expiresAt > now && invalidationsArrive()) return cached.role;
      const started = generation;
      const role = await lookup(workspaceId, userId);
      entries.delete(key);
      if (role && started === generation && invalidationsArrive()) {
        entries.set(key, { role, expiresAt: now + ttlMs });
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      }
      return role;
    },

    invalidate(event: WorkspaceAccessEvent): void {
      generation += 1;
      if (event.type === 'workspace-delete') {
        const prefix = `${event.workspaceId}\u0000`;
        for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
      } else {
        entries.delete(keyOf(event.workspaceId, event.userId));
      }
    },
  };
};

