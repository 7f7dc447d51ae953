/** Triggers in words: cron expressions, intervals and one-off times as a person reads them. */
import type { MissedPolicy, ScheduleTriggerRequest } from '@/lib/api.ts';
import { formatDateTime } from '@/lib/format.ts';
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

/** Two digits: "07". */
export const pad = (value: number) => String(value).padStart(2, '0');

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

