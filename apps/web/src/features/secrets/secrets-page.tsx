import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { ConfirmItemDialog } from '@/components/confirm-dialog.tsx';
import { PageHeader } from '@/components/page-header.tsx';
import { ActionsHead, QueryTableCard } from '@/components/query-table-card.tsx';
import { RoleBadge } from '@/components/role-badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { Dialog, FormDialogFooter } from '@/components/ui/dialog.tsx';
import { Field, FormError } from '@/components/ui/field.tsx';
import { Input, NativeSelect } from '@/components/ui/input.tsx';
import { TableCell, TableHead, TableRow } from '@/components/ui/table.tsx';
import { api, type SecretUsableBy, type WorkspaceSecret } from '@/lib/api.ts';
import { formatDate, formatRelative } from '@/lib/format.ts';
import { editSecretFormSchema, secretFormSchema, secretUpdateRequest, secretUsableByChoices } from '@/features/secrets/secrets.ts';
import { toast } from '@/lib/toast.ts';
import { useWorkspacePage } from '@/lib/use-app.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { secretKeys } from '@/features/secrets/secrets.queries.ts';

function UsableBySelect({ id, ...props }: { id: string } & React.ComponentProps<'select'>) {
  return (
    <NativeSelect id={id} {...props}>
      {secretUsableByChoices.map((choice) => (
        <option key={choice.value} value={choice.value}>
          {choice.label}
        </option>
      ))}
    </NativeSelect>
  );
}

function AddSecretForm({ workspaceId }: { workspaceId: string }) {
  const queryClient = useQueryClient();
  const { serverError, guard } = useServerError();
  const form = useForm({ resolver: zodResolver(secretFormSchema), defaultValues: { name: '', value: '', description: '', usableBy: 'admin' as SecretUsableBy } });
  const { errors, isSubmitting } = form.formState;
  return (
    <form
      noValidate
      className="grid gap-4 sm:grid-cols-2"
      onSubmit={form.handleSubmit(guard(async (values) => {
        const { secret } = await api.createSecret(workspaceId, values);
        // The value leaves the page here: the form forgets it, and nothing can show it again.
        form.reset();
        await queryClient.invalidateQueries({ queryKey: secretKeys.secrets(workspaceId) });
        toast.success(`Secret “${secret.name}” saved`);
      }))}
    >
      <Field id="secret-name" label="Name" error={errors.name?.message} hint="Tasks name it, e.g. in webhook.deliver's secretName.">
        <Input id="secret-name" placeholder="e.g. github-webhook" autoComplete="off" spellCheck={false} aria-invalid={errors.name ? true : undefined} {...form.register('name')} />
      </Field>
      <Field id="secret-value" label="Value" error={errors.value?.message} hint="Write-only: it is stored encrypted and never shown again.">
        <Input id="secret-value" type="password" autoComplete="new-password" aria-invalid={errors.value ? true : undefined} {...form.register('value')} />
      </Field>
      <Field id="secret-description" label="Description" error={errors.description?.message}>
        <Input id="secret-description" placeholder="What it is for" autoComplete="off" {...form.register('description')} />
      </Field>
      <Field id="secret-usable-by" label="Tasks may use it when created by">
        <UsableBySelect id="secret-usable-by" {...form.register('usableBy')} />
      </Field>
      <div className="sm:col-span-2">
        <Button type="submit" disabled={isSubmitting}>
          Add secret
        </Button>
      </div>
      {serverError ? (
        <div className="sm:col-span-2">
          <FormError message={serverError} />
        </div>
      ) : null}
    </form>
  );
}

