/**
 * Pure logic of the Models pages: provider type hints, formatting of prices, latencies and rates, the route
 * rule editor's drafts, the tester's query, budget limits and the usage aggregation behind the charts. No React
 * and no requests here, so all of it is unit-tested.
 */
import type {
  ApiKey,
  BreakerState,
  DataClass,
  LatencyTier,
  Locality,
  Model,
  ModelAlias,
  DeclaredModel,
  ModelCapability,
  ProviderTimeouts,
  ProviderType,
  Role,
  RouteRule,
  RouteRuleRequest,
  RouteTestQuery,
  UsageRecord,
} from '@/lib/api.ts';

export const providerTypes: readonly ProviderType[] = ['openai-compatible', 'ollama', 'anthropic', 'huggingface', 'gguf'];
export const dataClasses: readonly DataClass[] = ['private', 'internal', 'public'];
export const latencyTiers: readonly LatencyTier[] = ['fast', 'standard'];
export const modelCapabilities: readonly ModelCapability[] = ['chat', 'tools', 'json', 'vision', 'embeddings', 'code'];

export interface ProviderTypeInfo {
  label: string;
  /** One line under the type select. */
  hint: string;
  placeholder: string;
  /** Where such a server usually runs; the form preselects it. */
  locality: Locality;
  /** Whether the type usually needs an API key. */
  needsKey: boolean;
}

export const providerTypeInfo: Record<ProviderType, ProviderTypeInfo> = {
  'openai-compatible': {
    label: 'OpenAI-compatible',
    hint: 'OpenAI, Groq, OpenRouter, Together, vLLM, llama.cpp server or LM Studio: anything that speaks /v1/chat/completions.',
    placeholder: 'https://api.openai.com/v1',
    locality: 'hosted',
    needsKey: true,
  },
  ollama: {
    label: 'Ollama',
    hint: 'A local Ollama server; its model list (tags) is read on adding.',
    placeholder: 'http://127.0.0.1:11434',
    locality: 'local',
    needsKey: false,
  },
  anthropic: {
    label: 'Anthropic',
    hint: 'Claude through the Messages API; tools and streaming are translated to the OpenAI format.',
    placeholder: 'https://api.anthropic.com',
    locality: 'hosted',
    needsKey: true,
  },
  huggingface: {
    label: 'Hugging Face',
    hint: 'The Inference Providers router (chat) and HF Inference (embeddings), with a Hugging Face token.',
    placeholder: 'https://router.huggingface.co',
    locality: 'hosted',
    needsKey: true,
  },
  gguf: {
    label: 'GGUF (in process)',
    hint: 'Runs a .gguf file inside Stead through the optional node-llama-cpp package; Test says how to install it.',
    placeholder: 'http://127.0.0.1',
    locality: 'local',
    needsKey: false,
  },
};

export const dataClassLabels: Record<DataClass, string> = { private: 'Private', internal: 'Internal', public: 'Public' };
export const dataClassHints: Record<DataClass, string> = {
  private: 'Only local models may serve it; never sent to a hosted provider.',
  internal: 'Any model; local ones are tried first.',
  public: 'Any model.',
};

export const breakerLabels: Record<BreakerState, string> = { closed: 'Healthy', 'half-open': 'Probing', open: 'Open' };
export const breakerVariants: Record<BreakerState, 'success' | 'warning' | 'destructive'> = { closed: 'success', 'half-open': 'warning', open: 'destructive' };

/** Using models (the playground) needs `models:use`: members and up. */
export function canUseModels(role: Role | undefined): boolean {
  return role === 'owner' || role === 'admin' || role === 'member';
}

// ---------------------------------------------------------------------------------------------------------
// Formatting

/** "$2.50" per million tokens; "—" when unknown; "free" for zero. */
export function formatPrice(perMillion: number | null): string {
  if (perMillion === null) return '—';
  if (perMillion === 0) return 'free';
  return `$${perMillion < 0.1 ? perMillion.toPrecision(2) : perMillion.toFixed(2)}`;
}

