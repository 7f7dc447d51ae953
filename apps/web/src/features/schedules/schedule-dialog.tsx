import { zodResolver } from '@hookform/resolvers/zod';
import { SteadApiError } from '@stead/api-client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm, useWatch, type UseFormReturn } from 'react-hook-form';
import { z } from 'zod';
import { FireTimeList } from '@/features/schedules/fire-times.tsx';
import { errorAria } from '@/components/form-input.tsx';
import { LoadingRows } from '@/components/page-header.tsx';
import { TaskInputFields, taskInputSchemaShape } from '@/features/tasks/task-input-fields.tsx';
import { closingFormActions, DialogForm, type WorkspaceDialogProps } from '@/components/form-dialog.tsx';
import { Dialog, FormDialogFooter } from '@/components/ui/dialog.tsx';
import { Field } from '@/components/ui/field.tsx';
import { Input, NativeSelect, ValueOptions } from '@/components/ui/input.tsx';
import { api, type Schedule, type SchedulePreviewQuery, type TaskKind } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { createScheduleRequest, newScheduleFormValues, previewQueryOf, sameTrigger, ScheduleFormError, scheduleErrorField, scheduleToFormValues, triggerFromForm, updateScheduleRequest, type IntervalUnit, type ScheduleFormValues } from '@/features/schedules/schedule-form.ts';
import { describeTrigger, missedPolicyExplanations, missedPolicyLabels } from '@/features/schedules/schedule-trigger.ts';
import { browserTimeZone, timeZoneOptions, triggerTypes, type TriggerType } from '@/features/schedules/schedules.ts';
import { exampleInputText } from '@/features/tasks/tasks.ts';
import { useDebouncedValue } from '@/lib/use-debounced-value.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { useNow } from '@/features/tasks/use-task-events.ts';
import { scheduleKeys } from '@/features/schedules/schedules.queries.ts';
import { TaskKindsGate } from '@/features/tasks/task-kinds-gate.tsx';

/** Quiet time after the last keystroke before the preview asks the server. */
const PREVIEW_DEBOUNCE_MS = 350;
const PREVIEW_COUNT = 5;

const triggerTypeLabels: Record<TriggerType, string> = { cron: 'Cron', interval: 'Interval', once: 'Once' };
const intervalUnits: readonly IntervalUnit[] = ['seconds', 'minutes', 'hours', 'days'];

const schema = z
  .object({
    name: z.string().trim().min(1, 'Enter a name.').max(120, 'At most 120 characters.'),
    ...taskInputSchemaShape,
    triggerType: z.enum(['cron', 'interval', 'once']),
    expression: z.string(),
    timeZone: z.string(),
    intervalValue: z.string(),
    intervalUnit: z.enum(['seconds', 'minutes', 'hours', 'days']),
    at: z.string(),
    missedPolicy: z.enum(['skip', 'run-once']),
  })
  .superRefine((values, context) => {
    // The same check the live preview makes, so the form and the preview never disagree.
    const result = triggerFromForm(values);
    if (!result.ok) context.addIssue({ code: 'custom', path: [result.field], message: result.message });
  });

/**
 * The next fire times of what the form says, fetched from the server a moment after typing stops; its
 * refusal (bad cron expression, unknown zone, a time that has passed) shows here before anything is saved.
 */
function FirePreview({ workspaceId, values, saved }: { workspaceId: string; values: ScheduleFormValues; saved: Schedule | undefined }) {
  const result = triggerFromForm(values);
  // An unchanged trigger keeps its schedule's own times (an interval counts from the schedule's creation).
  const unchanged = saved !== undefined && result.ok && sameTrigger(result.trigger, saved.trigger) && saved.nextFireTimes.length > 0;
  const query = result.ok && !unchanged ? JSON.stringify(previewQueryOf(result.trigger, PREVIEW_COUNT)) : '';
  // Debounced as text: a fresh object every render would restart the timer for ever.
  const settled = useDebouncedValue(query, PREVIEW_DEBOUNCE_MS);
  const settledQuery = settled ? (JSON.parse(settled) as SchedulePreviewQuery) : null;
  const preview = useQuery({
    queryKey: scheduleKeys.schedulePreview(workspaceId, settledQuery ?? { type: 'interval' }),
    queryFn: () => api.previewSchedule(workspaceId, settledQuery!),
    enabled: settledQuery !== null,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
    retry: false,
  });
  const now = useNow(true);
  const typing = query !== settled;
  const zone = result.ok && result.trigger.type === 'cron' ? result.trigger.timeZone : undefined;

  let body;
  if (!result.ok) body = <p className="text-sm text-muted-foreground">{result.message}</p>;
  else if (unchanged) body = <FireTimeList times={saved.nextFireTimes} scheduleZone={zone} now={now} />;
  else if (preview.isError && !typing) {
    body = (
      <p id="schedule-preview-error" className="text-sm text-destructive">
        {errorMessage(preview.error)}
      </p>
    );
  } else if (!preview.data) body = <LoadingRows />;
  else if (preview.data.fireTimes.length === 0) body = <p className="text-sm text-muted-foreground">It would never fire.</p>;
  else body = <FireTimeList times={preview.data.fireTimes} scheduleZone={zone} now={now} className={typing || preview.isPlaceholderData ? 'opacity-60' : undefined} />;

  return (
    <section aria-label="Preview" aria-live="polite" aria-busy={typing || preview.isFetching} className="grid min-w-0 gap-2 rounded-lg border bg-muted/40 p-3">
      <div className="flex items-baseline justify-between gap-2">
        <h3 className="text-sm font-medium">{unchanged ? 'Next fire times' : `Next ${PREVIEW_COUNT} fire times`}</h3>
        <span className="text-xs text-muted-foreground">{typing || preview.isFetching ? 'Updating…' : unchanged ? 'unchanged' : 'if saved now'}</span>
      </div>
      {result.ok ? <p className="text-xs font-medium break-words">{describeTrigger(result.trigger)}</p> : null}
      {body}
    </section>
  );
}

