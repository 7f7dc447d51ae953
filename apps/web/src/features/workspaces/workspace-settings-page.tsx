import { zodResolver } from '@hookform/resolvers/zod';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormInput } from '@/components/form-input.tsx';
import { ConfirmDialog } from '@/components/confirm-dialog.tsx';
import { PageHeader } from '@/components/page-header.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { Field, FormError } from '@/components/ui/field.tsx';
import { Input } from '@/components/ui/input.tsx';
import { api, type Workspace } from '@/lib/api.ts';
import { queryKeys } from '@/lib/queries.ts';
import { toast } from '@/lib/toast.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { storeWorkspaceId } from '@/lib/workspace-store.ts';

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
        <form
          noValidate
          className="grid max-w-md gap-4"
          onSubmit={form.handleSubmit(guard(async (values) => {
            await api.renameWorkspace(workspace.id, values);
            await queryClient.invalidateQueries({ queryKey: queryKeys.workspaces });
            toast.success('Workspace renamed');
          }))}
        >
          <FormInput form={form} name="name" id="workspace-name" label="Workspace name" />
          <FormError message={serverError} />
          <div>
            <Button type="submit" disabled={isSubmitting || !isDirty}>
              Save
            </Button>
          </div>
        </form>
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
  return (
    <>
      <PageHeader title="Workspace settings" description={workspace.name} />
      <RenameCard workspace={workspace} />
      {workspace.role === 'owner' ? <DeleteCard workspace={workspace} /> : null}
    </>
  );
}
