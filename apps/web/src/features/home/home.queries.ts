import type { paths } from '@stead/api-client';
import { queryOptions } from '@tanstack/react-query';
import { apiErrorFromResponse, networkError } from '@/lib/api-error.ts';

/** `GET /api/workspaces/{workspaceId}/overview`: the /v1 base URL, today's usage and setup progress. */
export type WorkspaceOverview = paths['/api/workspaces/{workspaceId}/overview']['get']['responses'][200]['content']['application/json'];

/** Query keys of the home page's own data (the rest it shares with the tasks, schedules, models and audit pages). */
export const homeKeys = {
  overview: (workspaceId: string) => ['workspaces', workspaceId, 'overview'] as const,
  /** Plain lists, kept apart from the tasks page's paged lists (whose cache helpers expect pages). */
  allTasks: (workspaceId: string) => ['workspaces', workspaceId, 'home-tasks'] as const,
  tasks: (workspaceId: string, state: 'running' | 'failed') => ['workspaces', workspaceId, 'home-tasks', state] as const,
};

/**
 * Fetched here rather than through lib/api.ts's client so the home feature stays in its folder; same error
 * type (SteadApiError) as every other call, so the shared retry and sign-in handling apply.
 */
async function fetchOverview(workspaceId: string): Promise<WorkspaceOverview> {
  const path: keyof paths = '/api/workspaces/{workspaceId}/overview';
  let response: Response;
  try {
    response = await fetch(path.replace('{workspaceId}', encodeURIComponent(workspaceId)), { credentials: 'same-origin', headers: { accept: 'application/json' } });
  } catch (cause) {
    throw networkError(cause);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw apiErrorFromResponse(response.status, body);
  return body as WorkspaceOverview;
}

export const overviewQuery = (workspaceId: string) =>
  // Fetched again whenever Home opens: a provider or key added on another page must show in the first steps at once.
  queryOptions({ queryKey: homeKeys.overview(workspaceId), queryFn: () => fetchOverview(workspaceId), staleTime: 0 });
