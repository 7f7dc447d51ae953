import { SteadApiError } from '@stead/api-client';
import { QueryClient, queryOptions } from '@tanstack/react-query';
import { api } from './api.ts';

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
