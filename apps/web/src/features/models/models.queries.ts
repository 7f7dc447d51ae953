import { queryOptions } from '@tanstack/react-query';
import { api } from '@/lib/api.ts';
import { queryKeys } from '@/lib/queries.ts';

/** Queries several Models tabs share (the cache is shared between them too). */

export const modelProvidersQuery = (workspaceId: string) =>
  queryOptions({ queryKey: queryKeys.modelProviders(workspaceId), queryFn: async () => (await api.listModelProviders(workspaceId)).providers });

/** Health (breaker, p50, error rate) changes by itself: the list refreshes every 10 seconds while shown. */
export const modelsQuery = (workspaceId: string) =>
  queryOptions({ queryKey: queryKeys.models(workspaceId), queryFn: async () => (await api.listModels(workspaceId)).models, staleTime: 5_000 });

export const modelAliasesQuery = (workspaceId: string) =>
  queryOptions({ queryKey: queryKeys.modelAliases(workspaceId), queryFn: async () => (await api.listModelAliases(workspaceId)).aliases });

export const modelRulesQuery = (workspaceId: string) =>
  queryOptions({ queryKey: queryKeys.modelRules(workspaceId), queryFn: async () => (await api.listModelRules(workspaceId)).rules });

export const dataClassDefaultsQuery = (workspaceId: string) =>
  queryOptions({ queryKey: queryKeys.modelDataClasses(workspaceId), queryFn: () => api.dataClassDefaults(workspaceId) });

export const modelBudgetsQuery = (workspaceId: string) =>
  queryOptions({ queryKey: queryKeys.modelBudgets(workspaceId), queryFn: async () => (await api.modelBudgets(workspaceId)).budgets, staleTime: 0 });

export const MODELS_REFRESH_MS = 10_000;

/** The workspace's API keys, for naming them and picking one (needs keys:read, so admins and owners only). */
export const apiKeysQuery = (workspaceId: string, enabled: boolean) =>
  queryOptions({ queryKey: queryKeys.keys(workspaceId), queryFn: async () => (await api.listKeys(workspaceId)).keys, enabled, staleTime: 60_000 });
