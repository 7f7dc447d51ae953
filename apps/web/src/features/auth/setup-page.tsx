import { zodResolver } from '@hookform/resolvers/zod';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { AuthLayout } from '@/features/auth/auth-layout.tsx';
import { FormInput, NewPasswordInput } from '@/components/form-input.tsx';
import { Button } from '@/components/ui/button.tsx';
import { FormError } from '@/components/ui/field.tsx';
import { api } from '@/lib/api.ts';
import { queryKeys, sessionQuery } from '@/lib/queries.ts';
import { emailSchema, nameSchema, newPasswordSchema } from '@/lib/schemas.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { storeWorkspaceId } from '@/lib/workspace-store.ts';

const schema = z.object({
  name: nameSchema,
  email: emailSchema,
  password: newPasswordSchema,
  workspaceName: z.string().trim().min(1, 'Enter a workspace name.').max(100, 'At most 100 characters.'),
});

export function SetupPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { serverError, guard } = useServerError();
  const form = useForm({
    resolver: zodResolver(schema),
    defaultValues: { name: '', email: '', password: '', workspaceName: '' },
  });
  const { isSubmitting } = form.formState;

  return (
    <AuthLayout
      title="Welcome to Stead"
      description="Create the owner account for this instance and its first workspace. The owner is also the instance administrator."
    >
      <form
        noValidate
        className="grid gap-4"
        onSubmit={form.handleSubmit(guard(async (values) => {
          const { workspace } = await api.setup(values);
          queryClient.setQueryData(queryKeys.setup, { needsSetup: false });
          storeWorkspaceId(workspace.id);
          await queryClient.fetchQuery({ ...sessionQuery, staleTime: 0 });
          await navigate({ to: '/w/$workspaceId', params: { workspaceId: workspace.id } });
        }))}
      >
        <FormInput form={form} name="name" id="setup-name" label="Name" autoComplete="name" />
        <FormInput form={form} name="email" id="setup-email" label="Email" type="email" autoComplete="email" />
        <NewPasswordInput form={form} name="password" id="setup-password" label="Password" />
        <FormInput form={form} name="workspaceName" id="setup-workspace-name" label="Workspace name" placeholder="e.g. Home lab" />
        <FormError message={serverError} />
        <Button type="submit" disabled={isSubmitting}>
          Create owner account
        </Button>
      </form>
    </AuthLayout>
  );
}
