import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { MailPlusIcon, Trash2Icon } from 'lucide-react';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormInput } from '@/components/form-input.tsx';
import { ConfirmItemDialog } from '@/components/confirm-dialog.tsx';
import { PersonCell } from '@/components/person-cell.tsx';
import { PageHeader } from '@/components/page-header.tsx';
import { ColumnHeads, QueryTableCard } from '@/components/query-table-card.tsx';
import { assignableRoles, InvitationStatusBadge, RoleBadge } from '@/components/role-badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { SecretValue } from '@/components/ui/copy-button.tsx';
import { DialogForm, useResultFormDialog } from '@/components/form-dialog.tsx';
import { Dialog, DialogFooter, FormDialogFooter } from '@/components/ui/dialog.tsx';
import { Field } from '@/components/ui/field.tsx';
import { NativeSelect } from '@/components/ui/input.tsx';
import { TableCell, TableRow } from '@/components/ui/table.tsx';
import { api, type Invitation, type Member, type Role } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { formatDate, formatDateTime } from '@/lib/format.ts';
import { toast } from '@/lib/toast.ts';
import { useCurrentWorkspace, useSession } from '@/lib/use-app.ts';
import { canManage } from '@/lib/workspace-store.ts';
import { invitationTiming } from '@/features/workspaces/invitation-timing.ts';
import { memberKeys } from '@/features/workspaces/workspaces.queries.ts';

const inviteSchema = z.object({
  email: z.union([z.literal(''), z.email('Enter a valid email address.')]),
  role: z.enum(['owner', 'admin', 'member', 'viewer']),
});

