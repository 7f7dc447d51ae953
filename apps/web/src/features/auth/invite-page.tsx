import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { AuthLayout, AuthLoading } from '@/features/auth/auth-layout.tsx';
import { LoginForm } from '@/features/auth/login-form.tsx';
import { FormInput, NewPasswordInput } from '@/components/form-input.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { FormError } from '@/components/ui/field.tsx';
import { api, type InvitationPreview } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { formatDateTime } from '@/lib/format.ts';
import { queryKeys, sessionQuery } from '@/lib/queries.ts';
import { emailSchema, nameSchema, newPasswordSchema } from '@/lib/schemas.ts';
import { toast } from '@/lib/toast.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { cn } from '@/lib/utils.ts';
import { storeWorkspaceId } from '@/lib/workspace-store.ts';
import { accountKeys } from '@/features/auth/auth.queries.ts';

const inviteRouteApi = getRouteApi('/invite/$token');

const signUpSchema = z.object({ name: nameSchema, email: emailSchema, password: newPasswordSchema });

function SignUpForm({ token, invitation, onSignedIn }: { token: string; invitation: InvitationPreview; onSignedIn: () => Promise<void> }) {
  const { serverError, guard } = useServerError();
  const form = useForm({
    resolver: zodResolver(signUpSchema),
    defaultValues: { name: '', email: invitation.email ?? '', password: '' },
  });
  const { isSubmitting } = form.formState;
  return (
    <form
      noValidate
      className="grid gap-4"
      onSubmit={form.handleSubmit(guard(async (values) => {
        await api.signUp({ ...values, invitationToken: token });
        await onSignedIn();
      }))}
    >
      <FormInput form={form} name="name" id="signup-name" label="Name" autoComplete="name" />
      <FormInput form={form} name="email" id="signup-email" label="Email" type="email" autoComplete="email" />
      <NewPasswordInput form={form} name="password" id="signup-password" label="Password" />
      <FormError message={serverError} />
      <Button type="submit" disabled={isSubmitting}>
        Create account and join
      </Button>
    </form>
  );
}

export function InvitePage() {
  const { token } = inviteRouteApi.useParams();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [mode, setMode] = useState<'sign-up' | 'sign-in'>('sign-up');
  const invitation = useQuery({ queryKey: accountKeys.invitation(token), queryFn: () => api.previewInvitation(token), retry: false });
  const session = useQuery(sessionQuery);

  const accept = useMutation({
    mutationFn: () => api.acceptInvitation(token),
    onSuccess: async ({ workspace }) => {
      storeWorkspaceId(workspace.id);
      await queryClient.invalidateQueries({ queryKey: queryKeys.workspaces });
      toast.success(`You joined ${workspace.name}`);
      await navigate({ to: '/w/$workspaceId', params: { workspaceId: workspace.id } });
    },
  });

  const signedIn = async () => {
    await queryClient.fetchQuery({ ...sessionQuery, staleTime: 0 });
    await accept.mutateAsync().catch(() => undefined);
  };

  if (invitation.isPending || session.isPending) {
    return <AuthLoading title="Invitation" />;
  }

  if (invitation.isError) {
    return (
      <AuthLayout title="This invitation cannot be used" description={errorMessage(invitation.error)}>
        <p className="text-sm text-muted-foreground">Ask the person who invited you for a new link.</p>
        <Button asChild variant="outline" className="mt-4">
          <Link to="/login">Go to sign in</Link>
        </Button>
      </AuthLayout>
    );
  }

  const preview = invitation.data;
  const user = session.data?.user;
  return (
    <AuthLayout title={`Join ${preview.workspaceName}`} description="You have been invited to a workspace on this Stead instance.">
      <dl className="mb-6 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        <dt className="text-muted-foreground">Workspace</dt>
        <dd className="font-medium">{preview.workspaceName}</dd>
        <dt className="text-muted-foreground">Role</dt>
        <dd>
          <Badge variant="outline">{preview.role}</Badge>
        </dd>
        {preview.email ? (
          <>
            <dt className="text-muted-foreground">For</dt>
            <dd className="break-all">{preview.email}</dd>
          </>
        ) : null}
        <dt className="text-muted-foreground">Expires</dt>
        <dd>{formatDateTime(preview.expiresAt)}</dd>
      </dl>

      {user ? (
        <div className="grid gap-4">
          <p className="text-sm">
            Signed in as <span className="font-medium">{user.name}</span> ({user.email}).
          </p>
          {accept.isError ? <FormError message={errorMessage(accept.error)} /> : null}
          <Button onClick={() => accept.mutate()} disabled={accept.isPending}>
            Accept invitation
          </Button>
          <Button
            variant="link"
            className="h-auto px-0 text-muted-foreground"
            onClick={async () => {
              await api.logout().catch(() => undefined);
              queryClient.setQueryData(queryKeys.session, null);
            }}
          >
            Not you? Sign out
          </Button>
        </div>
      ) : (
        <div className="grid gap-4">
          <div role="tablist" aria-label="Account" className="grid grid-cols-2 gap-1 rounded-lg bg-muted p-1 text-sm">
            {(['sign-up', 'sign-in'] as const).map((value) => (
              <button
                key={value}
                type="button"
                role="tab"
                aria-selected={mode === value}
                onClick={() => setMode(value)}
                className={cn(
                  'cursor-pointer rounded-md px-3 py-1.5 font-medium transition-colors',
                  mode === value ? 'bg-background shadow-sm' : 'text-muted-foreground hover:text-foreground',
                )}
              >
                {value === 'sign-up' ? 'New to Stead' : 'Existing account'}
              </button>
            ))}
          </div>
          {accept.isError ? <FormError message={errorMessage(accept.error)} /> : null}
          {mode === 'sign-up' ? (
            <SignUpForm token={token} invitation={preview} onSignedIn={signedIn} />
          ) : (
            <LoginForm defaultEmail={preview.email ?? ''} onSignedIn={signedIn} />
          )}
        </div>
      )}
    </AuthLayout>
  );
}
