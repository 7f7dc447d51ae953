import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { TriangleAlertIcon } from 'lucide-react';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { ConfirmItemDialog } from '@/components/confirm-dialog.tsx';
import { ForbiddenNotice } from '@/components/forbidden-page.tsx';
import { PageHeader } from '@/components/page-header.tsx';
import { ColumnHeads, QueryTableCard } from '@/components/query-table-card.tsx';
import { RoleBadge } from '@/components/role-badge.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { SecretValue } from '@/components/ui/copy-button.tsx';
import { Dialog, DialogFooter } from '@/components/ui/dialog.tsx';
import { Field, FormError } from '@/components/ui/field.tsx';
import { Input, NativeSelect, ValueOptions } from '@/components/ui/input.tsx';
import { TableCell, TableRow } from '@/components/ui/table.tsx';
import { api, type ApiKey, type Role } from '@/lib/api.ts';
import { formatDate, formatRelative } from '@/lib/format.ts';
import { toast } from '@/lib/toast.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { defaultKeyRole, keyRolesFor, mayCreateKeys, seesEveryonesKeys } from '@/features/keys/keys-access.ts';
import { apiKeyKeys } from '@/features/keys/keys.queries.ts';
import { workspaceSettingsQuery } from '@/features/workspaces/workspaces.queries.ts';

const expiryChoices = [
  { value: '', label: 'Never' },
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
];

const schema = z.object({
  name: z.string().trim().min(1, 'Enter a name for the key.').max(100, 'At most 100 characters.'),
  role: z.enum(['owner', 'admin', 'member', 'viewer']),
  expiresInDays: z.string(),
});

