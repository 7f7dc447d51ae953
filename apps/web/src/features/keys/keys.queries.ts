import { queryOptions } from '@tanstack/react-query';
import { api } from '@/lib/api.ts';

/** Query keys of API keys. */
export const apiKeyKeys = {
  keys: (workspaceId: string) => ['workspaces', workspaceId, 'keys'] as const,
};

/** The workspace's API keys, for naming them and picking one (admins and owners get everyone's; members only their own). */
export const apiKeysQuery = (workspaceId: string, enabled: boolean) =>
  queryOptions({ queryKey: apiKeyKeys.keys(workspaceId), queryFn: async () => (await api.listKeys(workspaceId)).keys, enabled, staleTime: 60_000 });