/** A cost in dollars: small sums keep their significant digits ("$0.00042"). */
export function formatCost(dollars: number | null): string {
  if (dollars === null) return '—';
  if (dollars === 0) return '$0';
  if (Math.abs(dollars) < 0.01) return `$${Number(dollars.toPrecision(2))}`;
  return `$${dollars.toFixed(2)}`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1_000).toFixed(ms < 10_000 ? 2 : 1))} s`;
}

/** An error rate (0–1) as a percentage. */
export function formatRate(rate: number | null): string {
  if (rate === null) return '—';
  if (rate === 0) return '0%';
  if (rate < 0.01) return '<1%';
  return `${Math.round(rate * 100)}%`;
}

/** "in 25 s", "in 3 min", "now" for a time close ahead (a breaker's retry). */
export function formatRelativeShort(iso: string, now: number): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1_000);
  if (!Number.isFinite(seconds)) return '—';
  if (seconds <= 0) return 'now';
  if (seconds < 90) return `in ${seconds} s`;
  return `in ${Math.round(seconds / 60)} min`;
}

/** "90 s", "5 min", "2 h", "1 d" for a cache lifetime. */
export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7_200) return `${Number((seconds / 60).toFixed(1))} min`;
  if (seconds < 172_800) return `${Number((seconds / 3_600).toFixed(1))} h`;
  return `${Number((seconds / 86_400).toFixed(1))} d`;
}

/** "128k", "1M" tokens. */
export function formatTokens(count: number | null): string {
  if (count === null) return '—';
  if (count >= 1_000_000) return `${Number((count / 1_000_000).toFixed(1))}M`;
  if (count >= 10_000) return `${Math.round(count / 1_000)}k`;
  return count.toLocaleString('en');
}

// ---------------------------------------------------------------------------------------------------------
// Declared models of a new provider

/** One declared model as the form holds it. */
export interface DeclaredModelRow {
  name: string;
  capabilities: ModelCapability[];
  contextLength: string;
  inputPrice: string;
  outputPrice: string;
}

export const emptyDeclaredModel = (): DeclaredModelRow => ({ name: '', capabilities: ['chat'], contextLength: '', inputPrice: '', outputPrice: '' });

/** A form row as the API takes it; empty numbers are "unknown" (null). Rows are validated by the form first. */
export function declaredModelRequest(row: DeclaredModelRow): DeclaredModel {
  const number = (text: string) => (text.trim() === '' ? null : Number(text));
  return {
    name: row.name.trim(),
    capabilities: row.capabilities.length > 0 ? [...row.capabilities] : ['chat'],
    contextLength: number(row.contextLength),
    inputPricePerMillion: number(row.inputPrice),
    outputPricePerMillion: number(row.outputPrice),
  };
}

/** Timeouts typed in seconds, as the API takes them (milliseconds); undefined when none was given. */
export function providerTimeouts(values: { connectSeconds: string; firstTokenSeconds: string; totalSeconds: string }): ProviderTimeouts | undefined {
  const ms = (text: string) => (text.trim() === '' ? undefined : Math.round(Number(text) * 1_000));
  const timeouts = { connectMs: ms(values.connectSeconds), firstTokenMs: ms(values.firstTokenSeconds), totalMs: ms(values.totalSeconds) };
  const given = Object.fromEntries(Object.entries(timeouts).filter(([, value]) => value !== undefined)) as ProviderTimeouts;
  return Object.keys(given).length > 0 ? given : undefined;
}

/** "connect 10 s · first token 60 s" for a provider's own timeouts; null when it uses the defaults. */
export function describeTimeouts(timeouts: ProviderTimeouts | null): string | null {
  if (!timeouts) return null;
  const parts = [
    timeouts.connectMs === undefined ? null : `connect ${formatMs(timeouts.connectMs)}`,
    timeouts.firstTokenMs === undefined ? null : `first token ${formatMs(timeouts.firstTokenMs)}`,
    timeouts.totalMs === undefined ? null : `total ${formatMs(timeouts.totalMs)}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : null;
}

// ---------------------------------------------------------------------------------------------------------
// Ordered lists (alias targets, rule targets, the rules themselves)

/** A copy of `items` with the item at `index` moved by `delta` places; out-of-range moves change nothing. */
export function moveItem<T>(items: readonly T[], index: number, delta: number): T[] {
  const to = index + delta;
  const copy = [...items];
  if (index < 0 || index >= items.length || to < 0 || to >= items.length || delta === 0) return copy;
  const [item] = copy.splice(index, 1) as [T];
  copy.splice(to, 0, item);
  return copy;
}

