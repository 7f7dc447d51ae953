/** The schedule form: its values, their mapping to API requests and the server's errors back to fields. */
import type { CreateScheduleRequest, MissedPolicy, Schedule, SchedulePreviewQuery, ScheduleTriggerRequest, UpdateScheduleRequest } from '@/lib/api.ts';
import { pad } from './schedule-trigger.ts';
import { maxIntervalSeconds, type TriggerType } from './schedules.ts';
import { parseJsonInput, runTaskErrorField } from '@/features/tasks/tasks.ts';
import { prettyJson } from '@/lib/format.ts';
// ---------------------------------------------------------------------------------------------------------
// The schedule form

export type IntervalUnit = 'seconds' | 'minutes' | 'hours' | 'days';
export const intervalUnitSeconds: Record<IntervalUnit, number> = { seconds: 1, minutes: 60, hours: 3_600, days: 86_400 };

/** What the schedule form holds: text as typed, so a half-typed value never throws. */
export interface ScheduleFormValues {
  name: string;
  kind: string;
  /** JSON text. */
  input: string;
  triggerType: TriggerType;
  expression: string;
  timeZone: string;
  intervalValue: string;
  intervalUnit: IntervalUnit;
  /** A `datetime-local` value (YYYY-MM-DDTHH:mm, in the browser's time zone). */
  at: string;
  missedPolicy: MissedPolicy;
}

export type ScheduleFormField = keyof ScheduleFormValues;
type TriggerField = 'expression' | 'timeZone' | 'intervalValue' | 'at';

/** The interval in the largest whole unit: 300 → 5 minutes, 90 → 90 seconds. */
export function splitInterval(seconds: number): { intervalValue: string; intervalUnit: IntervalUnit } {
  for (const unit of ['days', 'hours', 'minutes'] as const) {
    if (seconds >= intervalUnitSeconds[unit] && seconds % intervalUnitSeconds[unit] === 0) {
      return { intervalValue: String(seconds / intervalUnitSeconds[unit]), intervalUnit: unit };
    }
  }
  return { intervalValue: String(seconds), intervalUnit: 'seconds' };
}

/** A `datetime-local` value read in the browser's time zone, as an ISO time; null when incomplete. */
export function datetimeLocalToIso(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(year, month - 1, day, hour, minute, second, 0);
  // new Date rolls 31 February over to March: refuse what the fields do not say.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return date.toISOString();
}

