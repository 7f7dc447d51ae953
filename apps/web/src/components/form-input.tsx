import type { ComponentProps, ReactNode } from 'react';
import type { FieldValues, Path, UseFormReturn } from 'react-hook-form';
import { Field } from '@/components/ui/field.tsx';
import { Input } from '@/components/ui/input.tsx';

/** A labelled text input registered on a react-hook-form form, showing that field's validation error. */
export function FormInput<T extends FieldValues>({
  form,
  name,
  id,
  label,
  hint,
  ...inputProps
}: {
  form: UseFormReturn<T>;
  name: Path<T>;
  id: string;
  label: string;
  hint?: ReactNode;
} & Omit<ComponentProps<'input'>, 'form' | 'id' | 'name'>) {
  const { error } = form.getFieldState(name, form.formState);
  return (
    <Field id={id} label={label} error={error?.message} hint={hint}>
      <Input id={id} aria-invalid={error ? true : undefined} {...inputProps} {...form.register(name)} />
    </Field>
  );
}

/** A password being chosen: the hint states newPasswordSchema's rule, and password managers may offer one. */
export function NewPasswordInput<T extends FieldValues>(props: { form: UseFormReturn<T>; name: Path<T>; id: string; label: string }) {
  return <FormInput {...props} hint="At least 8 characters." type="password" autoComplete="new-password" />;
}

/** aria-invalid and aria-describedby for an input laid out by hand in a Field, which shows a field's error as `${id}-error`. */
export interface ErrorAria<E> {
  invalid: (field: keyof E) => true | undefined;
  describedBy: (field: keyof E, id: string) => string | undefined;
}

export function errorAria<E extends object>(errors: E): ErrorAria<E> {
  return {
    invalid: (field) => (errors[field] ? true : undefined),
    describedBy: (field, id) => (errors[field] ? `${id}-error` : undefined),
  };
}
