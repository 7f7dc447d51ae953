import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import type { Session, Workspace } from './api.ts';
import { sessionQuery, workspacesQuery } from './queries.ts';
import { canManage } from './workspace-store.ts';

const appRouteApi = getRouteApi('/_app');
const workspaceRouteApi = getRouteApi('/_app/w/$workspaceId');

/** The signed-in session; only valid under the `_app` layout, whose guard guarantees it. */
export function useSession(): Session {
  const context = appRouteApi.useRouteContext();
  const { data } = useQuery(sessionQuery);
  return data ?? context.session;
}

/** The person's workspaces, kept fresh by TanStack Query. */
export function useWorkspaces(): Workspace[] {
  const context = appRouteApi.useRouteContext();
  const { data } = useQuery(workspacesQuery);
  return data ?? context.workspaces;
}

/** The workspace in the URL, with the latest name and role. */
export function useCurrentWorkspace(): Workspace {
  const context = workspaceRouteApi.useRouteContext();
  const workspaces = useWorkspaces();
  return workspaces.find((workspace) => workspace.id === context.workspace.id) ?? context.workspace;
}

/** What a page listing a workspace's resources starts from: the workspace, the cache to refresh after a change, and whether this person may manage. */
export interface WorkspacePage {
  workspace: Workspace;
  queryClient: QueryClient;
  manage: boolean;
}

export function useWorkspacePage(): WorkspacePage {
  const workspace = useCurrentWorkspace();
  const queryClient = useQueryClient();
  return { workspace, queryClient, manage: canManage(workspace.role) };
}
