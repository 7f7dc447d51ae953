/**
 * Pure logic of the Schedules pages: triggers in words, the schedule form and its mapping to API requests,
 * time zones and fire times. No React and no requests here, so all of it is unit-tested.
 */
import type {
  CreateScheduleRequest,
  MissedPolicy,
  Schedule,
  ScheduleFire,
  SchedulePreviewQuery,
  ScheduleTrigger,
  ScheduleTriggerRequest,
  UpdateScheduleRequest,
} from '@/lib/api.ts';
import { formatDateTime } from '@/lib/format.ts';
import { parseJsonInput, prettyJson, runTaskErrorField } from '@/features/tasks/tasks.ts';

export type TriggerType = ScheduleTrigger['type'];
export const triggerTypes: readonly TriggerType[] = ['cron', 'interval', 'once'];

/** Longest interval the server accepts: a year (`maxIntervalSeconds` on the server). */
export const maxIntervalSeconds = 366 * 86_400;

// ---------------------------------------------------------------------------------------------------------
// Triggers in words

const weekdayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const weekdayAliases = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const monthAliases = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** croner's nicknames, as the five fields they stand for. */
const nicknames: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** "a", "a and b", "a, b and c". */
export function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st … */
export function ordinal(value: number): string {
  const tens = value % 100;
  if (tens >= 11 && tens <= 13) return `${value}th`;
  return `${value}${({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[value % 10] ?? 'th'}`;
}

/** One cron field: any value, every n-th value from the lowest, or a list of values; null when not understood. */
type CronField = { type: 'any' } | { type: 'step'; step: number } | { type: 'values'; values: number[] };

function parseValue(text: string, aliases: readonly string[] | undefined, aliasOffset: number): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const index = aliases?.indexOf(text.toLowerCase()) ?? -1;
  return index === -1 ? null : index + aliasOffset;
}

function parseField(text: string, min: number, max: number, aliases?: readonly string[], aliasOffset = 0): CronField | null {
  if (text === '*' || text === '?') return { type: 'any' };
  // `*/n` and `<lowest>/n` repeat from the lowest value; another start is expanded into values below.
  const step = /^(?:\*|(\d+))\/(\d+)$/.exec(text);
  if (step && (step[1] === undefined || Number(step[1]) === min)) {
    const n = Number(step[2]);
    if (n < 1) return null;
    return n === 1 ? { type: 'any' } : { type: 'step', step: n };
  }
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^([a-z\d]+)(?:-([a-z\d]+))?(?:\/(\d+))?$/i.exec(part);
    if (!match) return null;
    const start = parseValue(match[1]!, aliases, aliasOffset);
    const end = match[2] === undefined ? (match[3] === undefined ? start : max) : parseValue(match[2], aliases, aliasOffset);
    const by = match[3] === undefined ? 1 : Number(match[3]);
    if (start === null || end === null || by < 1 || start < min || end > max || end < start) return null;
    for (let value = start; value <= end; value += by) values.add(value);
  }
  return { type: 'values', values: [...values].sort((a, b) => a - b) };
}

const pad = (value: number) => String(value).padStart(2, '0');

/** A contiguous run of values (9,10,11 …) as its first and last, else null. */
function contiguous(values: readonly number[]): [number, number] | null {
  if (values.length < 2) return null;
  return values.every((value, index) => index === 0 || value === values[index - 1]! + 1) ? [values[0]!, values.at(-1)!] : null;
}

