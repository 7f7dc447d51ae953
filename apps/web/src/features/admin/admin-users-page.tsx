import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog.tsx';
import { PersonCell } from '@/components/person-cell.tsx';
import { PageHeader } from '@/components/page-header.tsx';
import { ActionsHead, QueryTableCard } from '@/components/query-table-card.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { TableCell, TableHead, TableRow } from '@/components/ui/table.tsx';
import { api, type AdminUser } from '@/lib/api.ts';
import { formatDate } from '@/lib/format.ts';
import { toast } from '@/lib/toast.ts';
import { useSession } from '@/lib/use-app.ts';
import { adminKeys } from '@/features/admin/admin.queries.ts';

function UserRow({ user, self, onAction }: { user: AdminUser; self: boolean; onAction: (action: 'disable' | 'enable') => void }) {
  return (
    <TableRow>
      <PersonCell name={user.name} email={user.email} self={self} />
      <TableCell>
        <div className="flex flex-wrap gap-1">
          {user.disabledAt ? <Badge variant="destructive">disabled</Badge> : <Badge variant="success">active</Badge>}
          {user.isAdmin ? <Badge>admin</Badge> : null}
          {user.twoFactorEnabled ? <Badge variant="outline">2FA</Badge> : null}
        </div>
      </TableCell>
      <TableCell className="hidden text-muted-foreground sm:table-cell">{formatDate(user.createdAt)}</TableCell>
      <TableCell className="text-right">
        {self ? null : user.disabledAt ? (
          <Button variant="outline" size="sm" onClick={() => onAction('enable')}>
            Enable
          </Button>
        ) : (
          <Button variant="ghost" size="sm" onClick={() => onAction('disable')}>
            Disable
          </Button>
        )}
      </TableCell>
    </TableRow>
  );
}

export function AdminUsersPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<{ user: AdminUser; action: 'disable' | 'enable' } | null>(null);
  const users = useQuery({ queryKey: adminKeys.adminUsers, queryFn: async () => (await api.listUsers()).users });

  return (
    <>
      <PageHeader title="Users" description="Everyone with an account on this instance." />
      <QueryTableCard
        query={users}
        columns={
          <>
            <TableHead>User</TableHead>
            <TableHead>Status</TableHead>
            <TableHead className="hidden sm:table-cell">Created</TableHead>
            <ActionsHead />
          </>
        }
        row={(user) => <UserRow key={user.id} user={user} self={user.id === session.user.id} onAction={(action) => setTarget({ user, action })} />}
      />
      <ConfirmDialog
        open={target !== null}
        onOpenChange={(open) => !open && setTarget(null)}
        title={target?.action === 'enable' ? `Enable ${target.user.name}?` : `Disable ${target?.user.name ?? ''}?`}
        description={
          target?.action === 'enable'
            ? 'They can sign in again. Their old sessions and keys stay revoked.'
            : 'They are signed out everywhere, their API keys stop working, and they cannot sign in until enabled again.'
        }
        confirmLabel={target?.action === 'enable' ? 'Enable user' : 'Disable user'}
        onConfirm={async () => {
          if (!target) return;
          if (target.action === 'enable') await api.enableUser(target.user.id);
          else await api.disableUser(target.user.id);
          await queryClient.invalidateQueries({ queryKey: adminKeys.adminUsers });
          toast.success(`${target.user.name} ${target.action === 'enable' ? 'enabled' : 'disabled'}`);
        }}
      />
    </>
  );
}
