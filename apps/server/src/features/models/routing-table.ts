import type { BudgetLimits } from './budgets.ts';
import { rulesNeedBudget, type RoutingTable } from './model-router.ts';
import type { ModelsQueries } from './models.repository.ts';
import type { DataClass } from './models.schema.ts';

/** Everything routing reads of one workspace. */
export interface WorkspaceRouting {
  loadedAt: number;
  table: RoutingTable;
  /** Default data class per API key id; '' is the workspace's. */
  defaults: Map<string, DataClass>;
  /** Limits per API key id; '' is the workspace's. */
  limits: Map<string, BudgetLimits>;
  /** Whether an enabled rule asks for the remaining spend budget. */
  needsBudget: boolean;
}

/**
 * Routing reads models, aliases, rules and defaults on every call; they change rarely, so each node keeps them
 * briefly (its own changes invalidate at once).
 */
export interface RoutingTables {
  of(workspaceId: string): Promise<WorkspaceRouting>;
  /** What this node holds, however old: for reads that may lag (see `budgetRemainingOf`). */
  held(workspaceId: string): WorkspaceRouting | undefined;
  invalidate(workspaceId: string): void;
}

export interface RoutingTablesOptions {
  repository: Pick<ModelsQueries, 'listModels' | 'listAliases' | 'listRules' | 'listDataClassDefaults' | 'listBudgets'>;
  /** How long a node trusts its table when another node may have changed it. */
  cacheMs: number;
}

export const createRoutingTables = ({ repository, cacheMs }: RoutingTablesOptions): RoutingTables => {
  const tables = new Map<string, WorkspaceRouting>();
  return {
    async of(workspaceId) {
      const cached = tables.get(workspaceId);
      if (cached && performance.now() - cached.loadedAt < cacheMs) return cached;
      const [models, aliases, rules, defaults, budgets] = await Promise.all([
        repository.listModels(workspaceId),
        repository.listAliases(workspaceId),
        repository.listRules(workspaceId),
        repository.listDataClassDefaults(workspaceId),
        repository.listBudgets(workspaceId),
      ]);
      const enabledRules = rules.filter((rule) => rule.enabled).map(({ name, match, targets, cacheTtlSeconds }) => ({ name, match, targets, cacheTtlSeconds }));
      const entry: WorkspaceRouting = {
        loadedAt: performance.now(),
        table: { models, aliases: aliases.map(({ name, targets }) => ({ name, targets })), rules: enabledRules },
        needsBudget: rulesNeedBudget(enabledRules),
        defaults: new Map(defaults.map((entry) => [entry.keyId ?? '', entry.dataClass])),
        limits: new Map(budgets.map((budget) => [budget.keyId ?? '', budget.limits])),
      };
      tables.set(workspaceId, entry);
      return entry;
    },
    held: (workspaceId) => tables.get(workspaceId),
    invalidate(workspaceId) {
      tables.delete(workspaceId);
    },
  };
};