/** How a schedule runs: the trigger type, then the cron expression and zone, the interval or the one-off time. */
function TriggerFields({ form, values, zones, viewerZone }: { form: UseFormReturn<ScheduleFormValues>; values: ScheduleFormValues; zones: readonly string[]; viewerZone: string }) {
  const { errors } = form.formState;
  const { invalid, describedBy } = errorAria(errors);
  return (
    <fieldset className="grid min-w-0 gap-3">
      <legend className="mb-2 text-sm font-medium">Runs</legend>
      <div className="grid grid-cols-3 gap-1 rounded-lg bg-muted p-1">
        {triggerTypes.map((type) => (
          <label
            key={type}
            className="flex cursor-pointer items-center justify-center rounded-md px-2 py-1.5 text-sm font-medium text-muted-foreground transition-colors hover:text-foreground has-[:checked]:bg-background has-[:checked]:text-foreground has-[:checked]:shadow-sm has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring"
          >
            <input type="radio" value={type} className="sr-only" {...form.register('triggerType', { onChange: () => form.clearErrors(['expression', 'timeZone', 'intervalValue', 'at']) })} />
            {triggerTypeLabels[type]}
          </label>
        ))}
      </div>

      {values.triggerType === 'cron' ? (
        <>
          <Field id="schedule-expression" label="Cron expression" error={errors.expression?.message} hint="minute hour day-of-month month weekday, e.g. 30 9 * * 1-5 (6 fields: seconds first)">
            <Input
              id="schedule-expression"
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
              className="font-mono"
              placeholder="30 9 * * 1-5"
              aria-invalid={invalid('expression')}
              aria-describedby={describedBy('expression', 'schedule-expression')}
              {...form.register('expression')}
            />
          </Field>
          <Field id="schedule-time-zone" label="Time zone" error={errors.timeZone?.message} hint="The expression is read in this zone, daylight saving included.">
            <NativeSelect id="schedule-time-zone" aria-invalid={invalid('timeZone')} aria-describedby={describedBy('timeZone', 'schedule-time-zone')} {...form.register('timeZone')}>
              <ValueOptions values={zones} />
            </NativeSelect>
          </Field>
        </>
      ) : null}

      {values.triggerType === 'interval' ? (
        <Field id="schedule-interval" label="Every" error={errors.intervalValue?.message} hint="Counted from when the schedule is created.">
          <div className="flex gap-2">
            <Input
              id="schedule-interval"
              type="number"
              inputMode="decimal"
              min={1}
              step="any"
              aria-invalid={invalid('intervalValue')}
              aria-describedby={describedBy('intervalValue', 'schedule-interval')}
              {...form.register('intervalValue')}
            />
            <NativeSelect aria-label="Interval unit" className="w-32 shrink-0" {...form.register('intervalUnit')}>
              <ValueOptions values={intervalUnits} />
            </NativeSelect>
          </div>
        </Field>
      ) : null}

      {values.triggerType === 'once' ? (
        <Field id="schedule-at" label="At" error={errors.at?.message} hint={`In your time zone, ${viewerZone}.`}>
          <Input id="schedule-at" type="datetime-local" step={60} aria-invalid={invalid('at')} aria-describedby={describedBy('at', 'schedule-at')} {...form.register('at')} />
        </Field>
      ) : null}
    </fieldset>
  );
}