/** An ISO time as a `datetime-local` value in the browser's time zone (minutes precision). */
export function isoToDatetimeLocal(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * The trigger the form describes, or the field that stops it and why. The form's validation and the live
 * preview both use this, so the preview asks the server only about triggers that could be saved.
 */
export function triggerFromForm(
  values: Pick<ScheduleFormValues, 'triggerType' | 'expression' | 'timeZone' | 'intervalValue' | 'intervalUnit' | 'at'>,
): { ok: true; trigger: ScheduleTriggerRequest } | { ok: false; field: TriggerField; message: string } {
  if (values.triggerType === 'cron') {
    const expression = values.expression.trim().replace(/\s+/g, ' ');
    if (!expression) return { ok: false, field: 'expression', message: 'Enter a cron expression, for example 30 9 * * 1-5.' };
    if (expression.length > 200) return { ok: false, field: 'expression', message: 'At most 200 characters.' };
    if (!values.timeZone.trim()) return { ok: false, field: 'timeZone', message: 'Choose a time zone.' };
    return { ok: true, trigger: { type: 'cron', expression, timeZone: values.timeZone.trim() } };
  }
  if (values.triggerType === 'interval') {
    const text = values.intervalValue.trim();
    const amount = Number(text);
    if (!text || !Number.isFinite(amount) || amount <= 0) return { ok: false, field: 'intervalValue', message: 'Enter how often, a number above zero.' };
    const exact = amount * intervalUnitSeconds[values.intervalUnit];
    const seconds = Math.round(exact);
    if (Math.abs(exact - seconds) > 1e-6 || seconds < 1) return { ok: false, field: 'intervalValue', message: 'The interval must come to a whole number of seconds.' };
    if (seconds > maxIntervalSeconds) return { ok: false, field: 'intervalValue', message: 'At most a year (366 days); use a cron expression for rarer schedules.' };
    return { ok: true, trigger: { type: 'interval', seconds } };
  }
  const at = datetimeLocalToIso(values.at);
  if (!at) return { ok: false, field: 'at', message: 'Choose a date and time.' };
  return { ok: true, trigger: { type: 'once', at } };
}

/** The preview endpoint's query for a trigger. */
export function previewQueryOf(trigger: ScheduleTriggerRequest, count = 5): SchedulePreviewQuery {
  if (trigger.type === 'cron') return { type: 'cron', expression: trigger.expression, timeZone: trigger.timeZone ?? 'UTC', count };
  if (trigger.type === 'interval') return { type: 'interval', seconds: trigger.seconds, count };
  return { type: 'once', at: trigger.at, count };
}

/** Whether two triggers fire at the same times (a cron zone left out means UTC; once-times compare as instants). */
export function sameTrigger(a: ScheduleTriggerRequest, b: ScheduleTriggerRequest): boolean {
  if (a.type === 'cron' && b.type === 'cron') {
    return a.expression.trim().replace(/\s+/g, ' ') === b.expression.trim().replace(/\s+/g, ' ') && (a.timeZone ?? 'UTC') === (b.timeZone ?? 'UTC');
  }
  if (a.type === 'interval' && b.type === 'interval') return a.seconds === b.seconds;
  if (a.type === 'once' && b.type === 'once') return Date.parse(a.at) === Date.parse(b.at);
  return false;
}

/** A fresh form: the first kind's example input, a weekday-morning cron in the browser's zone. */
export function newScheduleFormValues(options: { kind: string; input: string; timeZone: string; now: number }): ScheduleFormValues {
  const inAnHour = new Date(options.now + 3_600_000);
  inAnHour.setMinutes(0, 0, 0);
  return {
    name: '',
    kind: options.kind,
    input: options.input,
    triggerType: 'cron',
    expression: '30 9 * * 1-5',
    timeZone: options.timeZone,
    intervalValue: '5',
    intervalUnit: 'minutes',
    at: isoToDatetimeLocal(inAnHour.toISOString()),
    missedPolicy: 'skip',
  };
}

/** The form for editing a saved schedule. The other trigger types keep sensible defaults should the person switch. */
export function scheduleToFormValues(schedule: Schedule, options: { timeZone: string; now: number }): ScheduleFormValues {
  const base = newScheduleFormValues({ kind: schedule.kind, input: prettyJson(schedule.input), timeZone: options.timeZone, now: options.now });
  const { trigger } = schedule;
  return {
    ...base,
    name: schedule.name,
    missedPolicy: schedule.missedPolicy,
    triggerType: trigger.type,
    ...(trigger.type === 'cron' ? { expression: trigger.expression, timeZone: trigger.timeZone } : {}),
    ...(trigger.type === 'interval' ? splitInterval(trigger.seconds) : {}),
    ...(trigger.type === 'once' ? { at: isoToDatetimeLocal(trigger.at) } : {}),
  };
}

/** Thrown by the request builders when the form is not valid; the form's own validation runs first, so rarely. */
export class ScheduleFormError extends Error {
  constructor(
    readonly field: ScheduleFormField,
    message: string,
  ) {
    super(message);
    this.name = 'ScheduleFormError';
  }
}

function parsedInput(values: ScheduleFormValues): unknown {
  const parsed = parseJsonInput(values.input);
  if (!parsed.ok) throw new ScheduleFormError('input', parsed.message);
  return parsed.value;
}

function parsedTrigger(values: ScheduleFormValues): ScheduleTriggerRequest {
  const result = triggerFromForm(values);
  if (!result.ok) throw new ScheduleFormError(result.field, result.message);
  return result.trigger;
}

/** The create request of a filled-in form; new schedules start enabled. */
export function createScheduleRequest(values: ScheduleFormValues): CreateScheduleRequest {
  return {
    name: values.name.trim(),
    kind: values.kind,
    input: parsedInput(values),
    trigger: parsedTrigger(values),
    missedPolicy: values.missedPolicy,
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Only what changed. An unchanged trigger is left out on purpose: sending it would recompute the next fire
 * time, and a one-off time that has already passed would be refused.
 */
export function updateScheduleRequest(schedule: Schedule, values: ScheduleFormValues): UpdateScheduleRequest {
  const request: UpdateScheduleRequest = {};
  const name = values.name.trim();
  if (name !== schedule.name) request.name = name;
  if (values.kind !== schedule.kind) request.kind = values.kind;
  const input = parsedInput(values);
  if (!sameJson(input, schedule.input) || values.kind !== schedule.kind) request.input = input;
  const trigger = parsedTrigger(values);
  if (!sameTrigger(trigger, schedule.trigger)) request.trigger = trigger;
  if (values.missedPolicy !== schedule.missedPolicy) request.missedPolicy = values.missedPolicy;
  return request;
}

/**
 * The form field a server refusal is about, from its code and message; null when it concerns the whole form.
 * `schedule_invalid` is about the trigger: the time zone when it says so, else the field of the trigger type.
 */
export function scheduleErrorField(code: string | undefined, message: string, triggerType: TriggerType): ScheduleFormField | null {
  const triggerField: TriggerField = triggerType === 'cron' ? 'expression' : triggerType === 'interval' ? 'intervalValue' : 'at';
  if (code === 'schedule_invalid') return /time zone/i.test(message) ? 'timeZone' : triggerField;
  if (code === 'validation_failed') {
    if (/^body\.name\b/.test(message)) return 'name';
    if (/^body\.missedPolicy\b/.test(message)) return 'missedPolicy';
    if (/^body\.trigger\.timeZone\b/.test(message)) return 'timeZone';
    if (/^(body\.trigger|querystring)\b/.test(message)) return triggerField;
  }
  const taskField = runTaskErrorField(code, message);
  return taskField === 'kind' || taskField === 'input' ? taskField : null;
}

