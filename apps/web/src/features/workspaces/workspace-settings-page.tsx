import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormInput } from '@/components/form-input.tsx';
import { ConfirmDialog } from '@/components/confirm-dialog.tsx';
import { ForbiddenPage } from '@/components/forbidden-page.tsx';
import { PageHeader } from '@/components/page-header.tsx';
import { SettingsForm } from '@/components/settings-form.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { Field, FormError } from '@/components/ui/field.tsx';
import { Input } from '@/components/ui/input.tsx';
import { Switch } from '@/components/ui/switch.tsx';
import { api, type Workspace } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { queryKeys } from '@/lib/queries.ts';
import { toast } from '@/lib/toast.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { canManage, storeWorkspaceId } from '@/lib/workspace-store.ts';
import { memberKeys, workspaceSettingsQuery } from '@/features/workspaces/workspaces.queries.ts';

const renameSchema = z.object({ name: z.string().trim().min(1, 'Enter a name.').max(100, 'At most 100 characters.') });

function RenameCard({ workspace }: { workspace: Workspace }) {
  const queryClient = useQueryClient();
  const { serverError, guard } = useServerError();
  const form = useForm({ resolver: zodResolver(renameSchema), values: { name: workspace.name } });
  const { isSubmitting, isDirty } = form.formState;
  return (
    <Card>
      <CardHeader>
        <CardTitle>General</CardTitle>
        <CardDescription>
          Slug: <code>{workspace.slug}</code>
        </CardDescription>
      </CardHeader>
      <CardContent>
        <SettingsForm
          onSubmit={form.handleSubmit(guard(async (values) => {
            await api.renameWorkspace(workspace.id, values);
            await queryClient.invalidateQueries({ queryKey: queryKeys.workspaces });
            toast.success('Workspace renamed');
          }))}
          error={serverError}
          submitLabel="Save"
          submitDisabled={isSubmitting || !isDirty}
        >
          <FormInput form={form} name="name" id="workspace-name" label="Workspace name" />
        </SettingsForm>
      </CardContent>
    </Card>
  );
}

function ApiKeysCard({ workspaceId }: { workspaceId: string }) {
  const queryClient = useQueryClient();
  const settings = useQuery(workspaceSettingsQuery(workspaceId));
  const change = useMutation({
    mutationFn: (on: boolean) => api.updateWorkspaceSettings(workspaceId, { memberKeys: on ? 'on' : 'off' }),
    onSuccess: ({ settings: saved }) => {
      queryClient.setQueryData(memberKeys.settings(workspaceId), saved);
      toast.success(saved.memberKeys === 'on' ? 'Members can create their own API keys' : 'Only admins and owners create API keys now');
    },
    onError: (error) => toast.error('Could not change the setting', errorMessage(error)),
  });
  // While saving, the switch shows what was asked for; before the settings load, the default (on).
  const on = change.isPending ? change.variables : (settings.data?.memberKeys ?? 'on') === 'on';
  return (
    <Card className="mt-6">
      <CardHeader>
        <CardTitle>API keys</CardTitle>
        <CardDescription>Admins and owners always create keys. Keys never act with more than their creator&apos;s current role.</CardDescription>
      </CardHeader>
      <CardContent>
        <div className="flex items-start justify-between gap-4">
          <div className="grid gap-1">
            <label htmlFor="member-keys" className="text-sm font-medium">
              Members create their own API keys
            </label>
            <p className="text-sm text-muted-foreground">
              Members and viewers create keys for themselves, at their own role or lower, and see and revoke only their own. Turning this off
              keeps their existing keys working; revoke those on the API keys page.
            </p>
          </div>
          <Switch id="member-keys" checked={on} disabled={settings.isPending || change.isPending} onCheckedChange={(next) => change.mutate(next)} />
        </div>
        {settings.isError ? <FormError message={errorMessage(settings.error)} /> : null}
      </CardContent>
    </Card>
  );
}

function DeleteCard({ workspace }: { workspace: Workspace }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  return (
    <Card className="mt-6 border-destructive/40">
      <CardHeader>
        <CardTitle>Delete workspace</CardTitle>
        <CardDescription>Deletes {workspace.name} with its members, invitations, keys and data. This cannot be undone.</CardDescription>
      </CardHeader>
      <CardContent>
        <Button
          variant="destructive"
          onClick={() => {
            setTyped('');
            setOpen(true);
          }}
        >
          Delete workspace
        </Button>
      </CardContent>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={`Delete ${workspace.name}?`}
        description="Everything in this workspace is removed for good, and its API keys stop working."
        confirmLabel="Delete this workspace"
        confirmDisabled={typed !== workspace.name}
        onConfirm={async () => {
          await api.deleteWorkspace(workspace.id);
          storeWorkspaceId(null);
          await queryClient.refetchQueries({ queryKey: queryKeys.workspaces });
          toast.success(`Workspace “${workspace.name}” deleted`);
          await navigate({ to: '/' });
        }}
      >
        <Field id="workspace-delete-confirm" label={`Type “${workspace.name}” to confirm`}>
          <Input id="workspace-delete-confirm" autoComplete="off" value={typed} onChange={(event) => setTyped(event.target.value)} />
        </Field>
      </ConfirmDialog>
    </Card>
  );
}

export function WorkspaceSettingsPage() {
  const workspace = useCurrentWorkspace();
  if (!canManage(workspace.role)) {
    return (
      <ForbiddenPage title="Workspace settings are for admins">
        Admins and owners of {workspace.name} change its name and settings. Ask one of them if something here should change.
      </ForbiddenPage>
    );
  }
  return (
    <>
      <PageHeader title="Workspace settings" description={workspace.name} />
      <RenameCard workspace={workspace} />
      <ApiKeysCard workspaceId={workspace.id} />
      {workspace.role === 'owner' ? <DeleteCard workspace={workspace} /> : null}
    </>
  );
}
