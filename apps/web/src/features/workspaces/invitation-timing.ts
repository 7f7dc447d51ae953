import type { Invitation } from '@/lib/api.ts';
import { formatRelative } from '@/lib/format.ts';

/**
 * The one line about when an invitation matters: a pending link says when it expires, a used one when it was
 * accepted and by whom (never "expires in 7 days" once someone joined with it).
 */
export function invitationTiming(invitation: Pick<Invitation, 'status' | 'expiresAt' | 'acceptedAt' | 'acceptedBy'>, now: number = Date.now()): string {
  switch (invitation.status) {
    case 'accepted': {
      const by = invitation.acceptedBy ? ` by ${invitation.acceptedBy.name || invitation.acceptedBy.email}` : '';
      const when = invitation.acceptedAt ? ` ${formatRelative(invitation.acceptedAt, now)}` : '';
      return `Accepted${when}${by}`;
    }
    case 'revoked':
      return 'Revoked';
    case 'expired':
      return `Expired ${formatRelative(invitation.expiresAt, now)}`;
    default:
      return `Expires ${formatRelative(invitation.expiresAt, now)}`;
  }
}
