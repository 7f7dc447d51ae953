import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ShieldCheckIcon } from 'lucide-react';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { FormInput, NewPasswordInput } from '@/components/form-input.tsx';
import { PageHeader } from '@/components/page-header.tsx';
import { ColumnHeads, QueryTableCard } from '@/components/query-table-card.tsx';
import { QrCode } from '@/components/qr-code.tsx';
import { SettingsForm } from '@/components/settings-form.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { CopyButton } from '@/components/ui/copy-button.tsx';
import { TableCell, TableRow } from '@/components/ui/table.tsx';
import { api } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { describeUserAgent, formatDateTime, formatRelative, totpSecretFromUri } from '@/lib/format.ts';
import { sessionQuery } from '@/lib/queries.ts';
import { newPasswordSchema, otpSchema } from '@/lib/schemas.ts';
import { toast } from '@/lib/toast.ts';
import { useSession } from '@/lib/use-app.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { accountKeys } from '@/features/auth/auth.queries.ts';

const passwordSchema = z
  .object({ currentPassword: z.string().min(1, 'Enter your current password.'), newPassword: newPasswordSchema })
  .refine((values) => values.currentPassword !== values.newPassword, {
    message: 'Choose a password different from the current one.',
    path: ['newPassword'],
  });
const confirmPasswordSchema = z.object({ password: z.string().min(1, 'Enter your password.') });
const codeSchema = z.object({ code: otpSchema });

function ChangePasswordCard() {
  const queryClient = useQueryClient();
  const { serverError, guard } = useServerError();
  const form = useForm({ resolver: zodResolver(passwordSchema), defaultValues: { currentPassword: '', newPassword: '' } });
  const { isSubmitting } = form.formState;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Password</CardTitle>
        <CardDescription>Changing it signs you out everywhere else.</CardDescription>
      </CardHeader>
      <CardContent>
        <SettingsForm
          onSubmit={form.handleSubmit(guard(async (values) => {
            await api.changePassword(values);
            form.reset();
            await queryClient.invalidateQueries({ queryKey: accountKeys.accountSessions });
            toast.success('Password changed', 'Your other sessions were signed out.');
          }))}
          error={serverError}
          submitLabel="Change password"
          submitDisabled={isSubmitting}
        >
          <FormInput
            form={form}
            name="currentPassword"
            id="current-password"
            label="Current password"
            type="password"
            autoComplete="current-password"
          />
          <NewPasswordInput form={form} name="newPassword" id="new-password" label="New password" />
        </SettingsForm>
      </CardContent>
    </Card>
  );
}

