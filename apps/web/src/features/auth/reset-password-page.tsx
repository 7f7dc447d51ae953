import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery } from '@tanstack/react-query';
import { Link, useLocation } from '@tanstack/react-router';
import { CircleCheckIcon } from 'lucide-react';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { AuthLayout, AuthLoading } from '@/features/auth/auth-layout.tsx';
import { NewPasswordInput } from '@/components/form-input.tsx';
import { Button } from '@/components/ui/button.tsx';
import { FormError } from '@/components/ui/field.tsx';
import { api } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { formatDateTime } from '@/lib/format.ts';
import { newPasswordSchema } from '@/lib/schemas.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { accountKeys } from '@/features/auth/auth.queries.ts';

const resetSchema = z
  .object({ password: newPasswordSchema, confirmation: z.string() })
  .refine((values) => values.password === values.confirmation, { path: ['confirmation'], message: 'The two passwords differ.' });

function SignInLink({ email }: { email?: string }) {
  return (
    <Button asChild className="w-full">
      <Link to="/login" search={email ? { email } : {}}>
        Go to sign in
      </Link>
    </Button>
  );
}

/** Where a password-reset link an administrator handed over lands: choose a new password, then sign in. */
export function ResetPasswordPage() {
  // The token is the link's fragment, which never reaches the server's logs.
  const token = useLocation({ select: (location) => location.hash.replace(/^#/, '') });
  const [doneFor, setDoneFor] = useState<string | null>(null);
  const { serverError, guard } = useServerError();
  const preview = useQuery({
    queryKey: accountKeys.resetLink(token),
    queryFn: () => api.previewResetLink(token),
    retry: false,
    staleTime: Infinity,
    enabled: token.length > 0,
  });
  const form = useForm({ resolver: zodResolver(resetSchema), defaultValues: { password: '', confirmation: '' } });

  if (doneFor !== null) {
    return (
      <AuthLayout title="Password set" description="Every earlier session of the account was signed out.">
        <p className="mb-4 flex gap-2 text-sm">
          <CircleCheckIcon aria-hidden className="mt-0.5 size-4 shrink-0 text-success" />
          Sign in with your new password.
        </p>
        <SignInLink email={doneFor} />
      </AuthLayout>
    );
  }
  if (!token) {
    return (
      <AuthLayout title="This link is incomplete" description="The address has no password token after “#”.">
        <p className="mb-4 text-sm text-muted-foreground">Copy the whole link you were given, or ask an administrator of this Stead instance for a new one.</p>
        <SignInLink />
      </AuthLayout>
    );
  }
  if (preview.isPending) {
    return <AuthLoading title="Set a new password" />;
  }
  if (preview.isError) {
    return (
      <AuthLayout title="This link cannot be used" description={errorMessage(preview.error)}>
        <p className="mb-4 text-sm text-muted-foreground">
          A password link works once and for 24 hours, and a newer link replaces it. Ask an administrator of this Stead instance for a new one.
        </p>
        <SignInLink />
      </AuthLayout>
    );
  }

  const { name, email, expiresAt } = preview.data;
  return (
    <AuthLayout title="Set a new password" description={`For ${name} (${email}). This link works once, until ${formatDateTime(expiresAt)}.`}>
      <form
        noValidate
        className="grid gap-4"
        onSubmit={form.handleSubmit(guard(async (values) => {
          await api.resetPassword({ token, newPassword: values.password });
          setDoneFor(email);
        }))}
      >
        {/* Lets password managers store the new password under the right account. */}
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
        <NewPasswordInput form={form} name="password" id="reset-password" label="New password" />
        <NewPasswordInput form={form} name="confirmation" id="reset-password-confirmation" label="Repeat the new password" />
        <FormError message={serverError} />
        <Button type="submit" disabled={form.formState.isSubmitting}>
          Set password
        </Button>
      </form>
    </AuthLayout>
  );
}
