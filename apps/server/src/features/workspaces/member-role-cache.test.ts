import { describe, expect, it } from 'vitest';
import type { WorkspaceRole } from '../../platform/http/permissions.ts';
import { createMemberRoleCache } from './member-role-cache.ts';

const setUp = (options: { listening?: boolean } = {}) => {
  const roles = new Map<string, WorkspaceRole>([['w1/u1', 'admin']]);
  const state = { now: 0, lookups: 0, listening: options.listening ?? true, gate: undefined as Promise<void> | undefined };
  const cache = createMemberRoleCache({
    lookup: async (workspaceId, userId) => {
      state.lookups += 1;
      const role = roles.get(`${workspaceId}/${userId}`) ?? null;
      await state.gate;
      return role;
    },
    clock: { now: () => new Date(state.now) },
    invalidationsArrive: () => state.listening,
    ttlMs: 1_000,
  });
  return { cache, roles, state };
};

describe('member role cache', () => {
  it('answers from memory until an access event or the TTL, then asks again', async () => {
    const { cache, roles, state } = setUp();
    expect(await cache.role('w1', 'u1')).toBe('admin');
    expect(await cache.role('w1', 'u1')).toBe('admin');
    expect(state.lookups).toBe(1);
    roles.set('w1/u1', 'viewer');
    cache.invalidate({ type: 'member-role-change', workspaceId: 'w1', userId: 'u1', role: 'viewer' });
    expect(await cache.role('w1', 'u1')).toBe('viewer');
    roles.delete('w1/u1');
    state.now += 1_001;
    expect(await cache.role('w1', 'u1')).toBeNull();
    roles.set('w1/u1', 'member');
    expect(await cache.role('w1', 'u1')).toBe('member'); // non-members are never cached
    cache.invalidate({ type: 'workspace-delete', workspaceId: 'w1' });
    roles.delete('w1/u1');
    expect(await cache.role('w1', 'u1')).toBeNull();
  });

  it('does not store a role read before an invalidation that arrived while it was read', async () => {
    const { cache, roles, state } = setUp();
    let open!: () => void;
    state.gate = new Promise((resolve) => (open = resolve));
    const reading = cache.role('w1', 'u1');
    roles.set('w1/u1', 'viewer');
    cache.invalidate({ type: 'member-role-change', workspaceId: 'w1', userId: 'u1', role: 'viewer' });
    open();
    expect(await reading).toBe('admin');
    state.gate = undefined;
    expect(await cache.role('w1', 'u1')).toBe('viewer');
  });

  it('serves nothing from memory while invalidations do not arrive (event bus not subscribed)', async () => {
    const { cache, state } = setUp({ listening: false });
    await cache.role('w1', 'u1');
    await cache.role('w1', 'u1');
    expect(state.lookups).toBe(2);
  });
});