function InviteDialog({ workspaceId, currentRole, open, onOpenChange }: { workspaceId: string; currentRole: Role; open: boolean; onOpenChange: (open: boolean) => void }) {
  const queryClient = useQueryClient();
  const form = useForm({ resolver: zodResolver(inviteSchema), defaultValues: { email: '', role: 'member' as Role } });
  const { errors, isSubmitting } = form.formState;
  const { result: link, setResult: setLink, close, serverError, guard } = useResultFormDialog<string>(form, onOpenChange);

  return (
    <Dialog
      open={open}
      onOpenChange={close}
      title={link ? 'Invitation created' : 'Invite someone'}
      description={
        link
          ? 'Send this link to the person you invited. It is shown only once.'
          : 'Creates a link that lets one person join this workspace. Leave the email empty to create a link for anyone who has it.'
      }
    >
      {link ? (
        <div className="grid gap-4">
          <SecretValue id="invitation-link" label="Invitation link" value={link} />
          <DialogFooter>
            <Button onClick={() => close(false)}>Done</Button>
          </DialogFooter>
        </div>
      ) : (
        <DialogForm
          onSubmit={form.handleSubmit(guard(async (values) => {
            const result = await api.createInvitation(workspaceId, { role: values.role, ...(values.email ? { email: values.email } : {}) });
            setLink(result.url);
            await queryClient.invalidateQueries({ queryKey: memberKeys.invitations(workspaceId) });
          }))}
        >
          <FormInput
            form={form}
            name="email"
            id="invite-email"
            label="Email"
            hint="Optional. Only this address can use the link."
            type="email"
            autoComplete="off"
          />
          <Field id="invite-role" label="Role" error={errors.role?.message}>
            <NativeSelect id="invite-role" {...form.register('role')}>
              {assignableRoles(currentRole).map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <FormDialogFooter error={serverError} onCancel={() => close(false)} submitDisabled={isSubmitting}>
            Create invitation
          </FormDialogFooter>
        </DialogForm>
      )}
    </Dialog>
  );
}

function MemberRow({ member, workspaceId, currentRole, isSelf, onRemove }: { member: Member; workspaceId: string; currentRole: Role; isSelf: boolean; onRemove: () => void }) {
  const queryClient = useQueryClient();
  const changeRole = useMutation({
    mutationFn: (role: Role) => api.changeMemberRole(workspaceId, member.userId, { role }),
    onSuccess: ({ member: updated }) => toast.success(`${updated.name} is now ${updated.role}`),
    onError: (error) => toast.error('Could not change the role', errorMessage(error)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: memberKeys.members(workspaceId) }),
  });
  const manage = canManage(currentRole);
  // Admins cannot change owners; nobody changes their own role here.
  const editable = manage && !isSelf && (currentRole === 'owner' || member.role !== 'owner');
  return (
    <TableRow>
      <PersonCell name={member.name} email={member.email} self={isSelf} />
      <TableCell>
        {editable ? (
          <NativeSelect
            aria-label={`Permission level for ${member.name}`}
            className="h-8 w-28"
            value={member.role}
            disabled={changeRole.isPending}
            onChange={(event) => changeRole.mutate(event.target.value as Role)}
          >
            {assignableRoles(currentRole).map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </NativeSelect>
        ) : (
          <RoleBadge role={member.role} />
        )}
      </TableCell>
      <TableCell className="hidden text-muted-foreground sm:table-cell">{formatDate(member.joinedAt)}</TableCell>
      <TableCell className="text-right">
        {editable ? (
          <Button variant="ghost" size="icon" aria-label={`Remove ${member.name}`} onClick={onRemove}>
            <Trash2Icon aria-hidden />
          </Button>
        ) : null}
      </TableCell>
    </TableRow>
  );
}

function InvitationRow({ invitation, onRevoke }: { invitation: Invitation; onRevoke: () => void }) {
  return (
    <TableRow>
      <TableCell className="max-w-48 break-words">{invitation.email ?? <span className="text-muted-foreground">Anyone with the link</span>}</TableCell>
      <TableCell className="hidden sm:table-cell">
        <RoleBadge role={invitation.role} />
      </TableCell>
      <TableCell>
        <InvitationStatusBadge status={invitation.status} />
        <div className="mt-1 text-xs text-muted-foreground sm:hidden">{invitationTiming(invitation)}</div>
      </TableCell>
      <TableCell className="hidden text-muted-foreground sm:table-cell" title={formatDateTime(invitation.acceptedAt ?? invitation.expiresAt)}>
        {invitationTiming(invitation)}
      </TableCell>
      <TableCell className="text-right">
        {invitation.status === 'pending' ? (
          <Button variant="ghost" size="sm" onClick={onRevoke}>
            Revoke
          </Button>
        ) : null}
      </TableCell>
    </TableRow>
  );
}

function InvitationsCard({ workspaceId }: { workspaceId: string }) {
  const queryClient = useQueryClient();
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const invitations = useQuery({
    queryKey: memberKeys.invitations(workspaceId),
    queryFn: async () => (await api.listInvitations(workspaceId)).invitations,
  });
  return (
    <>
      <QueryTableCard
        query={invitations}
        title="Invitations"
        description="Links that let people join this workspace."
        heading="card"
        className="mt-6"
        empty="No invitations yet."
        columns={<ColumnHeads heads={['Email', ['Role', 'sm'], 'Status', ['When', 'sm']]} actions />}
        row={(invitation) => <InvitationRow key={invitation.id} invitation={invitation} onRevoke={() => setRevoking(invitation)} />}
      />
      <ConfirmItemDialog
        item={revoking}
        onClose={() => setRevoking(null)}
        title="Revoke invitation?"
        description={`The link for ${revoking?.email ?? 'this invitation'} will stop working.`}
        confirmLabel="Revoke invitation"
        onConfirm={async (item) => {
          await api.revokeInvitation(workspaceId, item.id);
          await queryClient.invalidateQueries({ queryKey: memberKeys.invitations(workspaceId) });
          toast.success('Invitation revoked');
        }}
      />
    </>
  );
}

export function MembersPage() {
  const workspace = useCurrentWorkspace();
  const session = useSession();
  const queryClient = useQueryClient();
  const [inviteOpen, setInviteOpen] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const manage = canManage(workspace.role);
  const members = useQuery({
    queryKey: memberKeys.members(workspace.id),
    queryFn: async () => (await api.listMembers(workspace.id)).members,
  });

  return (
    <>
      <PageHeader
        title="Members"
        description={`People in ${workspace.name} and what they may do.`}
        actions={
          manage ? (
            <Button onClick={() => setInviteOpen(true)}>
              <MailPlusIcon aria-hidden />
              Invite
            </Button>
          ) : null
        }
      />
      <QueryTableCard
        query={members}
        columns={<ColumnHeads heads={['Member', 'Role', ['Joined', 'sm']]} actions />}
        row={(member) => (
          <MemberRow
            key={member.userId}
            member={member}
            workspaceId={workspace.id}
            currentRole={workspace.role}
            isSelf={member.userId === session.user.id}
            onRemove={() => setRemoving(member)}
          />
        )}
      />
      {manage ? <InvitationsCard workspaceId={workspace.id} /> : null}
      {manage ? <InviteDialog workspaceId={workspace.id} currentRole={workspace.role} open={inviteOpen} onOpenChange={setInviteOpen} /> : null}
      <ConfirmItemDialog
        item={removing}
        onClose={() => setRemoving(null)}
        title="Remove member?"
        description={`${removing?.name ?? 'This person'} will lose access to ${workspace.name}.`}
        confirmLabel="Remove member"
        onConfirm={async (item) => {
          await api.removeMember(workspace.id, item.userId);
          await queryClient.invalidateQueries({ queryKey: memberKeys.members(workspace.id) });
          toast.success(`${item.name} removed`);
        }}
      />
    </>
  );
}
