import { zodResolver } from '@hookform/resolvers/zod';
import { SteadApiError } from '@stead/api-client';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { TaskInputFields, taskInputSchemaShape } from '@/features/tasks/task-input-fields.tsx';
import { closingFormActions, DialogForm, type WorkspaceDialogProps } from '@/components/form-dialog.tsx';
import { errorAria } from '@/components/form-input.tsx';
import { Dialog, FormDialogFooter } from '@/components/ui/dialog.tsx';
import { Field } from '@/components/ui/field.tsx';
import { Input } from '@/components/ui/input.tsx';
import { api, type Task, type TaskKind } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { delaySecondsToMs, exampleInputText, parseJsonInput, runTaskErrorField } from '@/features/tasks/tasks.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { TaskKindsGate } from '@/features/tasks/task-kinds-gate.tsx';

const schema = z.object({
  ...taskInputSchemaShape,
  delaySeconds: z
    .string()
    .refine((text) => text.trim() === '' || (Number.isFinite(Number(text)) && Number(text) >= 0), 'Enter zero or more seconds, or leave it empty.'),
  maxAttempts: z.string().refine((text) => {
    if (text.trim() === '') return true;
    const value = Number(text);
    return Number.isInteger(value) && value >= 1 && value <= 100;
  }, 'Enter a whole number from 1 to 100, or leave it empty.'),
});

function RunTaskForm({ workspaceId, kinds, onSaved, onCancel }: { workspaceId: string; kinds: TaskKind[]; onSaved: (task: Task) => void; onCancel: () => void }) {
  const first = kinds[0];
  const { serverError, guard } = useServerError();
  const form = useForm({
    resolver: zodResolver(schema),
    defaultValues: { kind: first?.name ?? '', input: exampleInputText(first), delaySeconds: '', maxAttempts: '' },
  });
  const { errors, isSubmitting } = form.formState;
  const kind = kinds.find((item) => item.name === form.watch('kind'));
  const { invalid } = errorAria(errors);

  return (
    <DialogForm
      onSubmit={form.handleSubmit(
        guard(async (values) => {
          const parsed = parseJsonInput(values.input);
          if (!parsed.ok) return;
          const delayMs = delaySecondsToMs(values.delaySeconds);
          const maxAttempts = values.maxAttempts.trim() ? Number(values.maxAttempts) : undefined;
          try {
            const { task } = await api.createTask(workspaceId, {
              kind: values.kind,
              input: parsed.value,
              ...(delayMs === undefined ? {} : { delayMs }),
              ...(maxAttempts === undefined ? {} : { maxAttempts }),
            });
            onSaved(task);
          } catch (error) {
            // A refusal about one field is shown under that field; anything else above the buttons.
            const field = error instanceof SteadApiError ? runTaskErrorField(error.code, error.message) : null;
            if (!field) throw error;
            form.setError(field, { message: errorMessage(error) }, { shouldFocus: true });
          }
        }),
      )}
    >
      <TaskInputFields form={form} kinds={kinds} idPrefix="task" />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="task-delay" label="Delay in seconds" error={errors.delaySeconds?.message} hint="Empty: start now.">
          <Input
            id="task-delay"
            type="number"
            inputMode="decimal"
            min={0}
            step="any"
            placeholder="0"
            aria-invalid={invalid('delaySeconds')}
            aria-describedby={errors.delaySeconds ? 'task-delay-error' : undefined}
            {...form.register('delaySeconds')}
          />
        </Field>
        <Field
          id="task-max-attempts"
          label="Max attempts"
          error={errors.maxAttempts?.message}
          hint={kind ? `Empty: ${kind.maxAttempts}, the default for ${kind.name}.` : undefined}
        >
          <Input
            id="task-max-attempts"
            type="number"
            inputMode="numeric"
            min={1}
            max={100}
            step={1}
            placeholder={kind ? String(kind.maxAttempts) : undefined}
            aria-invalid={invalid('maxAttempts')}
            aria-describedby={errors.maxAttempts ? 'task-max-attempts-error' : undefined}
            {...form.register('maxAttempts')}
          />
        </Field>
      </div>
      <FormDialogFooter error={serverError} onCancel={onCancel} submitDisabled={isSubmitting || kinds.length === 0}>
        {isSubmitting ? 'Starting…' : 'Run task'}
      </FormDialogFooter>
    </DialogForm>
  );
}

/** "Run task": choose a kind, edit its example input, optionally delay it or change its attempts. */
export function RunTaskDialog({
  workspaceId,
  open,
  onOpenChange,
  onCreated,
}: WorkspaceDialogProps & {
  onCreated: (task: Task) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="Run task" description="Stead runs it in the background, retries it when it fails and keeps its log and output." className="max-w-xl">
      <TaskKindsGate workspaceId={workspaceId} open={open}>
        {(kinds) => (
          <RunTaskForm
            workspaceId={workspaceId}
            kinds={kinds}
            {...closingFormActions(() => onOpenChange(false), onCreated)}
          />
        )}
      </TaskKindsGate>
    </Dialog>
  );
}
