import { useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import type { UseFormReturn } from 'react-hook-form';
import { z } from 'zod';
import { Field } from '@/components/ui/field.tsx';
import { NativeSelect } from '@/components/ui/input.tsx';
import { Textarea } from '@/components/ui/textarea.tsx';
import type { TaskKind } from '@/lib/api.ts';
import { api } from '@/lib/api.ts';
import { kindTakesSecretName, secretNameOfInput, usableSecrets, withSecretName } from '@/features/secrets/secrets.ts';
import { inputTextForKindChange, parseJsonInput } from '@/features/tasks/tasks.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { secretKeys } from '@/features/secrets/secrets.queries.ts';

/** The two fields every form that starts tasks has: a task kind and its input as JSON text. */
export interface TaskInputValues {
  kind: string;
  input: string;
}

/** Their zod fields, to spread into a form's schema. */
export const taskInputSchemaShape = {
  kind: z.string().min(1, 'Choose a kind of task.'),
  input: z.string().superRefine((text, context) => {
    const parsed = parseJsonInput(text);
    if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.message });
  }),
};

/**
 * Kind picker and JSON input editor. Choosing another kind swaps in its example input unless the person has
 * typed their own. Used by "Run task" and by the schedule form.
 */
export function TaskInputFields<Values extends TaskInputValues>({
  form,
  kinds,
  idPrefix,
  kindLabel = 'Kind',
  inputHint = "Checked against the kind's schema before anything runs.",
  rows = 9,
}: {
  form: UseFormReturn<Values>;
  kinds: readonly TaskKind[];
  /** Ids become `<idPrefix>-kind` and `<idPrefix>-input`. */
  idPrefix: string;
  kindLabel?: string;
  inputHint?: string;
  rows?: number;
}) {
  // react-hook-form cannot resolve field paths of a generic form type; these two fields exist on every Values.
  const shared = form as unknown as UseFormReturn<TaskInputValues>;
  const { errors } = shared.formState;
  const kindName = shared.watch('kind');
  const kind = kinds.find((item) => item.name === kindName);
  const previousKind = useRef(kindName);
  const kindId = `${idPrefix}-kind`;
  const inputId = `${idPrefix}-input`;
  const secretId = `${idPrefix}-secret`;
  // Kinds that sign with a secret (webhook.deliver) get a picker of the secrets this person's tasks may use.
  const workspace = useCurrentWorkspace();
  const takesSecret = kindTakesSecretName(kind) && workspace.role !== 'viewer';
  const secrets = useQuery({ queryKey: secretKeys.secrets(workspace.id), queryFn: async () => (await api.listSecrets(workspace.id)).secrets, enabled: takesSecret });
  const inputText = shared.watch('input');
  const chosenSecret = takesSecret ? secretNameOfInput(inputText) : '';
  const choices = usableSecrets(secrets.data ?? [], workspace.role);

  return (
    <>
      <Field id={kindId} label={kindLabel} error={errors.kind?.message} hint={kind?.description}>
        <NativeSelect
          id={kindId}
          aria-invalid={errors.kind ? true : undefined}
          aria-describedby={errors.kind ? `${kindId}-error` : undefined}
          {...shared.register('kind', {
            onChange: (event: { target: { value: string } }) => {
              const next = kinds.find((item) => item.name === event.target.value);
              const previous = kinds.find((item) => item.name === previousKind.current);
              previousKind.current = event.target.value;
              shared.setValue('input', inputTextForKindChange(shared.getValues('input'), previous, next));
              shared.clearErrors('input');
            },
          })}
        >
          {/* A saved schedule may name a kind this server no longer has: keep it choosable so nothing changes silently. */}
          {kindName && !kind ? <option value={kindName}>{kindName} (unknown)</option> : null}
          {kinds.map((item) => (
            <option key={item.name} value={item.name}>
              {item.name}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field id={inputId} label="Input (JSON)" error={errors.input?.message} hint={inputHint}>
        <Textarea
          id={inputId}
          rows={rows}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          className="font-mono text-xs md:text-xs"
          aria-invalid={errors.input ? true : undefined}
          aria-describedby={errors.input ? `${inputId}-error` : undefined}
          {...shared.register('input')}
        />
      </Field>
      {takesSecret ? (
        <Field id={secretId} label="Signing secret" hint="A workspace secret (Secrets page) your tasks may use; sets secretName in the input.">
          <NativeSelect
            id={secretId}
            value={chosenSecret}
            onChange={(event) => shared.setValue('input', withSecretName(shared.getValues('input'), event.target.value), { shouldValidate: true })}
          >
            <option value="">None (unsigned)</option>
            {chosenSecret && !choices.some((secret) => secret.name === chosenSecret) ? <option value={chosenSecret}>{chosenSecret} (not usable by you)</option> : null}
            {choices.map((secret) => (
              <option key={secret.name} value={secret.name}>
                {secret.name}
                {secret.description ? ` — ${secret.description}` : ''}
              </option>
            ))}
          </NativeSelect>
        </Field>
      ) : null}
    </>
  );
}