/** How often within a day, or the clock times of a day; null when it takes more than a phrase. */
function describeTime(second: CronField, minute: CronField, hour: CronField): { frequency: string } | { times: string } | null {
  const secondsPart = second.type === 'values' && !(second.values.length === 1 && second.values[0] === 0);
  // Fires several times a minute.
  if (second.type !== 'values' || second.values.length > 1) {
    if (minute.type !== 'any' || hour.type !== 'any') return null;
    if (second.type === 'any') return { frequency: 'Every second' };
    if (second.type === 'step') return { frequency: `Every ${second.step} seconds` };
    return null;
  }
  const secondText = secondsPart ? `:${pad(second.values[0]!)}` : '';
  const hourRange = (): string | null => {
    if (hour.type === 'any') return '';
    if (hour.type !== 'values') return null;
    if (hour.values.length === 1) return ` between ${pad(hour.values[0]!)}:00 and ${pad(hour.values[0]!)}:59`;
    const range = contiguous(hour.values);
    return range ? ` between ${pad(range[0])}:00 and ${pad(range[1])}:59` : null;
  };
  if (minute.type === 'any' || minute.type === 'step') {
    if (secondsPart) return null;
    const within = hourRange();
    if (within === null) return null;
    return { frequency: `${minute.type === 'any' ? 'Every minute' : `Every ${minute.step} minutes`}${within}` };
  }
  // Fixed minutes from here on.
  if (hour.type === 'any' || hour.type === 'step') {
    if (minute.values.length > 4) return null;
    const every = hour.type === 'any' ? 'Every hour' : `Every ${hour.step} hours`;
    if (minute.values.length === 1 && minute.values[0] === 0 && !secondsPart) return { frequency: every };
    return { frequency: `${every} at ${joinWords(minute.values.map((value) => `:${pad(value)}${secondText}`))}` };
  }
  if (minute.values.length * hour.values.length > 6) {
    // Many times within a run of hours: "Every hour at :15 between 09:00 and 17:59".
    const within = hourRange();
    if (within === null || minute.values.length > 4) return null;
    return { frequency: `Every hour at ${joinWords(minute.values.map((value) => `:${pad(value)}${secondText}`))}${within}` };
  }
  const times = hour.values.flatMap((h) => minute.values.map((m) => `${pad(h)}:${pad(m)}${secondText}`));
  return { times: joinWords(times) };
}

/** Which days, as the start of a sentence ("Every weekday") and as its end ("on weekdays"); null when unclear. */
function describeDays(dayOfMonth: CronField, month: CronField, weekday: CronField): { start: string; end: string } | null {
  if (dayOfMonth.type === 'step' || month.type === 'step' || weekday.type === 'step') return null;
  const months = month.type === 'values' ? joinWords(month.values.map((value) => monthNames[value - 1]!)) : null;
  if (dayOfMonth.type === 'values' && weekday.type === 'values') return null; // croner fires when either matches: too subtle for words.
  if (dayOfMonth.type === 'values') {
    const days = `the ${joinWords(dayOfMonth.values.map(ordinal))}`;
    const of = months ? `of ${months}` : 'of every month';
    return { start: `On ${days} ${of}`, end: `on ${days} ${of}` };
  }
  const inMonths = months ? ` in ${months}` : '';
  if (weekday.type === 'values') {
    const days = [...new Set(weekday.values.map((value) => value % 7))].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
    if (days.length === 7) return { start: `Every day${inMonths}`, end: inMonths.trim() };
    if (days.join() === '1,2,3,4,5') return { start: `Every weekday${inMonths}`, end: `on weekdays${inMonths}` };
    const names = joinWords(days.map((value) => weekdayNames[value]!));
    return { start: `Every ${names}${inMonths}`, end: `on ${names}${inMonths}` };
  }
  return { start: `Every day${inMonths}`, end: inMonths.trim() };
}

/** A cron expression in words ("Every weekday at 09:30"), or null when it is beyond a short sentence. */
export function describeCronExpression(expression: string): string | null {
  const trimmed = expression.trim().replace(/\s+/g, ' ');
  const fields = (nicknames[trimmed.toLowerCase()] ?? trimmed).split(' ');
  if (fields.length !== 5 && fields.length !== 6) return null;
  const [secondText, minuteText, hourText, dayText, monthText, weekdayText] = fields.length === 6 ? fields : ['0', ...fields];
  const second = parseField(secondText!, 0, 59);
  const minute = parseField(minuteText!, 0, 59);
  const hour = parseField(hourText!, 0, 23);
  const dayOfMonth = parseField(dayText!, 1, 31);
  const month = parseField(monthText!, 1, 12, monthAliases, 1);
  const weekday = parseField(weekdayText!, 0, 7, weekdayAliases, 0);
  if (!second || !minute || !hour || !dayOfMonth || !month || !weekday) return null;
  const time = describeTime(second, minute, hour);
  const days = describeDays(dayOfMonth, month, weekday);
  if (!time || !days) return null;
  if ('times' in time) return `${days.start} at ${time.times}`;
  return days.end ? `${time.frequency}, ${days.end}` : time.frequency;
}

const intervalUnits = [
  ['week', 604_800],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
] as const;

