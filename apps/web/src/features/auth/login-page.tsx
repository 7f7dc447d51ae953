import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { AuthLayout } from '@/features/auth/auth-layout.tsx';
import { LoginForm } from '@/features/auth/login-form.tsx';
import { sessionQuery, workspacesQuery } from '@/lib/queries.ts';

const loginRouteApi = getRouteApi('/login');

export function LoginPage() {
  const search = loginRouteApi.useSearch();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return (
    <AuthLayout title="Sign in to Stead" description="Use the email and password of your Stead account.">
      <LoginForm
        onSignedIn={async () => {
          queryClient.removeQueries({ queryKey: workspacesQuery.queryKey });
          await queryClient.fetchQuery({ ...sessionQuery, staleTime: 0 });
          await navigate({ to: search.redirect ?? '/' });
        }}
      />
    </AuthLayout>
  );
}
