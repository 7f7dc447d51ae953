import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { EllipsisVerticalIcon, UserPlusIcon } from 'lucide-react';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { ConfirmDialog } from '@/components/confirm-dialog.tsx';
import { FormInput } from '@/components/form-input.tsx';
import { PersonCell } from '@/components/person-cell.tsx';
import { PageHeader } from '@/components/page-header.tsx';
import { ColumnHeads, QueryTableCard } from '@/components/query-table-card.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { SecretValue } from '@/components/ui/copy-button.tsx';
import { DialogForm, useResultFormDialog } from '@/components/form-dialog.tsx';
import { Dialog, DialogFooter, FormDialogFooter } from '@/components/ui/dialog.tsx';
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from '@/components/ui/dropdown-menu.tsx';
import { FormError } from '@/components/ui/field.tsx';
import { TableCell, TableRow } from '@/components/ui/table.tsx';
import { api, type AdminUser, type ResetLink } from '@/lib/api.ts';
import { formatDate, formatDateTime } from '@/lib/format.ts';
import { emailSchema, nameSchema } from '@/lib/schemas.ts';
import { toast } from '@/lib/toast.ts';
import { useSession } from '@/lib/use-app.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { adminKeys } from '@/features/admin/admin.queries.ts';

type UserAction = 'disable' | 'enable' | 'promote' | 'demote' | 'reset';

/** What each action asks before it runs, and what it says when done. */
const confirmations: Record<Exclude<UserAction, 'reset'>, { title: (name: string) => string; description: string; label: string; done: string }> = {
  disable: {
    title: (name) => `Disable ${name}?`,
    description: 'They are signed out everywhere, their API keys stop working, and they cannot sign in until enabled again.',
    label: 'Disable user',
    done: 'disabled',
  },
  enable: { title: (name) => `Enable ${name}?`, description: 'They can sign in again. Their old sessions and keys stay revoked.', label: 'Enable user', done: 'enabled' },
  promote: {
    title: (name) => `Make ${name} an administrator?`,
    description: 'Administrators manage every account and the instance settings, from their next page load on.',
    label: 'Make administrator',
    done: 'is now an administrator',
  },
  demote: {
    title: (name) => `Remove ${name} as administrator?`,
    description: 'They keep their account and workspaces but no longer manage the instance. The last administrator cannot be removed.',
    label: 'Remove administrator',
    done: 'is no longer an administrator',
  },
};

/** The link an administrator hands over (there is no email yet), shown once. */
function ResetLinkResult({ name, link, onDone }: { name: string; link: ResetLink; onDone: () => void }) {
  return (
    <div className="grid gap-4">
      <p className="text-sm text-muted-foreground">
        Give this link to {name} yourself (chat, in person): Stead sends no email yet. It works once, until {formatDateTime(link.expiresAt)}, and
        signs them out everywhere when used.
      </p>
      <SecretValue id="reset-link" label="Password link" value={link.url} />
      <DialogFooter>
        <Button onClick={onDone}>Done</Button>
      </DialogFooter>
    </div>
  );
}

const createUserSchema = z.object({ name: nameSchema, email: emailSchema, isAdmin: z.boolean() });

function CreateUserDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const queryClient = useQueryClient();
  const form = useForm({ resolver: zodResolver(createUserSchema), defaultValues: { name: '', email: '', isAdmin: false } });
  const { result: created, setResult: setCreated, close, serverError, guard } = useResultFormDialog<{ name: string; link: ResetLink }>(form, onOpenChange);
  return (
    <Dialog
      open={open}
      onOpenChange={close}
      title={created ? `${created.name} can now set a password` : 'Create a user'}
      description={created ? undefined : 'You do not choose their password: you get a one-time link for them to set it.'}
    >
      {created ? (
        <ResetLinkResult name={created.name} link={created.link} onDone={() => close(false)} />
      ) : (
        <DialogForm
          onSubmit={form.handleSubmit(guard(async (values) => {
            const result = await api.createUser(values);
            await queryClient.invalidateQueries({ queryKey: adminKeys.adminUsers });
            setCreated({ name: result.user.name, link: result.resetLink });
          }))}
        >
          <FormInput form={form} name="name" id="new-user-name" label="Name" autoComplete="off" />
          <FormInput form={form} name="email" id="new-user-email" label="Email" type="email" autoComplete="off" />
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" className="mt-0.5 size-4 accent-primary" {...form.register('isAdmin')} />
            <span>
              Instance administrator
              <span className="block text-xs text-muted-foreground">Manages every account and the instance settings.</span>
            </span>
          </label>
          <FormDialogFooter error={serverError} onCancel={() => close(false)} submitDisabled={form.formState.isSubmitting}>
            Create user
          </FormDialogFooter>
        </DialogForm>
      )}
    </Dialog>
  );
}