function ScheduleForm({
  workspaceId,
  kinds,
  schedule,
  onSaved,
  onCancel,
}: {
  workspaceId: string;
  kinds: TaskKind[];
  schedule: Schedule | undefined;
  onSaved: (schedule: Schedule) => void;
  onCancel: () => void;
}) {
  const { serverError, guard } = useServerError();
  const [defaults] = useState<ScheduleFormValues>(() => {
    const options = { timeZone: browserTimeZone(), now: Date.now() };
    if (schedule) return scheduleToFormValues(schedule, options);
    return newScheduleFormValues({ ...options, kind: kinds[0]?.name ?? '', input: exampleInputText(kinds[0]) });
  });
  const form = useForm({ resolver: zodResolver(schema), defaultValues: defaults });
  const { errors, isSubmitting } = form.formState;
  const values = useWatch({ control: form.control }) as ScheduleFormValues;
  const zones = useMemo(() => timeZoneOptions([defaults.timeZone, schedule?.trigger.type === 'cron' ? schedule.trigger.timeZone : '']), [defaults.timeZone, schedule]);
  const { invalid, describedBy } = errorAria(errors);

  return (
    <DialogForm
      className="grid gap-4 md:grid-cols-2 md:gap-x-6"
      onSubmit={form.handleSubmit(
        guard(async (submitted) => {
          try {
            if (schedule) {
              const request = updateScheduleRequest(schedule, submitted);
              onSaved(Object.keys(request).length === 0 ? schedule : (await api.updateSchedule(workspaceId, schedule.id, request)).schedule);
            } else {
              onSaved((await api.createSchedule(workspaceId, createScheduleRequest(submitted))).schedule);
            }
          } catch (error) {
            // A refusal about one field is shown under that field; anything else above the buttons.
            const field =
              error instanceof ScheduleFormError
                ? error.field
                : error instanceof SteadApiError
                  ? scheduleErrorField(error.code, error.message, submitted.triggerType)
                  : null;
            if (!field) throw error;
            form.setError(field, { message: errorMessage(error) }, { shouldFocus: true });
          }
        }),
      )}
    >
      <div className="grid min-w-0 content-start gap-4">
        <Field id="schedule-name" label="Name" error={errors.name?.message}>
          <Input
            id="schedule-name"
            autoComplete="off"
            placeholder="Nightly health check"
            aria-invalid={invalid('name')}
            aria-describedby={describedBy('name', 'schedule-name')}
            {...form.register('name')}
          />
        </Field>
        <TaskInputFields form={form} kinds={kinds} idPrefix="schedule" kindLabel="Task kind" inputHint="The input of every task it starts; checked against the kind's schema when saving." rows={8} />
      </div>

      <div className="grid min-w-0 content-start gap-4">
        <TriggerFields form={form} values={values} zones={zones} viewerZone={defaults.timeZone} />

        <FirePreview workspaceId={workspaceId} values={values} saved={schedule} />

        <Field id="schedule-missed" label="After downtime" error={errors.missedPolicy?.message} hint={missedPolicyExplanations[values.missedPolicy]}>
          <NativeSelect id="schedule-missed" {...form.register('missedPolicy')}>
            {(['skip', 'run-once'] as const).map((policy) => (
              <option key={policy} value={policy}>
                {missedPolicyLabels[policy]}
              </option>
            ))}
          </NativeSelect>
        </Field>
      </div>

      <div className="grid gap-4 md:col-span-2">
        <FormDialogFooter error={serverError} onCancel={onCancel} submitDisabled={isSubmitting || kinds.length === 0}>
          {isSubmitting ? 'Saving…' : schedule ? 'Save changes' : 'Create schedule'}
        </FormDialogFooter>
      </div>
    </DialogForm>
  );
}

/** "New schedule" and "Edit schedule": what to run, when, and what to do after downtime, with a live preview. */
export function ScheduleDialog({
  workspaceId,
  open,
  onOpenChange,
  schedule,
  onSaved,
}: WorkspaceDialogProps & {
  /** The schedule to edit; none for a new one. */
  schedule?: Schedule;
  onSaved: (schedule: Schedule) => void;
}) {
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={schedule ? 'Edit schedule' : 'New schedule'}
      description="Starts a task of the chosen kind by itself, and records every fire."
      className="max-w-4xl"
    >
      <TaskKindsGate workspaceId={workspaceId} open={open}>
        {(kinds) => (
          <ScheduleForm
            workspaceId={workspaceId}
            kinds={kinds}
            schedule={schedule}
            {...closingFormActions(() => onOpenChange(false), onSaved)}
          />
        )}
      </TaskKindsGate>
    </Dialog>
  );
}
