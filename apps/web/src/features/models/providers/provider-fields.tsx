import type { ReactNode } from 'react';
import type { FieldError, UseFormRegisterReturn } from 'react-hook-form';
import { z } from 'zod';
import { Field } from '@/components/ui/field.tsx';
import { Input } from '@/components/ui/input.tsx';

/** A provider's name, checked as the server does; the add form says more about why only these characters. */
export const providerNameSchema = (charactersMessage: string) =>
  z
    .string()
    .trim()
    .min(1, 'Enter a name.')
    .max(100, 'At most 100 characters.')
    .regex(/^[\w.-]+$/, charactersMessage);

/** One of the optional timeouts, typed in seconds; empty means the default. */
const timeoutSecondsSchema = z.string().refine((text) => text.trim() === '' || (Number.isFinite(Number(text)) && Number(text) >= 0.1 && Number(text) <= 3_600), 'From 0.1 to 3,600 seconds.');

/** A base URL the server takes: http or https with a host. */
export const isHttpUrl = (text: string) => /^https?:\/\/[^\s/]+/i.test(text) && URL.canParse(text);

/** The fields the add and edit provider forms check alike: locality, API key and the timeouts. */
export const providerCommonFields = {
  locality: z.enum(['local', 'hosted']),
  apiKey: z.string().max(4_000, 'At most 4,000 characters.'),
  connectSeconds: timeoutSecondsSchema,
  firstTokenSeconds: timeoutSecondsSchema,
  totalSeconds: timeoutSecondsSchema,
};

/** The Local / Hosted switch of the add and edit provider forms; what it says below the switch differs between them. */
export function LocalityFieldset({ registration, children }: { registration: UseFormRegisterReturn<'locality'>; children?: ReactNode }) {
  return (
    <fieldset className="grid gap-2">
      <legend className="mb-2 text-sm font-medium">Locality</legend>
      <div className="grid grid-cols-2 gap-1 rounded-lg bg-muted p-1">
        {(['local', 'hosted'] as const).map((value) => (
          <label
            key={value}
            className="flex cursor-pointer items-center justify-center rounded-md px-2 py-1.5 text-sm font-medium text-muted-foreground transition-colors hover:text-foreground has-[:checked]:bg-background has-[:checked]:text-foreground has-[:checked]:shadow-sm has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring"
          >
            <input type="radio" value={value} className="sr-only" {...registration} />
            {value === 'local' ? 'Local' : 'Hosted'}
          </label>
        ))}
      </div>
      {children}
    </fieldset>
  );
}

type TimeoutName = 'connectSeconds' | 'firstTokenSeconds' | 'totalSeconds';

/** The three optional timeouts, in seconds, in a row; ids keep each form's own (its labels and tests name them). */
export function TimeoutInputs({
  className,
  ids,
  register,
  errors,
}: {
  className: string;
  ids: Record<TimeoutName, string>;
  register: (name: TimeoutName) => UseFormRegisterReturn<TimeoutName>;
  errors: Partial<Record<TimeoutName, FieldError>>;
}) {
  const timeouts: { name: TimeoutName; label: string; fallback: number }[] = [
    { name: 'connectSeconds', label: 'Connect (s)', fallback: 30 },
    { name: 'firstTokenSeconds', label: 'First token (s)', fallback: 120 },
    { name: 'totalSeconds', label: 'Total (s)', fallback: 600 },
  ];
  return (
    <div className={className}>
      {timeouts.map(({ name, label, fallback }) => (
        <Field key={name} id={ids[name]} label={label} error={errors[name]?.message} hint={`Default ${fallback}`}>
          <Input id={ids[name]} inputMode="decimal" placeholder={String(fallback)} {...register(name)} />
        </Field>
      ))}
    </div>
  );
}
