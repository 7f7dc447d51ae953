import { SteadError } from '../../platform/errors/stead-error.ts';
import type { BudgetScope, Budgets } from './budgets.ts';
import { qualifiedName, routeRequest, type RouteFacts, type RoutingTable } from './model-router.ts';
import type { ModelsQueries } from './models.repository.ts';
import type { DataClass, LatencyTier, ModelCapabilityName, RouteDecision } from './models.schema.ts';
import type { CallerContext, ModelsKeys, RoutableModel } from './models.types.ts';
import type { RoutingTables } from './routing-table.ts';

/** A target that may serve a call, with the name breakers and the ledger know it by. */
export interface Candidate {
  model: RoutableModel;
  label: string;
}

export interface RouteQuery {
  model: string;
  dataClass?: DataClass | undefined;
  keyId?: string | undefined;
  needs: ModelCapabilityName[];
  latencyTier?: LatencyTier | undefined;
  estimatedTokens: number;
}

/** Turns a call into routing facts, then into the ordered targets that may serve it. */
export interface RouteResolver {
  factsOf(workspaceId: string, requested: string, caller: CallerContext, needs: ModelCapabilityName[], estimatedTokens: number): Promise<RouteFacts>;
  /** Orders the targets that may serve a request, or says exactly why none may. */
  route(workspaceId: string, facts: RouteFacts): Promise<{ decision: RouteDecision; candidates: Candidate[] }>;
  /** The workspace's limits and, for a key, the key's: both must hold. */
  scopesOf(workspaceId: string, caller: CallerContext): Promise<BudgetScope[]>;
  /** "Which target would serve this?" without calling a model. */
  explainRoute(workspaceId: string, query: RouteQuery): Promise<RouteDecision>;
}

export interface RouteResolverOptions {
  tables: RoutingTables;
  budgets: Budgets;
  keys: ModelsKeys;
  repository: Pick<ModelsQueries, 'listProviders'>;
}

export const createRouteResolver = ({ tables, budgets, keys, repository }: RouteResolverOptions): RouteResolver => {
  const scopesOf = async (workspaceId: string, caller: CallerContext): Promise<BudgetScope[]> => {
    const { limits } = await tables.of(workspaceId);
    const scopes: BudgetScope[] = [];
    const workspaceLimits = limits.get('');
    if (workspaceLimits) scopes.push({ label: 'the workspace', id: workspaceId, limits: workspaceLimits });
    const keyLimits = caller.keyId ? limits.get(caller.keyId) : undefined;
    if (keyLimits && caller.keyId) scopes.push({ label: `API key ${caller.keyId}`, id: `${workspaceId}:${caller.keyId}`, limits: keyLimits });
    return scopes;
  };

  const dataClassOf = async (workspaceId: string, caller: CallerContext): Promise<DataClass> => {
    if (caller.dataClass) return caller.dataClass;
    const { defaults } = await tables.of(workspaceId);
    return (caller.keyId ? defaults.get(caller.keyId) : undefined) ?? defaults.get('') ?? 'internal';
  };

  /** The remaining spend budget is read only when an enabled rule of the workspace asks for it: it costs a round trip to the counters. */
  const budgetRemainingOf = async (workspaceId: string, caller: CallerContext): Promise<number | undefined> => {
    // The table this node holds: no extra hop on the hot path when no rule needs the budget.
    const needsBudget = (tables.held(workspaceId) ?? (await tables.of(workspaceId))).needsBudget;
    return needsBudget ? budgets.remainingSpendPercent(await scopesOf(workspaceId, caller)) : undefined;
  };

  /** "No such model" is wrong when the model exists and its provider is only disabled: say so (on the error path only). */
  const explainDisabled = async (workspaceId: string, table: RoutingTable, facts: RouteFacts, error: unknown): Promise<unknown> => {
    if (!(error instanceof SteadError) || error.code !== 'model_not_found') return error;
    const refs = table.aliases.find((alias) => alias.name === facts.requested)?.targets ?? [facts.requested];
    const disabled = (await repository.listProviders(workspaceId)).filter((provider) => !provider.enabled && refs.some((ref) => ref.startsWith(`${provider.name}/`)));
    if (disabled.length === 0) return error;
    const names = disabled.map((provider) => provider.name).join(', ');
    return new SteadError('model_not_found', `Nothing can serve ${facts.requested}: its provider ${names} is disabled; enable it again under Models → Providers (or PATCH its model-provider with "enabled": true)`, { details: { disabledProviders: disabled.map((provider) => provider.name) } });
  };

  const route = async (workspaceId: string, facts: RouteFacts) => {
    const { table } = await tables.of(workspaceId);
    try {
      const routed = routeRequest(table, facts);
      return { decision: routed.decision, candidates: routed.candidates.map((model) => ({ model, label: qualifiedName(model) })) };
    } catch (error) {
      throw await explainDisabled(workspaceId, table, facts, error);
    }
  };

  return {
    scopesOf,
    route,
    factsOf: async (workspaceId, requested, caller, needs, estimatedTokens) => ({
      requested,
      dataClass: await dataClassOf(workspaceId, caller),
      needs,
      estimatedTokens,
      latencyTier: caller.latencyTier,
      budgetRemainingPercent: await budgetRemainingOf(workspaceId, caller),
    }),
    async explainRoute(workspaceId, query) {
      const needs: ModelCapabilityName[] = query.needs.includes('embeddings') || query.needs.includes('chat') ? query.needs : ['chat', ...query.needs];
      if (query.keyId && !(await keys.exists(workspaceId, query.keyId))) throw new SteadError('key_not_found', `No API key ${query.keyId} in this workspace`);
      // As a call of that key would be routed (its default data class, its own limits), or without one the workspace's.
      const caller: CallerContext = { dataClass: query.dataClass, keyId: query.keyId ?? null };
      const budgetRemainingPercent = await budgetRemainingOf(workspaceId, caller);
      const { decision } = await route(workspaceId, { requested: query.model, dataClass: await dataClassOf(workspaceId, caller), needs, estimatedTokens: query.estimatedTokens, latencyTier: query.latencyTier, budgetRemainingPercent });
      return decision;
    },
  };
};
