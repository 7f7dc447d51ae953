import { describe, expect, it } from 'vitest';
import { invitationTiming } from './invitation-timing.ts';

const now = Date.parse('2026-03-10T12:00:00Z');
const base = { expiresAt: '2026-03-15T12:00:00Z', acceptedAt: null, acceptedBy: null };

describe('invitationTiming', () => {
  it('says when a pending link expires', () => {
    expect(invitationTiming({ ...base, status: 'pending' }, now)).toBe('Expires in 5 days');
  });

  it('says when and by whom an accepted invitation was used, not when it would have expired', () => {
    const accepted = { ...base, status: 'accepted' as const, acceptedAt: '2026-03-10T10:00:00Z', acceptedBy: { id: 'u1', name: 'Mia', email: 'mia@example.com' } };
    expect(invitationTiming(accepted, now)).toBe('Accepted 2 hours ago by Mia');
    expect(invitationTiming({ ...accepted, acceptedBy: null }, now)).toBe('Accepted 2 hours ago');
    expect(invitationTiming(accepted, now)).not.toContain('Expires');
  });

  it('names expired and revoked links for what they are', () => {
    expect(invitationTiming({ ...base, status: 'expired', expiresAt: '2026-03-08T12:00:00Z' }, now)).toBe('Expired 2 days ago');
    expect(invitationTiming({ ...base, status: 'revoked' }, now)).toBe('Revoked');
  });
});