function EditSecretDialog({ workspaceId, secret, onClose }: { workspaceId: string; secret: WorkspaceSecret; onClose: () => void }) {
  const queryClient = useQueryClient();
  const { serverError, guard } = useServerError();
  const form = useForm({ resolver: zodResolver(editSecretFormSchema), defaultValues: { value: '', description: secret.description, usableBy: secret.usableBy } });
  const { errors, isSubmitting } = form.formState;
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title={`Edit “${secret.name}”`} description="The current value is never shown. Type a new one to replace it, or leave the field empty to keep it.">
      <form
        noValidate
        className="grid gap-4"
        onSubmit={form.handleSubmit(guard(async (values) => {
          const body = secretUpdateRequest(secret, values);
          if (Object.keys(body).length > 0) await api.updateSecret(workspaceId, secret.name, body);
          await queryClient.invalidateQueries({ queryKey: secretKeys.secrets(workspaceId) });
          toast.success(body.value ? `Value of “${secret.name}” replaced` : `Secret “${secret.name}” saved`);
          onClose();
        }))}
      >
        <Field id="edit-secret-value" label="New value" error={errors.value?.message}>
          <Input id="edit-secret-value" type="password" autoComplete="new-password" placeholder="Leave empty to keep the current value" {...form.register('value')} />
        </Field>
        <Field id="edit-secret-description" label="Description" error={errors.description?.message}>
          <Input id="edit-secret-description" autoComplete="off" {...form.register('description')} />
        </Field>
        <Field id="edit-secret-usable-by" label="Tasks may use it when created by">
          <UsableBySelect id="edit-secret-usable-by" {...form.register('usableBy')} />
        </Field>
        <FormDialogFooter error={serverError} onCancel={onClose} submitDisabled={isSubmitting}>
          Save
        </FormDialogFooter>
      </form>
    </Dialog>
  );
}

function SecretRow({ secret, actions }: { secret: WorkspaceSecret; actions: { onEdit: () => void; onDelete: () => void } | null }) {
  return (
    <TableRow>
      <TableCell>
        <code className="font-medium break-all">{secret.name}</code>
        {secret.description ? <div className="text-xs text-muted-foreground">{secret.description}</div> : null}
      </TableCell>
      <TableCell>
        <RoleBadge role={secret.usableBy} />
        <span className="ml-1 text-xs text-muted-foreground">and above</span>
      </TableCell>
      <TableCell className="hidden text-muted-foreground md:table-cell">{formatDate(secret.updatedAt)}</TableCell>
      <TableCell className="hidden text-muted-foreground sm:table-cell">{formatRelative(secret.lastUsedAt)}</TableCell>
      {actions ? (
        <TableCell className="text-right whitespace-nowrap">
          <Button variant="ghost" size="sm" onClick={actions.onEdit}>
            Edit
          </Button>
          <Button variant="ghost" size="sm" onClick={actions.onDelete}>
            Delete
          </Button>
        </TableCell>
      ) : null}
    </TableRow>
  );
}

export function SecretsPage() {
  const { workspace, queryClient, manage } = useWorkspacePage();
  const [editing, setEditing] = useState<WorkspaceSecret | null>(null);
  const [deleting, setDeleting] = useState<WorkspaceSecret | null>(null);
  const secrets = useQuery({ queryKey: secretKeys.secrets(workspace.id), queryFn: async () => (await api.listSecrets(workspace.id)).secrets });

  return (
    <>
      <PageHeader title="Secrets" description="Values tasks may use without anyone reading them back: webhook signing keys, API tokens for http.request headers." />
      {manage ? (
        <Card className="mb-6">
          <CardHeader>
            <CardTitle>New secret</CardTitle>
            <CardDescription>Choose the lowest role whose tasks may use it. Tasks can name no other secret, and no one can read a value back.</CardDescription>
          </CardHeader>
          <CardContent>
            <AddSecretForm workspaceId={workspace.id} />
          </CardContent>
        </Card>
      ) : null}
      <QueryTableCard
        query={secrets}
        empty={manage ? 'No secrets yet.' : 'No secrets yet. Ask an admin to add one.'}
        columns={
          <>
            <TableHead>Name</TableHead>
            <TableHead>Usable by</TableHead>
            <TableHead className="hidden md:table-cell">Updated</TableHead>
            <TableHead className="hidden sm:table-cell">Last used</TableHead>
            {manage ? <ActionsHead /> : null}
          </>
        }
        row={(secret) => (
          <SecretRow key={secret.name} secret={secret} actions={manage ? { onEdit: () => setEditing(secret), onDelete: () => setDeleting(secret) } : null} />
        )}
      />

      {editing ? <EditSecretDialog workspaceId={workspace.id} secret={editing} onClose={() => setEditing(null)} /> : null}
      <ConfirmItemDialog
        item={deleting}
        onClose={() => setDeleting(null)}
        title="Delete secret?"
        description={`Tasks and schedules that name “${deleting?.name ?? ''}” will fail with secret_unknown. The value cannot be recovered.`}
        confirmLabel="Delete secret"
        onConfirm={async (item) => {
          await api.deleteSecret(workspace.id, item.name);
          await queryClient.invalidateQueries({ queryKey: secretKeys.secrets(workspace.id) });
          toast.success(`Secret “${item.name}” deleted`);
        }}
      />
    </>
  );
}