function CreateKeyForm({ workspaceId, currentRole, onCreated }: { workspaceId: string; currentRole: Role; onCreated: (secret: string, key: ApiKey) => void }) {
  const queryClient = useQueryClient();
  const { serverError, guard } = useServerError();
  const form = useForm({ resolver: zodResolver(schema), defaultValues: { name: '', role: defaultKeyRole(currentRole), expiresInDays: '90' } });
  const { errors, isSubmitting } = form.formState;
  // Up to the person's own role; keys should not outrank people, so owner keys are not offered.
  const roles = keyRolesFor(currentRole);
  return (
    <form
      noValidate
      className="grid gap-4 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)_auto] sm:items-start"
      onSubmit={form.handleSubmit(guard(async (values) => {
        const days = Number(values.expiresInDays);
        const result = await api.createKey(workspaceId, {
          name: values.name,
          role: values.role,
          ...(values.expiresInDays && Number.isFinite(days) ? { expiresInDays: days } : {}),
        });
        form.reset();
        await queryClient.invalidateQueries({ queryKey: apiKeyKeys.keys(workspaceId) });
        onCreated(result.secret, result.key);
      }))}
    >
      <Field id="key-name" label="Key name" error={errors.name?.message}>
        <Input id="key-name" placeholder="e.g. CI deploy" autoComplete="off" aria-invalid={errors.name ? true : undefined} {...form.register('name')} />
      </Field>
      <Field id="key-role" label="Role">
        <NativeSelect id="key-role" {...form.register('role')}>
          <ValueOptions values={roles} />
        </NativeSelect>
      </Field>
      <Field id="key-expiry" label="Expires after">
        <NativeSelect id="key-expiry" {...form.register('expiresInDays')}>
          {expiryChoices.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Button type="submit" disabled={isSubmitting} className="sm:mt-[1.375rem]">
        Create key
      </Button>
      {serverError ? (
        <div className="sm:col-span-4">
          <FormError message={serverError} />
        </div>
      ) : null}
    </form>
  );
}

function KeyRow({ apiKey: key, onRevoke }: { apiKey: ApiKey; onRevoke: () => void }) {
  return (
    <TableRow>
      <TableCell>
        <div className="font-medium break-all">{key.name}</div>
        <code className="text-xs text-muted-foreground">{key.prefix}…</code>
      </TableCell>
      <TableCell>
        <RoleBadge role={key.role} />
      </TableCell>
      <TableCell className="hidden text-muted-foreground md:table-cell">
        {formatDate(key.createdAt)}
        <div className="text-xs">by {key.createdBy.name}</div>
      </TableCell>
      <TableCell className="hidden text-muted-foreground sm:table-cell">{formatRelative(key.lastUsedAt)}</TableCell>
      <TableCell className="hidden text-muted-foreground md:table-cell">{key.expiresAt ? formatDate(key.expiresAt) : 'Never'}</TableCell>
      <TableCell className="text-right">
        {key.revokedAt ? (
          <Badge variant="outline" title={formatDate(key.revokedAt)}>
            revoked
          </Badge>
        ) : (
          <Button variant="ghost" size="sm" onClick={onRevoke} aria-label={`Revoke ${key.name}`}>
            Revoke
          </Button>
        )}
      </TableCell>
    </TableRow>
  );
}

function NewKeyCard({ workspaceId, role, onCreated }: { workspaceId: string; role: Role; onCreated: (secret: string, key: ApiKey) => void }) {
  const settings = useQuery(workspaceSettingsQuery(workspaceId));
  if (!mayCreateKeys(role, settings.data)) {
    return (
      <div className="mb-6">
        <ForbiddenNotice title="API keys are managed by admins of this workspace">
          This workspace lets only its admins and owners create API keys. Ask an admin to create one for you, or to turn on “Members create
          their own API keys” in the workspace settings.
        </ForbiddenNotice>
      </div>
    );
  }
  return (
    <Card className="mb-6">
      <CardHeader>
        <CardTitle>New key</CardTitle>
        <CardDescription>
          A key acts for you with the role you give it, never more than your own role. Prefer the least role that does the job.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <CreateKeyForm workspaceId={workspaceId} currentRole={role} onCreated={onCreated} />
      </CardContent>
    </Card>
  );
}

export function KeysPage() {
  const workspace = useCurrentWorkspace();
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<{ secret: string; key: ApiKey } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const keys = useQuery({ queryKey: apiKeyKeys.keys(workspace.id), queryFn: async () => (await api.listKeys(workspace.id)).keys });
  const everyone = seesEveryonesKeys(workspace.role);

  return (
    <>
      <PageHeader
        title="API keys"
        description={
          everyone
            ? `Keys let programs call the Stead API on behalf of ${workspace.name}. You see everyone's keys.`
            : `Your keys for ${workspace.name}: programs you run call the Stead API as you. You see only the keys you made.`
        }
      />
      <NewKeyCard workspaceId={workspace.id} role={workspace.role} onCreated={(secret, key) => setCreated({ secret, key })} />
      <QueryTableCard
        query={keys}
        label={everyone ? 'API keys of the workspace' : 'Your API keys'}
        empty={everyone ? 'No API keys yet.' : 'You have no API keys here yet.'}
        columns={<ColumnHeads heads={['Name', 'Role', ['Created', 'md'], ['Last used', 'sm'], ['Expires', 'md']]} actions />}
        row={(key) => <KeyRow key={key.id} apiKey={key} onRevoke={() => setRevoking(key)} />}
      />

      <Dialog
        open={created !== null}
        onOpenChange={(open) => !open && setCreated(null)}
        title={`Key “${created?.key.name ?? ''}” created`}
        description="Copy the secret now and keep it somewhere safe."
      >
        {created ? (
          <div className="grid gap-4">
            <p className="flex gap-2 rounded-md border border-warning/50 bg-warning/10 p-3 text-sm">
              <TriangleAlertIcon aria-hidden className="mt-0.5 size-4 shrink-0" />
              This secret is shown only once. Stead stores only a hash of it, so it cannot be shown again.
            </p>
            <SecretValue id="key-secret" label="API key secret" value={created.secret} />
            <p className="text-xs text-muted-foreground">
              Send it as <code>Authorization: Bearer &lt;secret&gt;</code>.
            </p>
            <DialogFooter>
              <Button onClick={() => setCreated(null)}>I have copied it</Button>
            </DialogFooter>
          </div>
        ) : null}
      </Dialog>
      <ConfirmItemDialog
        item={revoking}
        onClose={() => setRevoking(null)}
        title="Revoke key?"
        description={`Programs using “${revoking?.name ?? ''}” will be refused from now on. This cannot be undone.`}
        confirmLabel="Revoke key"
        onConfirm={async (item) => {
          await api.deleteKey(workspace.id, item.id);
          await queryClient.invalidateQueries({ queryKey: apiKeyKeys.keys(workspace.id) });
          toast.success(`Key “${item.name}” revoked`);
        }}
      />
    </>
  );
}
