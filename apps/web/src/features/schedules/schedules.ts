/**
 * Pure logic of the Schedules pages shared by the list, the detail and the form: trigger types, time zones and
 * fire times. Triggers in words are in schedule-trigger.ts, the form in schedule-form.ts; all of it unit-tested.
 */
import type { ScheduleFire, ScheduleTrigger } from '@/lib/api.ts';
import { formatRelativeSeconds } from '@/lib/format.ts';

export type TriggerType = ScheduleTrigger['type'];
export const triggerTypes: readonly TriggerType[] = ['cron', 'interval', 'once'];

/** Longest interval the server accepts: a year (`maxIntervalSeconds` on the server). */
export const maxIntervalSeconds = 366 * 86_400;

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
  return formatRelativeSeconds(seconds);
}

/** Badge style of a fire's outcome. */
export const fireOutcomeVariants = {
  pending: 'outline',
  started: 'success',
  skipped: 'secondary',
  failed: 'destructive',
} as const satisfies Record<ScheduleFire['outcome'], string>;
