import { createRoute, lazyRouteComponent, redirect } from '@tanstack/react-router';
import { SettingsIcon, UsersIcon } from 'lucide-react';
import { appRoute, defineFeatureRoutes, workspaceRoute } from '@/layout-routes.tsx';
import { pickWorkspace, readStoredWorkspaceId } from '@/lib/workspace-store.ts';

const homeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/',
  beforeLoad: ({ context }) => {
    const workspace = pickWorkspace(context.workspaces, readStoredWorkspaceId());
    if (workspace) throw redirect({ to: '/w/$workspaceId/members', params: { workspaceId: workspace.id } });
  },
  component: lazyRouteComponent(() => import('./no-workspace-page.tsx'), 'NoWorkspacePage'),
});

const membersRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'members',
  staticData: { nav: { section: 'workspace', order: 10, label: 'Members', icon: UsersIcon } },
  component: lazyRouteComponent(() => import('./members-page.tsx'), 'MembersPage'),
});

const workspaceSettingsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'settings',
  staticData: { nav: { section: 'workspace', order: 80, label: 'Settings', icon: SettingsIcon, access: 'managers' } },
  component: lazyRouteComponent(() => import('./workspace-settings-page.tsx'), 'WorkspaceSettingsPage'),
});

export const workspacesRoutes = defineFeatureRoutes({ app: [homeRoute], workspace: [membersRoute, workspaceSettingsRoute] });