function EnableTwoFactor({ onEnabled }: { onEnabled: () => Promise<void> }) {
  const [setup, setSetup] = useState<{ totpUri: string; recoveryCodes: string[] } | null>(null);
  const { serverError, guard } = useServerError();
  const codeForm = useForm({ resolver: zodResolver(codeSchema), defaultValues: { code: '' } });

  if (!setup) {
    return (
      <ConfirmPasswordForm
        id="two-factor-enable-password"
        submitLabel="Set up two-factor authentication"
        onConfirm={async (values) => {
          setSetup(await api.enableTwoFactor(values));
        }}
      />
    );
  }

  const secret = totpSecretFromUri(setup.totpUri);
  return (
    <div className="grid gap-6">
      <div className="grid gap-4 sm:grid-cols-[12rem_1fr] sm:items-start">
        <QrCode value={setup.totpUri} label="QR code for your authenticator app" className="size-48 rounded-md border" />
        <div className="grid gap-2 text-sm">
          <p>1. Scan the QR code with an authenticator app (Aegis, 1Password, Google Authenticator…).</p>
          {secret ? (
            <p>
              Or enter this key by hand: <code className="rounded bg-muted px-1.5 py-0.5 break-all select-all">{secret}</code>
            </p>
          ) : null}
          <p>2. Enter the 6-digit code it shows to finish.</p>
        </div>
      </div>
      <div className="grid gap-2">
        <h3 className="text-sm font-medium">Recovery codes</h3>
        <p className="text-sm text-muted-foreground">
          Each code signs you in once if you lose your authenticator. Save them now: they are not shown again.
        </p>
        <ul aria-label="Recovery codes" className="grid grid-cols-2 gap-1 rounded-md border bg-muted p-3 font-mono text-sm sm:grid-cols-3">
          {setup.recoveryCodes.map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ul>
        <div>
          <CopyButton value={setup.recoveryCodes.join('\n')} label="Copy recovery codes" />
        </div>
      </div>
      <SettingsForm
        onSubmit={codeForm.handleSubmit(guard(async (values) => {
          await api.verifyTwoFactor(values);
          toast.success('Two-factor authentication is on');
          await onEnabled();
        }))}
        error={serverError}
        submitLabel="Verify"
        submitDisabled={codeForm.formState.isSubmitting}
      >
        <FormInput
          form={codeForm}
          name="code"
          id="two-factor-code"
          label="Code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
        />
      </SettingsForm>
    </div>
  );
}

/** The account password, asked again before two-factor authentication is turned on or off. */
function ConfirmPasswordForm({
  id,
  submitLabel,
  destructive = false,
  onConfirm,
}: {
  id: string;
  submitLabel: string;
  destructive?: boolean;
  onConfirm: (values: { password: string }) => Promise<void>;
}) {
  const { serverError, guard } = useServerError();
  const form = useForm({ resolver: zodResolver(confirmPasswordSchema), defaultValues: { password: '' } });
  return (
    <SettingsForm onSubmit={form.handleSubmit(guard(onConfirm))} error={serverError} submitLabel={submitLabel} submitDisabled={form.formState.isSubmitting} destructive={destructive}>
      <FormInput form={form} name="password" id={id} label="Password" type="password" autoComplete="current-password" />
    </SettingsForm>
  );
}

function DisableTwoFactor({ onDisabled }: { onDisabled: () => Promise<void> }) {
  return (
    <ConfirmPasswordForm
      id="two-factor-disable-password"
      submitLabel="Turn off two-factor authentication"
      destructive
      onConfirm={async (values) => {
        await api.disableTwoFactor(values);
        toast.success('Two-factor authentication is off');
        await onDisabled();
      }}
    />
  );
}

function TwoFactorCard() {
  const session = useSession();
  const queryClient = useQueryClient();
  const refresh = async () => {
    await queryClient.fetchQuery({ ...sessionQuery, staleTime: 0 });
  };
  const enabled = session.user.twoFactorEnabled;
  return (
    <Card className="mt-6">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          Two-factor authentication
          {enabled ? (
            <Badge variant="success">
              <ShieldCheckIcon aria-hidden className="size-3" />
              On
            </Badge>
          ) : (
            <Badge variant="outline">Off</Badge>
          )}
        </CardTitle>
        <CardDescription>
          {enabled
            ? 'Signing in asks for a code from your authenticator app. Enter your password to turn it off.'
            : 'Ask for a code from an authenticator app when signing in. Enter your password to start.'}
        </CardDescription>
      </CardHeader>
      <CardContent>{enabled ? <DisableTwoFactor onDisabled={refresh} /> : <EnableTwoFactor onEnabled={refresh} />}</CardContent>
    </Card>
  );
}

function SessionsCard() {
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: accountKeys.accountSessions, queryFn: async () => (await api.listSessions()).sessions });
  const revoke = useMutation({
    mutationFn: (sessionId: string) => api.revokeSession(sessionId),
    onSuccess: () => toast.success('Session signed out'),
    onError: (error) => toast.error('Could not sign out the session', errorMessage(error)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: accountKeys.accountSessions }),
  });
  return (
    <QueryTableCard
      query={sessions}
      title="Sessions"
      description="Browsers and devices signed in to your account."
      heading="card"
      className="mt-6"
      empty="No sessions."
      columns={<ColumnHeads heads={['Device', ['Address', 'sm'], ['Signed in', 'md'], ['Expires', 'md']]} actions />}
      row={(item) => (
        <TableRow key={item.id}>
          <TableCell>
            <span title={item.userAgent ?? undefined}>{describeUserAgent(item.userAgent)}</span>
            {item.current ? (
              <Badge variant="success" className="ml-2">
                This device
              </Badge>
            ) : null}
          </TableCell>
          <TableCell className="hidden text-muted-foreground sm:table-cell">{item.ipAddress ?? '—'}</TableCell>
          <TableCell className="hidden text-muted-foreground md:table-cell">{formatDateTime(item.createdAt)}</TableCell>
          <TableCell className="hidden text-muted-foreground md:table-cell">{formatRelative(item.expiresAt)}</TableCell>
          <TableCell className="text-right">
            {item.current ? null : (
              <Button variant="ghost" size="sm" disabled={revoke.isPending} onClick={() => revoke.mutate(item.id)}>
                Sign out
              </Button>
            )}
          </TableCell>
        </TableRow>
      )}
    />
  );
}

export function AccountPage() {
  const session = useSession();
  return (
    <>
      <PageHeader title="Account" description={`${session.user.name} · ${session.user.email}`} />
      <ChangePasswordCard />
      <TwoFactorCard />
      <SessionsCard />
    </>
  );
}
