import { createRoute, lazyRouteComponent, redirect } from '@tanstack/react-router';
import { SettingsIcon, UsersIcon } from 'lucide-react';
import { appRoute, defineFeatureRoutes, workspaceRoute } from '@/layout-routes.tsx';
import { pickWorkspace, readStoredWorkspaceId } from '@/lib/workspace-store.ts';

const homeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/',
  beforeLoad: ({ context }) => {
    const workspace = pickWorkspace(context.workspaces, readStoredWorkspaceId());
    if (workspace) throw redirect({ to: '/w/$workspaceId', params: { workspaceId: workspace.id } });
  },
  component: lazyRouteComponent(() => import('./no-workspace-page.tsx'), 'NoWorkspacePage'),
});

const membersRoute = createRoute({
  getParentRoute: () => workspaceRoute, path: 'members', component: lazyRouteComponent(() => import('./members-page.tsx'), 'MembersPage'),
  staticData: { nav: { section: 'workspace', order: 10, label: 'Members', icon: UsersIcon } },
});

const workspaceSettingsRoute = createRoute({
  getParentRoute: () => workspaceRoute, path: 'settings', component: lazyRouteComponent(() => import('./workspace-settings-page.tsx'), 'WorkspaceSettingsPage'),
  staticData: { nav: { section: 'workspace', order: 80, label: 'Settings', icon: SettingsIcon, access: 'managers' } },
});

export const workspacesRoutes = defineFeatureRoutes({ app: [homeRoute], workspace: [membersRoute, workspaceSettingsRoute] });
