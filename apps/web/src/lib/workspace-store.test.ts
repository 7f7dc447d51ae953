import { describe, expect, it } from 'vitest';
import type { Workspace } from './api.ts';
import { canManage, pickWorkspace } from './workspace-store.ts';

const workspace = (id: string, role: Workspace['role'] = 'member'): Workspace => ({
  id,
  name: id,
  slug: id,
  role,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
});

describe('pickWorkspace', () => {
  it('prefers the remembered workspace', () => {
    expect(pickWorkspace([workspace('a'), workspace('b')], 'b')?.id).toBe('b');
  });
  it('falls back to the first when the remembered one is gone', () => {
    expect(pickWorkspace([workspace('a'), workspace('b')], 'zzz')?.id).toBe('a');
    expect(pickWorkspace([workspace('a')], null)?.id).toBe('a');
  });
  it('returns null without workspaces', () => {
    expect(pickWorkspace([], 'a')).toBeNull();
  });
});

describe('canManage', () => {
  it('allows owners and admins only', () => {
    expect(canManage('owner')).toBe(true);
    expect(canManage('admin')).toBe(true);
    expect(canManage('member')).toBe(false);
    expect(canManage('viewer')).toBe(false);
    expect(canManage(undefined)).toBe(false);
  });
});
