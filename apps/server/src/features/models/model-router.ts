import { SteadError } from '../../platform/errors/stead-error.ts';
import type { DataClass, LatencyTier, ModelCapabilityName, RouteDecision, RouteRuleMatch } from './models.schema.ts';
import type { RoutableModel } from './models.types.ts';

/** What routing knows about a request before any model is called. */
export interface RouteFacts {
  requested: string;
  dataClass: DataClass;
  needs: ModelCapabilityName[];
  /** Rough prompt size (characters / 4); targets with a known smaller context are skipped. */
  estimatedTokens: number;
  latencyTier?: LatencyTier | undefined;
  /**
   * The smallest share left, in percent, of the spend limits holding for the request (workspace and key, per
   * day and per month); undefined when none holds, or when no rule asks (it is read only then).
   */
  budgetRemainingPercent?: number | undefined;
}

export interface RoutingTable {
  models: RoutableModel[];
  aliases: { name: string; targets: string[] }[];
  /** Enabled rules in position order. */
  rules: { name: string; match: RouteRuleMatch; targets: string[]; cacheTtlSeconds: number | null }[];
}

export const qualifiedName = (row: Pick<RoutableModel, 'providerName' | 'name'>): string => `${row.providerName}/${row.name}`;

/** A rule applies when every condition it states holds; a condition left out always holds. */
export const ruleMatches = (match: RouteRuleMatch, facts: RouteFacts): boolean =>
  (match.models ?? ['auto']).includes(facts.requested) &&
  (!match.dataClasses || match.dataClasses.includes(facts.dataClass)) &&
  (!match.needs || match.needs.every((need) => facts.needs.includes(need))) &&
  (match.minEstimatedTokens === undefined || facts.estimatedTokens >= match.minEstimatedTokens) &&
  (!match.latencyTier || match.latencyTier === facts.latencyTier) &&
  (match.budgetRemainingBelowPercent === undefined || (facts.budgetRemainingPercent !== undefined && facts.budgetRemainingPercent < match.budgetRemainingBelowPercent));

/** Does any rule need the remaining budget? Reading it costs a round trip to the counters, so only then. */
export const rulesNeedBudget = (rules: RoutingTable['rules']): boolean => rules.some((rule) => rule.match.budgetRemainingBelowPercent !== undefined);

const describeRule = (rule: RoutingTable['rules'][number], facts: RouteFacts): string => {
  const threshold = rule.match.budgetRemainingBelowPercent;
  if (threshold === undefined || facts.budgetRemainingPercent === undefined) return `rule "${rule.name}"`;
  return `rule "${rule.name}" (${Math.round(facts.budgetRemainingPercent * 10) / 10}% of the spend budget left, below ${threshold}%)`;
};

/** Model references → models, in order, without duplicates: `provider/model`, a bare model name (every provider), or an alias. */
const expand = (refs: string[], table: RoutingTable, depth = 0): RoutableModel[] => {
  const found: RoutableModel[] = [];
  for (const ref of refs) {
    const alias = depth === 0 ? table.aliases.find((entry) => entry.name === ref) : undefined;
    const rows = alias
      ? expand(alias.targets, table, depth + 1)
      : ref === 'auto'
        ? table.models.filter((row) => row.capabilities.includes('chat'))
        : table.models.filter((row) => qualifiedName(row) === ref || row.name === ref);
    for (const row of rows) if (!found.includes(row)) found.push(row);
  }
  return found;
};

const byLocalFirst = (rows: RoutableModel[]) => [...rows.filter((row) => row.locality === 'local'), ...rows.filter((row) => row.locality !== 'local')];

/**
 * Decides which targets may serve a request and in what order, or throws the reason none may. The order is the
 * rule's or alias's when one applies (it states a preference), else local targets first.
 * `private` requests keep only local targets, whatever else is configured: there is no hosted fallback for them.
 */
export const routeRequest = (table: RoutingTable, facts: RouteFacts): { decision: RouteDecision; candidates: RoutableModel[] } => {
  const rule = table.rules.find((entry) => ruleMatches(entry.match, facts));
  const alias = table.aliases.find((entry) => entry.name === facts.requested);
  const [refs, source, ordered] = rule
    ? [rule.targets, describeRule(rule, facts), true]
    : alias
      ? [alias.targets, `alias ${alias.name}`, true]
      : facts.requested === 'auto'
        ? [['auto'], 'auto (every chat model)', false]
        : [[facts.requested], 'the model named in the request', false];
  const named = expand(refs, table);
  if (named.length === 0) {
    throw new SteadError(
      'model_not_found',
      facts.requested === 'auto' && !rule ? 'No chat model is configured in this workspace; add a provider first' : `No model, alias or rule target called ${refs.join(', ')} in this workspace; GET /v1/models lists them`,
    );
  }
  const capable = named.filter((row) => facts.needs.every((need) => row.capabilities.includes(need)) && (row.contextLength === null || row.contextLength >= facts.estimatedTokens));
  if (capable.length === 0) {
    throw new SteadError('route_no_target', `No target of ${facts.requested} can serve this request: it needs ${facts.needs.join(', ')} and about ${facts.estimatedTokens} tokens of context`, { details: { needs: facts.needs } });
  }
  const eligible = facts.dataClass === 'private' ? capable.filter((row) => row.locality === 'local') : capable;
  if (eligible.length === 0) {
    throw new SteadError(
      'route_no_private_target',
      `This request is private and no local model can serve ${facts.requested}; private data never goes to a hosted provider. Add a local model (Ollama, llama.cpp, LM Studio) with locality "local", or send a different x-stead-data-class`,
    );
  }
  const candidates = ordered ? eligible : byLocalFirst(eligible);
  const dropped = capable.length - eligible.length;
  const reason = [`${source} → ${named.length} target(s)`, capable.length < named.length ? `${named.length - capable.length} lack ${facts.needs.join('+')} or context` : '', dropped > 0 ? `${dropped} hosted skipped: private` : '', ordered ? 'in stated order' : 'local first']
    .filter(Boolean)
    .join('; ');
  return {
    decision: {
      requested: facts.requested,
      dataClass: facts.dataClass,
      needs: facts.needs,
      candidates: candidates.map((row) => ({ model: qualifiedName(row), provider: row.providerName, locality: row.locality })),
      reason,
      cacheTtlSeconds: rule?.cacheTtlSeconds ?? null,
    },
    candidates,
  };
};
