import type { FormEventHandler, ReactNode } from 'react';
import { Button } from '@/components/ui/button.tsx';
import { FormError } from '@/components/ui/field.tsx';

/** A narrow form on a settings page: its fields, the server's refusal, then one submit button under them. */
export function SettingsForm({
  onSubmit,
  error,
  submitLabel,
  submitDisabled,
  destructive = false,
  children,
}: {
  onSubmit: FormEventHandler<HTMLFormElement>;
  error: string | null;
  submitLabel: ReactNode;
  submitDisabled: boolean;
  destructive?: boolean;
  children: ReactNode;
}) {
  return (
    <form noValidate className="grid max-w-md gap-4" onSubmit={onSubmit}>
      {children}
      <FormError message={error} />
      <div>
        <Button type="submit" variant={destructive ? 'destructive' : undefined} disabled={submitDisabled}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
