/** The Usage tab's logic: budget limits and the usage aggregation behind the charts. */
import type { ApiKey, UsageRecord } from '@/lib/api.ts';

// ---------------------------------------------------------------------------------------------------------
// Budgets

export const budgetFields = ['requestsPerMinute', 'tokensPerMinute', 'spendPerDay', 'spendPerMonth'] as const;
export type BudgetField = (typeof budgetFields)[number];

/** An empty field is "no limit" (null); anything else must be a number of zero or more. */
export function parseLimit(text: string): { ok: true; value: number | null } | { ok: false } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  const value = Number(trimmed);
  return Number.isFinite(value) && value >= 0 ? { ok: true, value } : { ok: false };
}

export type BudgetLimits = Record<BudgetField, number | null>;
export type LimitTexts = Record<BudgetField, string>;

/** The four fields of a limits form, filled from saved limits (empty for none). */
export function limitTexts(limits: BudgetLimits | undefined): LimitTexts {
  return Object.fromEntries(budgetFields.map((field) => [field, limits?.[field] == null ? '' : String(limits[field])])) as LimitTexts;
}

/** The limits a form asks for, or the fields that are not valid limits. */
export function limitsRequest(texts: LimitTexts): { ok: true; limits: BudgetLimits } | { ok: false; invalid: BudgetField[] } {
  const parsed = budgetFields.map((field) => [field, parseLimit(texts[field])] as const);
  const invalid = parsed.filter(([, result]) => !result.ok).map(([field]) => field);
  if (invalid.length > 0) return { ok: false, invalid };
  return { ok: true, limits: Object.fromEntries(parsed.map(([field, result]) => [field, result.ok ? result.value : null])) as BudgetLimits };
}

/** All limits empty: saving removes them. */
export function noLimits(limits: BudgetLimits): boolean {
  return budgetFields.every((field) => limits[field] === null);
}

/** A key that can still make calls (not revoked, not expired at `now`). */
export function keyIsActive(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now: number): boolean {
  return key.revokedAt === null && (key.expiresAt === null || Date.parse(key.expiresAt) > now);
}

/** Keys that may be given something of their own (limits, a default data class): active ones not in `taken`, by name. */
export function keysWithout<K extends Pick<ApiKey, 'id' | 'name' | 'revokedAt' | 'expiresAt'>>(keys: readonly K[], taken: Iterable<string>, now: number): K[] {
  const skip = new Set(taken);
  return keys.filter((key) => !skip.has(key.id) && keyIsActive(key, now)).sort((a, b) => a.name.localeCompare(b.name));
}

/** Used share of a limit, 0–1 (capped), or null without a limit. */
export function usedShare(used: number, limit: number | null): number | null {
  if (limit === null) return null;
  if (limit === 0) return 1;
  return Math.min(1, Math.max(0, used / limit));
}

// ---------------------------------------------------------------------------------------------------------
// Usage aggregation (client side, from the ledger pages)

export interface DayTotals {
  /** YYYY-MM-DD in the chosen time zone. */
  day: string;
  calls: number;
  errors: number;
  cost: number;
  tokens: number;
}

export interface GroupTotals {
  name: string;
  calls: number;
  errors: number;
  cost: number;
  tokens: number;
}

export interface UsageSummary {
  calls: number;
  errors: number;
  cost: number;
  tokens: number;
  byDay: DayTotals[];
  byTarget: GroupTotals[];
  byKey: GroupTotals[];
}

/** Label of calls that no target served (refused by routing or budgets, or every candidate failed). */
export const NOT_SERVED = 'not served';
/** Label of calls made with a session (the dashboard, the playground) rather than an API key. */
export const NO_KEY = 'signed-in users';

const dayFormats = new Map<string, Intl.DateTimeFormat>();
/** The calendar day of an instant in `timeZone` (default: the browser's), as YYYY-MM-DD. */
export function dayOf(iso: string, timeZone?: string): string {
  const cacheKey = timeZone ?? '';
  let format = dayFormats.get(cacheKey);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(cacheKey, format);
  }
  return format.format(new Date(iso));
}

/** Every day from `first` to `last` inclusive (both YYYY-MM-DD). */
export function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let time = Date.parse(`${first}T00:00:00Z`); time <= end && days.length < 3_660; time += 86_400_000) {
    days.push(new Date(time).toISOString().slice(0, 10));
  }
  return days;
}

const tokensOf = (record: UsageRecord) => (record.inputTokens ?? 0) + (record.outputTokens ?? 0);

function addTo(group: { calls: number; errors: number; cost: number; tokens: number }, record: UsageRecord) {
  group.calls += 1;
  if (record.status === 'error') group.errors += 1;
  group.cost += record.cost ?? 0;
  group.tokens += tokensOf(record);
}

function grouped(records: readonly UsageRecord[], nameOf: (record: UsageRecord) => string): GroupTotals[] {
  const groups = new Map<string, GroupTotals>();
  for (const record of records) {
    const name = nameOf(record);
    let group = groups.get(name);
    if (!group) groups.set(name, (group = { name, calls: 0, errors: 0, cost: 0, tokens: 0 }));
    addTo(group, record);
  }
  return [...groups.values()].sort((a, b) => b.calls - a.calls || b.cost - a.cost || a.name.localeCompare(b.name));
}

/**
 * Totals of the ledger records by day (every day between the first and last call, quiet days at zero), by the
 * target that served (`not served` for refused and failed calls) and by API key (`signed-in users` without one).
 */
export function summarizeUsage(records: readonly UsageRecord[], options: { timeZone?: string; keyNames?: ReadonlyMap<string, string> } = {}): UsageSummary {
  const summary: UsageSummary = { calls: 0, errors: 0, cost: 0, tokens: 0, byDay: [], byTarget: [], byKey: [] };
  const days = new Map<string, DayTotals>();
  for (const record of records) {
    addTo(summary, record);
    const day = dayOf(record.at, options.timeZone);
    let totals = days.get(day);
    if (!totals) days.set(day, (totals = { day, calls: 0, errors: 0, cost: 0, tokens: 0 }));
    addTo(totals, record);
  }
  const sorted = [...days.keys()].sort();
  if (sorted.length > 0) {
    summary.byDay = daysBetween(sorted[0]!, sorted.at(-1)!).map((day) => days.get(day) ?? { day, calls: 0, errors: 0, cost: 0, tokens: 0 });
  }
  summary.byTarget = grouped(records, (record) => record.target ?? NOT_SERVED);
  summary.byKey = grouped(records, (record) => (record.keyId ? (options.keyNames?.get(record.keyId) ?? record.keyId) : NO_KEY));
  return summary;
}

/** The first `limit - 1` groups and the rest summed as "other", so a chart stays readable. */
export function topGroups(groups: readonly GroupTotals[], limit: number): GroupTotals[] {
  if (groups.length <= limit) return [...groups];
  const kept = groups.slice(0, limit - 1);
  const other: GroupTotals = { name: 'other', calls: 0, errors: 0, cost: 0, tokens: 0 };
  for (const group of groups.slice(limit - 1)) {
    other.calls += group.calls;
    other.errors += group.errors;
    other.cost += group.cost;
    other.tokens += group.tokens;
  }
  return [...kept, other];
}