/** "Every 5 minutes", "Every hour", "Every 90 seconds": the largest unit that divides the interval. */
export function describeInterval(seconds: number): string {
  for (const [unit, size] of intervalUnits) {
    if (seconds % size !== 0) continue;
    const count = seconds / size;
    return count === 1 ? `Every ${unit}` : `Every ${count} ${unit}s`;
  }
  return `Every ${seconds} seconds`;
}

/**
 * A trigger in words for lists and headings: "Every weekday at 09:30 (Europe/Berlin)", "Every 5 minutes",
 * "Once at 3 Dec 2026, 14:00". A cron expression too unusual for words is shown as it is.
 */
export function describeTrigger(trigger: ScheduleTriggerRequest, formatTime: (iso: string) => string = formatDateTime): string {
  if (trigger.type === 'interval') return describeInterval(trigger.seconds);
  if (trigger.type === 'once') return `Once at ${formatTime(trigger.at)}`;
  const zone = trigger.timeZone ?? 'UTC';
  const words = describeCronExpression(trigger.expression);
  return `${words ?? `Cron ${trigger.expression.trim()}`} (${zone})`;
}

export const missedPolicyLabels: Record<MissedPolicy, string> = {
  skip: 'Skip missed fires',
  'run-once': 'Run once',
};

/** One line about what the policy does, for the form and the detail page. */
export const missedPolicyExplanations: Record<MissedPolicy, string> = {
  skip: 'After downtime, fires that were missed are recorded as skipped and the schedule waits for its next time.',
  'run-once': 'After downtime, the task runs once for the latest missed time (not once per missed fire), then carries on.',
};

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

// ---------------------------------------------------------------------------------------------------------
// Time zones and fire times

/** The browser's IANA time zone; UTC when it cannot tell. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Every zone the browser knows, plus UTC and any zone in use (a saved schedule's), sorted, each once. */
export function timeZoneOptions(extra: readonly string[] = [], supported: () => readonly string[] = () => Intl.supportedValuesOf('timeZone')): string[] {
  let zones: readonly string[] = [];
  try {
    zones = supported();
  } catch {
    // Older browsers: the zones in use and UTC still make a usable list.
  }
  return [...new Set([...zones, 'UTC', ...extra.filter(Boolean)])].sort((a, b) => a.localeCompare(b));
}

/**
 * A fire time as the reader needs it: in their own zone, and also in the schedule's zone when that differs
 * (a cron schedule in Europe/Berlin read from New York).
 */
export function formatFireTime(iso: string, options: { scheduleZone?: string; viewerZone?: string; locale?: string } = {}): { local: string; inZone: string | null } {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return { local: iso, inZone: null };
  const viewerZone = options.viewerZone ?? browserTimeZone();
  const format = (timeZone: string) =>
    new Intl.DateTimeFormat(options.locale, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit', timeZone }).format(date);
  const local = format(viewerZone);
  if (!options.scheduleZone || options.scheduleZone === viewerZone) return { local, inZone: null };
  try {
    const inZone = new Intl.DateTimeFormat(options.locale, { hour: 'numeric', minute: '2-digit', timeZone: options.scheduleZone, timeZoneName: 'short' }).format(date);
    return { local, inZone: `${inZone} in ${options.scheduleZone}` };
  } catch {
    return { local, inZone: null };
  }
}

/**
 * How long to wait before asking the server again about a schedule whose next fire is at `nextFireAt`: a
 * moment after it is due (the scheduler ticks every second), at least 1 s and at most `maxMs`. Null when
 * nothing is due, or when it is more than 30 s overdue.
 */
export function refreshDelayMs(nextFireAt: string | null | undefined, now: number, maxMs = 60_000): number | null {
  if (!nextFireAt) return null;
  const due = Date.parse(nextFireAt);
  // Long overdue: no scheduler is running; polling every second would not make one appear.
  if (Number.isNaN(due) || now - due > 30_000) return null;
  return Math.min(maxMs, Math.max(1_000, due - now + 1_500));
}

/** "in 4 seconds", "in 5 minutes", "2 hours ago": fire times are seconds apart, so seconds count too. */
export function formatFromNow(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const seconds = Math.round((at - now) / 1000);
  if (seconds === 0) return 'now';
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['year', 31_536_000],
    ['month', 2_592_000],
    ['week', 604_800],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(seconds, 'second');
}

/** Badge style of a fire's outcome. */
export const fireOutcomeVariants = {
  pending: 'outline',
  started: 'success',
  skipped: 'secondary',
  failed: 'destructive',
} as const satisfies Record<ScheduleFire['outcome'], string>;