export function removeAt<T>(items: readonly T[], index: number): T[] {
  return items.filter((_, position) => position !== index);
}

/** Names separated by commas, spaces or new lines; empty parts and repeats dropped. */
export function parseNameList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((part) => part.trim()).filter(Boolean))];
}

/** What may be typed as a target or `model`: every qualified model name and every alias. */
export function targetSuggestions(models: readonly Model[], aliases: readonly ModelAlias[]): string[] {
  return [...new Set([...aliases.map((alias) => alias.name), ...models.map((model) => model.qualifiedName)])];
}

/** The playground's choices: `auto`, then aliases, then the models that chat. */
export function chatChoices(models: readonly Model[], aliases: readonly ModelAlias[]): { aliases: string[]; models: Model[] } {
  return {
    aliases: aliases.map((alias) => alias.name).sort((a, b) => a.localeCompare(b)),
    models: models.filter((model) => model.capabilities.includes('chat')).sort((a, b) => a.qualifiedName.localeCompare(b.qualifiedName)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Route rule editor

/** One rule as the editor holds it: text fields stay text until saving. */
export interface RuleDraft {
  /** Stable React key; not sent. */
  key: string;
  name: string;
  /** Requested names the rule applies to, as typed; empty: `auto`. */
  models: string;
  dataClasses: DataClass[];
  needs: ModelCapability[];
  minEstimatedTokens: string;
  latencyTier: '' | LatencyTier;
  /** Percent of a spend limit left below which the rule applies, as typed; empty: any. */
  budgetRemainingBelowPercent: string;
  targets: string[];
  enabled: boolean;
  /** Seconds deterministic answers are cached, as typed; empty: no cache. */
  cacheTtlSeconds: string;
}

/** The server's limit for a rule's response cache: 30 days. */
export const MAX_CACHE_TTL_SECONDS = 30 * 86_400;

let draftCounter = 0;
const nextDraftKey = () => `rule-${++draftCounter}`;

export function ruleToDraft(rule: Pick<RouteRule, 'name' | 'match' | 'targets' | 'enabled'> & { cacheTtlSeconds?: number | null }): RuleDraft {
  return {
    key: nextDraftKey(),
    name: rule.name,
    models: (rule.match.models ?? []).join(', '),
    dataClasses: [...(rule.match.dataClasses ?? [])],
    needs: [...(rule.match.needs ?? [])],
    minEstimatedTokens: rule.match.minEstimatedTokens === undefined ? '' : String(rule.match.minEstimatedTokens),
    latencyTier: rule.match.latencyTier ?? '',
    budgetRemainingBelowPercent: rule.match.budgetRemainingBelowPercent === undefined ? '' : String(rule.match.budgetRemainingBelowPercent),
    targets: [...rule.targets],
    enabled: rule.enabled,
    cacheTtlSeconds: rule.cacheTtlSeconds == null ? '' : String(rule.cacheTtlSeconds),
  };
}

export function newRuleDraft(position: number): RuleDraft {
  return ruleToDraft({ name: `Rule ${position + 1}`, match: {}, targets: [], enabled: true });
}

/** Adds or removes `value` from a set kept as an ordered array (checkbox groups). */
export function toggleValue<T>(values: readonly T[], value: T, on: boolean, order: readonly T[]): T[] {
  const set = new Set(values);
  if (on) set.add(value);
  else set.delete(value);
  return order.filter((item) => set.has(item));
}

export type RuleDraftErrors = Partial<Record<'name' | 'targets' | 'minEstimatedTokens' | 'budgetRemainingBelowPercent' | 'cacheTtlSeconds', string>>;

export function validateRuleDraft(draft: RuleDraft): RuleDraftErrors {
  const errors: RuleDraftErrors = {};
  if (!draft.name.trim()) errors.name = 'Enter a name.';
  else if (draft.name.trim().length > 100) errors.name = 'At most 100 characters.';
  if (draft.targets.length === 0) errors.targets = 'Add at least one target.';
  const tokens = draft.minEstimatedTokens.trim();
  if (tokens && !(/^\d+$/.test(tokens) && Number(tokens) >= 1)) errors.minEstimatedTokens = 'A whole number of at least 1, or empty.';
  const percent = draft.budgetRemainingBelowPercent.trim();
  if (percent && !(Number.isFinite(Number(percent)) && Number(percent) >= 0 && Number(percent) <= 100)) errors.budgetRemainingBelowPercent = 'From 0 to 100, or empty.';
  const ttl = draft.cacheTtlSeconds.trim();
  if (ttl && !(/^\d+$/.test(ttl) && Number(ttl) >= 1 && Number(ttl) <= MAX_CACHE_TTL_SECONDS)) {
    errors.cacheTtlSeconds = `Whole seconds from 1 to ${MAX_CACHE_TTL_SECONDS.toLocaleString('en')} (30 days), or empty.`;
  }
  return errors;
}

/** The editor's list as the API takes it, or the errors of each rule by key when one is not valid. */
export function rulesRequest(drafts: readonly RuleDraft[]): { ok: true; rules: RouteRuleRequest[] } | { ok: false; errors: Record<string, RuleDraftErrors> } {
  const errors: Record<string, RuleDraftErrors> = {};
  for (const draft of drafts) {
    const found = validateRuleDraft(draft);
    if (Object.keys(found).length > 0) errors[draft.key] = found;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    rules: drafts.map((draft) => {
      const models = parseNameList(draft.models);
      const tokens = draft.minEstimatedTokens.trim();
      const percent = draft.budgetRemainingBelowPercent.trim();
      const ttl = draft.cacheTtlSeconds.trim();
      return {
        name: draft.name.trim(),
        match: {
          ...(models.length > 0 ? { models } : {}),
          ...(draft.dataClasses.length > 0 ? { dataClasses: [...draft.dataClasses] } : {}),
          ...(draft.needs.length > 0 ? { needs: [...draft.needs] } : {}),
          ...(tokens ? { minEstimatedTokens: Number(tokens) } : {}),
          ...(draft.latencyTier ? { latencyTier: draft.latencyTier } : {}),
          ...(percent ? { budgetRemainingBelowPercent: Number(percent) } : {}),
        },
        targets: [...draft.targets],
        enabled: draft.enabled,
        cacheTtlSeconds: ttl ? Number(ttl) : null,
      };
    }),
  };
}

/** True when the editor holds something other than what the server has. */
export function rulesChanged(drafts: readonly RuleDraft[], saved: readonly RouteRule[]): boolean {
  const request = rulesRequest(drafts);
  if (!request.ok) return true;
  const savedRequest = rulesRequest(saved.map(ruleToDraft));
  return JSON.stringify(request.rules) !== JSON.stringify(savedRequest.ok ? savedRequest.rules : null);
}

/** A rule's conditions in words: "auto · private · needs tools · ≥ 8,000 tokens · fast". */
export function describeMatch(match: RouteRule['match']): string {
  const parts = [
    (match.models ?? ['auto']).join(', '),
    match.dataClasses ? match.dataClasses.join(' or ') : null,
    match.needs ? `needs ${match.needs.join(' + ')}` : null,
    match.minEstimatedTokens === undefined ? null : `≥ ${match.minEstimatedTokens.toLocaleString('en')} tokens`,
    match.latencyTier ? `${match.latencyTier} tier` : null,
    match.budgetRemainingBelowPercent === undefined ? null : `< ${match.budgetRemainingBelowPercent}% of a spend limit left`,
  ];
  return parts.filter(Boolean).join(' · ');
}

// ---------------------------------------------------------------------------------------------------------
// Route tester

export interface RouteTestForm {
  model: string;
  /** '' as a request without `x-stead-data-class`: the key's default, else the workspace's. */
  dataClass: '' | DataClass;
  /** '' for no key: the workspace's defaults and limits. */
  keyId: string;
  needs: ModelCapability[];
  latencyTier: '' | LatencyTier;
  estimatedTokens: string;
}

export function routeTestQuery(form: RouteTestForm): RouteTestQuery {
  const tokens = Number(form.estimatedTokens);
  return {
    model: form.model.trim() || 'auto',
    ...(form.dataClass ? { dataClass: form.dataClass } : {}),
    ...(form.keyId ? { keyId: form.keyId } : {}),
    ...(form.needs.length > 0 ? { needs: [...form.needs] } : {}),
    ...(form.latencyTier ? { latencyTier: form.latencyTier } : {}),
    ...(form.estimatedTokens.trim() && Number.isInteger(tokens) && tokens >= 0 ? { estimatedTokens: tokens } : {}),
  };
}

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
