/** The Routing tab's logic: the route rule editor's drafts and the route tester's query. */
import type { DataClass, LatencyTier, ModelCapability, RouteRule, RouteRuleRequest, RouteTestQuery } from '@/lib/api.ts';
import { parseNameList } from '../models.ts';

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
