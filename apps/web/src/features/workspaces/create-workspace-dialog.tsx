import { zodResolver } from '@hookform/resolvers/zod';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { DialogForm } from '@/components/form-dialog.tsx';
import { FormInput } from '@/components/form-input.tsx';
import { Dialog, FormDialogFooter } from '@/components/ui/dialog.tsx';
import { api } from '@/lib/api.ts';
import { queryKeys } from '@/lib/queries.ts';
import { toast } from '@/lib/toast.ts';
import { useServerError } from '@/lib/use-server-error.ts';

const schema = z.object({ name: z.string().trim().min(1, 'Enter a name.').max(100, 'At most 100 characters.') });

export function CreateWorkspaceForm({ onDone, onCancel }: { onDone?: () => void; onCancel?: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { serverError, guard } = useServerError();
  const form = useForm({ resolver: zodResolver(schema), defaultValues: { name: '' } });
  const { isSubmitting } = form.formState;

  return (
    <DialogForm
      onSubmit={form.handleSubmit(guard(async (values) => {
        const { workspace } = await api.createWorkspace(values);
        await queryClient.invalidateQueries({ queryKey: queryKeys.workspaces });
        await queryClient.refetchQueries({ queryKey: queryKeys.workspaces });
        toast.success(`Workspace “${workspace.name}” created`);
        onDone?.();
        await navigate({ to: '/w/$workspaceId', params: { workspaceId: workspace.id } });
      }))}
    >
      <FormInput form={form} name="name" id="workspace-create-name" label="Workspace name" />
      <FormDialogFooter error={serverError} onCancel={onCancel} submitDisabled={isSubmitting}>
        Create workspace
      </FormDialogFooter>
    </DialogForm>
  );
}

export function CreateWorkspaceDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="Create workspace" description="A workspace holds its own members, keys and audit log.">
      <CreateWorkspaceForm onDone={() => onOpenChange(false)} onCancel={() => onOpenChange(false)} />
    </Dialog>
  );
}
