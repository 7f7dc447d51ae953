import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog.tsx';
import { LoadingRows, PageHeader } from '@/components/page-header.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent } from '@/components/ui/card.tsx';
import { FormError } from '@/components/ui/field.tsx';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table.tsx';
import { api, type AdminUser } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { formatDate } from '@/lib/format.ts';
import { queryKeys } from '@/lib/queries.ts';
import { toast } from '@/lib/toast.ts';
import { useSession } from '@/lib/use-app.ts';

export function AdminUsersPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<{ user: AdminUser; action: 'disable' | 'enable' } | null>(null);
  const users = useQuery({ queryKey: queryKeys.adminUsers, queryFn: async () => (await api.listUsers()).users });

  return (
    <>
      <PageHeader title="Users" description="Everyone with an account on this instance." />
      <Card>
        <CardContent className="pt-4 sm:pt-6">
          {users.isPending ? (
            <LoadingRows />
          ) : users.isError ? (
            <FormError message={errorMessage(users.error)} />
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>User</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead className="hidden sm:table-cell">Created</TableHead>
                  <TableHead className="text-right">
                    <span className="sr-only">Actions</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {users.data.map((user) => {
                  const self = user.id === session.user.id;
                  return (
                    <TableRow key={user.id}>
                      <TableCell>
                        <div className="font-medium">
                          {user.name}
                          {self ? <span className="ml-1 text-xs text-muted-foreground">(you)</span> : null}
                        </div>
                        <div className="text-xs break-all text-muted-foreground">{user.email}</div>
                      </TableCell>
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
                          <Button variant="outline" size="sm" onClick={() => setTarget({ user, action: 'enable' })}>
                            Enable
                          </Button>
                        ) : (
                          <Button variant="ghost" size="sm" onClick={() => setTarget({ user, action: 'disable' })}>
                            Disable
                          </Button>
                        )}
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
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
          await queryClient.invalidateQueries({ queryKey: queryKeys.adminUsers });
          toast.success(`${target.user.name} ${target.action === 'enable' ? 'enabled' : 'disabled'}`);
        }}
      />
    </>
  );
}
