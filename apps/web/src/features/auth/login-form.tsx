import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormInput } from '@/components/form-input.tsx';
import { Button } from '@/components/ui/button.tsx';
import { FormError } from '@/components/ui/field.tsx';
import { api, type User } from '@/lib/api.ts';
import { emailSchema, otpSchema } from '@/lib/schemas.ts';
import { useServerError } from '@/lib/use-server-error.ts';

const credentialsSchema = z.object({ email: emailSchema, password: z.string().min(1, 'Enter your password.') });
const codeSchema = z.object({ code: otpSchema });
const recoverySchema = z.object({ recoveryCode: z.string().trim().min(1, 'Enter one of your recovery codes.') });

function TwoFactorStep({ onSignedIn, onBack }: { onSignedIn: (user: User) => Promise<void> | void; onBack: () => void }) {
  const [useRecovery, setUseRecovery] = useState(false);
  const { serverError, setServerError, guard } = useServerError();
  const codeForm = useForm({ resolver: zodResolver(codeSchema), defaultValues: { code: '' } });
  const recoveryForm = useForm({ resolver: zodResolver(recoverySchema), defaultValues: { recoveryCode: '' } });

  const submit = guard(async (input: { code: string } | { recoveryCode: string }) => {
    const result = await api.loginTwoFactor(input);
    // The route shares sign-in's answer schema; after the second factor the server always signs in.
    if (result.status === 'signed-in') await onSignedIn(result.user);
    else setServerError('Sign-in did not complete. Try again.');
  });

  return (
    <div className="grid gap-4">
      <p className="text-sm text-muted-foreground">
        {useRecovery
          ? 'Enter one of the recovery codes you saved when you turned on two-factor authentication. Each code works once.'
          : 'Enter the 6-digit code from your authenticator app.'}
      </p>
      {useRecovery ? (
        <form noValidate className="grid gap-4" onSubmit={recoveryForm.handleSubmit(submit)}>
          <FormInput
            form={recoveryForm}
            name="recoveryCode"
            id="login-recovery-code"
            label="Recovery code"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            autoFocus
          />
          <FormError message={serverError} />
          <Button type="submit" disabled={recoveryForm.formState.isSubmitting}>
            Verify
          </Button>
        </form>
      ) : (
        <form noValidate className="grid gap-4" onSubmit={codeForm.handleSubmit(submit)}>
          <FormInput
            form={codeForm}
            name="code"
            id="login-code"
            label="Code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            autoFocus
          />
          <FormError message={serverError} />
          <Button type="submit" disabled={codeForm.formState.isSubmitting}>
            Verify
          </Button>
        </form>
      )}
      <div className="flex flex-wrap justify-between gap-2">
        <Button
          variant="link"
          className="h-auto px-0"
          onClick={() => {
            setServerError(null);
            setUseRecovery((value) => !value);
          }}
        >
          {useRecovery ? 'Use an authenticator code' : 'Use a recovery code'}
        </Button>
        <Button variant="link" className="h-auto px-0 text-muted-foreground" onClick={onBack}>
          Back
        </Button>
      </div>
    </div>
  );
}

/** Email + password, then the two-factor step when the server asks for it. */
export function LoginForm({ onSignedIn, defaultEmail = '' }: { onSignedIn: (user: User) => Promise<void> | void; defaultEmail?: string }) {
  const [step, setStep] = useState<'credentials' | 'two-factor'>('credentials');
  const { serverError, guard } = useServerError();
  const form = useForm({ resolver: zodResolver(credentialsSchema), defaultValues: { email: defaultEmail, password: '' } });
  const { isSubmitting } = form.formState;

  if (step === 'two-factor') {
    return (
      <TwoFactorStep
        onSignedIn={onSignedIn}
        onBack={() => {
          form.resetField('password');
          setStep('credentials');
        }}
      />
    );
  }

  return (
    <form
      noValidate
      className="grid gap-4"
      onSubmit={form.handleSubmit(guard(async (values) => {
        const result = await api.login(values);
        if (result.status === 'two-factor-required') setStep('two-factor');
        else await onSignedIn(result.user);
      }))}
    >
      <FormInput form={form} name="email" id="login-email" label="Email" type="email" autoComplete="username" />
      <FormInput form={form} name="password" id="login-password" label="Password" type="password" autoComplete="current-password" />
      <FormError message={serverError} />
      <Button type="submit" disabled={isSubmitting}>
        Sign in
      </Button>
    </form>
  );
}
