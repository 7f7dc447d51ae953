import { queryOptions } from '@tanstack/react-query';
import { api } from '@/lib/api.ts';
import type { RouteTestQuery } from '@/lib/api.ts';

/** Query keys of the model gateway. */
export const modelKeys = {
  /** Everything of the model gateway; invalidating it refreshes every Models tab. */
  gateway: (workspaceId: string) => ['workspaces', workspaceId, 'gateway'] as const,
  modelProviders: (workspaceId: string) => ['workspaces', workspaceId, 'gateway', 'providers'] as const,
  models: (workspaceId: string) => ['workspaces', workspaceId, 'gateway', 'models'] as const,
  modelAliases: (workspaceId: string) => ['workspaces', workspaceId, 'gateway', 'aliases'] as const,
  modelRules: (workspaceId: string) => ['workspaces', workspaceId, 'gateway', 'rules'] as const,
  modelDataClasses: (workspaceId: string) => ['workspaces', workspaceId, 'gateway', 'data-classes'] as const,
  modelBudgets: (workspaceId: string) => ['workspaces', workspaceId, 'gateway', 'budgets'] as const,
  modelUsage: (workspaceId: string) => ['workspaces', workspaceId, 'gateway', 'usage'] as const,
  routeTest: (workspaceId: string, query: RouteTestQuery) => ['workspaces', workspaceId, 'gateway', 'route-test', query] as const,
};

/** Queries several Models tabs share (the cache is shared between them too). */

export const modelProvidersQuery = (workspaceId: string) =>
  queryOptions({ queryKey: modelKeys.modelProviders(workspaceId), queryFn: async () => (await api.listModelProviders(workspaceId)).providers });

/** Health (breaker, p50, error rate) changes by itself: the list refreshes every 10 seconds while shown. */
export const modelsQuery = (workspaceId: string) =>
  queryOptions({ queryKey: modelKeys.models(workspaceId), queryFn: async () => (await api.listModels(workspaceId)).models, staleTime: 5_000 });

export const modelAliasesQuery = (workspaceId: string) =>
  queryOptions({ queryKey: modelKeys.modelAliases(workspaceId), queryFn: async () => (await api.listModelAliases(workspaceId)).aliases });

export const modelRulesQuery = (workspaceId: string) =>
  queryOptions({ queryKey: modelKeys.modelRules(workspaceId), queryFn: async () => (await api.listModelRules(workspaceId)).rules });

export const dataClassDefaultsQuery = (workspaceId: string) =>
  queryOptions({ queryKey: modelKeys.modelDataClasses(workspaceId), queryFn: () => api.dataClassDefaults(workspaceId) });

export const modelBudgetsQuery = (workspaceId: string) =>
  queryOptions({ queryKey: modelKeys.modelBudgets(workspaceId), queryFn: async () => (await api.modelBudgets(workspaceId)).budgets, staleTime: 0 });

export const MODELS_REFRESH_MS = 10_000;