function UserActions({ user, self, onAction }: { user: AdminUser; self: boolean; onAction: (action: UserAction) => void }) {
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" aria-label={`Actions for ${user.name}`}>
          <EllipsisVerticalIcon aria-hidden />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuItem onSelect={() => onAction('reset')}>Reset password…</DropdownMenuItem>
        {/* Your own standing is changed by another administrator, so nobody locks themselves out by a slip. */}
        {self ? null : user.isAdmin ? (
          <DropdownMenuItem onSelect={() => onAction('demote')}>Remove administrator…</DropdownMenuItem>
        ) : (
          <DropdownMenuItem onSelect={() => onAction('promote')}>Make administrator…</DropdownMenuItem>
        )}
        {self ? null : user.disabledAt ? (
          <DropdownMenuItem onSelect={() => onAction('enable')}>Enable…</DropdownMenuItem>
        ) : (
          <DropdownMenuItem onSelect={() => onAction('disable')}>Disable…</DropdownMenuItem>
        )}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

function UserRow({ user, self, onAction }: { user: AdminUser; self: boolean; onAction: (action: UserAction) => void }) {
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
        <UserActions user={user} self={self} onAction={onAction} />
      </TableCell>
    </TableRow>
  );
}

function ResetPasswordDialog({ user, onClose }: { user: AdminUser | null; onClose: () => void }) {
  const [link, setLink] = useState<ResetLink | null>(null);
  const { serverError, setServerError, guard } = useServerError();
  const [pending, setPending] = useState(false);
  const close = () => {
    setLink(null);
    setServerError(null);
    onClose();
  };
  const make = guard(async () => {
    if (!user) return;
    setPending(true);
    try {
      setLink(await api.createResetLink(user.id));
    } finally {
      setPending(false);
    }
  });
  return (
    <Dialog
      open={user !== null}
      onOpenChange={(open) => !open && close()}
      title={link ? `Password link for ${user?.name ?? ''}` : `Reset the password of ${user?.name ?? ''}?`}
      description={
        link
          ? undefined
          : 'You get a one-time link, valid 24 hours, for them to set a new password. Their current password works until the link is used; earlier links stop working now.'
      }
    >
      {link && user ? (
        <ResetLinkResult name={user.name} link={link} onDone={close} />
      ) : (
        <>
          <FormError message={serverError} />
          <DialogFooter>
            <Button variant="outline" onClick={close}>
              Cancel
            </Button>
            <Button disabled={pending} onClick={() => void make(undefined)}>
              Make reset link
            </Button>
          </DialogFooter>
        </>
      )}
    </Dialog>
  );
}

export function AdminUsersPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [target, setTarget] = useState<{ user: AdminUser; action: Exclude<UserAction, 'reset'> } | null>(null);
  const [resetting, setResetting] = useState<AdminUser | null>(null);
  const users = useQuery({ queryKey: adminKeys.adminUsers, queryFn: async () => (await api.listUsers()).users });
  const confirmation = target ? confirmations[target.action] : null;

  return (
    <>
      <PageHeader
        title="Users"
        description="Everyone with an account on this instance."
        actions={
          <Button onClick={() => setCreating(true)}>
            <UserPlusIcon aria-hidden />
            Create user
          </Button>
        }
      />
      <QueryTableCard
        query={users}
        label="Users"
        columns={<ColumnHeads heads={['User', 'Status', ['Created', 'sm']]} actions />}
        row={(user) => (
          <UserRow
            key={user.id}
            user={user}
            self={user.id === session.user.id}
            onAction={(action) => (action === 'reset' ? setResetting(user) : setTarget({ user, action }))}
          />
        )}
      />
      <CreateUserDialog open={creating} onOpenChange={setCreating} />
      <ResetPasswordDialog user={resetting} onClose={() => setResetting(null)} />
      <ConfirmDialog
        open={target !== null}
        onOpenChange={(open) => !open && setTarget(null)}
        title={confirmation && target ? confirmation.title(target.user.name) : ''}
        description={confirmation?.description ?? ''}
        confirmLabel={confirmation?.label ?? ''}
        onConfirm={async () => {
          if (!target || !confirmation) return;
          const { user, action } = target;
          await { disable: api.disableUser, enable: api.enableUser, promote: api.promoteUser, demote: api.demoteUser }[action](user.id);
          await queryClient.invalidateQueries({ queryKey: adminKeys.adminUsers });
          toast.success(`${user.name} ${confirmation.done}`);
        }}
      />
    </>
  );
}
