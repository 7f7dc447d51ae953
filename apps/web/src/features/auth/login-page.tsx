import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { AuthLayout } from '@/features/auth/auth-layout.tsx';
import { LoginForm } from '@/features/auth/login-form.tsx';
import { Button } from '@/components/ui/button.tsx';
import { sessionQuery, workspacesQuery } from '@/lib/queries.ts';

const loginRouteApi = getRouteApi('/login');

/** No email is configured on this instance, so a forgotten password goes through an administrator. */
function ForgotPassword() {
  const [open, setOpen] = useState(false);
  return (
    <div className="mt-4 grid gap-2">
      <Button variant="link" className="h-auto justify-self-start px-0 text-muted-foreground" aria-expanded={open} aria-controls="forgot-password" onClick={() => setOpen((value) => !value)}>
        Forgot password?
      </Button>
      {open ? (
        <div id="forgot-password" className="grid gap-2 rounded-md border bg-muted/40 p-3 text-sm">
          <p>This Stead instance sends no email, so it cannot mail you a reset link.</p>
          <p className="text-muted-foreground">
            Ask an administrator of this instance for a password link (Users → Reset password). Someone with access to the server can also print
            one with:
          </p>
          <code className="block rounded bg-background px-2 py-1.5 text-xs break-all">stead users reset-password --email you@example.com</code>
        </div>
      ) : null}
    </div>
  );
}

export function LoginPage() {
  const search = loginRouteApi.useSearch();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return (
    <AuthLayout title="Sign in to Stead" description="Use the email and password of your Stead account.">
      <LoginForm
        defaultEmail={search.email ?? ''}
        onSignedIn={async () => {
          queryClient.removeQueries({ queryKey: workspacesQuery.queryKey });
          await queryClient.fetchQuery({ ...sessionQuery, staleTime: 0 });
          await navigate({ to: search.redirect ?? '/' });
        }}
      />
      <ForgotPassword />
    </AuthLayout>
  );
}
