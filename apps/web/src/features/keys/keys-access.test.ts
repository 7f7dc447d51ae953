import { describe, expect, it } from 'vitest';
import { defaultKeyRole, keyRolesFor, mayCreateKeys, seesEveryonesKeys } from './keys-access.ts';

describe('who creates which API keys', () => {
  it('offers roles up to the person’s own, never owner', () => {
    expect(keyRolesFor('owner')).toEqual(['admin', 'member', 'viewer']);
    expect(keyRolesFor('admin')).toEqual(['admin', 'member', 'viewer']);
    expect(keyRolesFor('member')).toEqual(['member', 'viewer']);
    expect(keyRolesFor('viewer')).toEqual(['viewer']);
  });

  it('starts a new key as member where it may, as viewer for a viewer', () => {
    expect(defaultKeyRole('admin')).toBe('member');
    expect(defaultKeyRole('member')).toBe('member');
    expect(defaultKeyRole('viewer')).toBe('viewer');
  });

  it('lets members and viewers create keys only while the workspace allows it; admins always', () => {
    expect(mayCreateKeys('member', { memberKeys: 'on' })).toBe(true);
    expect(mayCreateKeys('viewer', { memberKeys: 'off' })).toBe(false);
    expect(mayCreateKeys('member', { memberKeys: 'off' })).toBe(false);
    expect(mayCreateKeys('admin', { memberKeys: 'off' })).toBe(true);
    // Settings not loaded yet: offer the form; the server has the last word.
    expect(mayCreateKeys('member', undefined)).toBe(true);
  });

  it("shows everyone's keys to admins and owners only", () => {
    expect(seesEveryonesKeys('owner')).toBe(true);
    expect(seesEveryonesKeys('admin')).toBe(true);
    expect(seesEveryonesKeys('member')).toBe(false);
    expect(seesEveryonesKeys('viewer')).toBe(false);
  });
});
