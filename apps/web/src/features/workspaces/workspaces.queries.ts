import { queryOptions } from '@tanstack/react-query';
import { api } from '@/lib/api.ts';

/** Query keys of a workspace's members and invitations. */
export const memberKeys = {
  members: (workspaceId: string) => ['workspaces', workspaceId, 'members'] as const,
  invitations: (workspaceId: string) => ['workspaces', workspaceId, 'invitations'] as const,
  settings: (workspaceId: string) => ['workspaces', workspaceId, 'settings'] as const,
};

/** The workspace's settings (every member may read them: the API keys page asks whether members create keys). */
export const workspaceSettingsQuery = (workspaceId: string) =>
  queryOptions({ queryKey: memberKeys.settings(workspaceId), queryFn: async () => (await api.workspaceSettings(workspaceId)).settings });
