import { SteadApiError } from '@stead/api-client';
import { QueryClient, queryOptions } from '@tanstack/react-query';
import { api, type RouteTestQuery, type SchedulePreviewQuery } from './api.ts';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: true,
      // Client errors (401, 403, 404) do not get better by retrying.
      retry: (failureCount, error) => {
        if (error instanceof SteadApiError && error.status >= 400 && error.status < 500) return false;
        return failureCount < 2;
      },
    },
  },
});

export const queryKeys = {
  setup: ['setup'] as const,
  session: ['session'] as const,
  health: ['health'] as const,
  workspaces: ['workspaces'] as const,
  members: (workspaceId: string) => ['workspaces', workspaceId, 'members'] as const,
  invitations: (workspaceId: string) => ['workspaces', workspaceId, 'invitations'] as const,
  keys: (workspaceId: string) => ['workspaces', workspaceId, 'keys'] as const,
  secrets: (workspaceId: string) => ['workspaces', workspaceId, 'secrets'] as const,
  audit: (workspaceId: string) => ['workspaces', workspaceId, 'audit'] as const,
  tasks: (workspaceId: string) => ['workspaces', workspaceId, 'tasks'] as const,
  task: (workspaceId: string, taskId: string) => ['workspaces', workspaceId, 'task', taskId] as const,
  taskKinds: (workspaceId: string) => ['workspaces', workspaceId, 'task-kinds'] as const,
  schedules: (workspaceId: string) => ['workspaces', workspaceId, 'schedules'] as const,
  /** One schedule; its fire history sits under the same prefix, so invalidating this refreshes both. */
  schedule: (workspaceId: string, scheduleId: string) => ['workspaces', workspaceId, 'schedule', scheduleId] as const,
  scheduleFires: (workspaceId: string, scheduleId: string) => ['workspaces', workspaceId, 'schedule', scheduleId, 'fires'] as const,
  schedulePreview: (workspaceId: string, query: SchedulePreviewQuery) => ['workspaces', workspaceId, 'schedule-preview', query] as const,
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
  adminAudit: ['admin', 'audit'] as const,
  accountSessions: ['account', 'sessions'] as const,
  invitation: (token: string) => ['invitation', token] as const,
  adminUsers: ['admin', 'users'] as const,
  adminSettings: ['admin', 'settings'] as const,
};

export const setupQuery = queryOptions({ queryKey: queryKeys.setup, queryFn: () => api.setupStatus(), staleTime: 60_000 });

/** The signed-in session, or null when signed out (a 401 is an answer, not an error). */
export const sessionQuery = queryOptions({
  queryKey: queryKeys.session,
  queryFn: async () => {
    try {
      return await api.session();
    } catch (error) {
      if (error instanceof SteadApiError && error.status === 401) return null;
      throw error;
    }
  },
  staleTime: 60_000,
});

export const workspacesQuery = queryOptions({
  queryKey: queryKeys.workspaces,
  queryFn: async () => (await api.listWorkspaces()).workspaces,
});

let onUnauthenticated: (() => void) | null = null;

/** Registered by the router: called when any query learns the session has ended (401). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

queryClient.getQueryCache().subscribe((event) => {
  if (event.type !== 'updated' || event.action.type !== 'error') return;
  const error = event.action.error;
  if (error instanceof SteadApiError && error.status === 401 && event.query.queryKey[0] !== 'invitation') {
    queryClient.setQueryData(queryKeys.session, null);
    onUnauthenticated?.();
  }
});
