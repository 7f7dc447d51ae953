import { Badge } from '@/components/ui/badge.tsx';
import type { InvitationStatus, Role } from '@/lib/api.ts';

export function RoleBadge({ role }: { role: Role }) {
  return <Badge variant={role === 'owner' ? 'default' : role === 'admin' ? 'secondary' : 'outline'}>{role}</Badge>;
}

export function InvitationStatusBadge({ status }: { status: InvitationStatus }) {
  const variant = status === 'pending' ? 'warning' : status === 'accepted' ? 'success' : 'outline';
  return <Badge variant={variant}>{status}</Badge>;
}

/** Roles the current person may hand out: only an owner can make another owner. */
export function assignableRoles(currentRole: Role): Role[] {
  return currentRole === 'owner' ? ['owner', 'admin', 'member', 'viewer'] : ['admin', 'member', 'viewer'];
}
