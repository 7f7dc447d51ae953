import type { QueryClient } from '@tanstack/react-query';
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import { AppShell } from '@/components/app-shell.tsx';
import { ConnectionBanner } from '@/components/connection-status.tsx';
import { RouteError, NotFound, RoutePending } from '@/components/route-states.tsx';
import { Toaster } from '@/components/ui/toaster.tsx';
import { queryClient, sessionQuery, setupQuery, setUnauthenticatedHandler, workspacesQuery } from '@/lib/queries.ts';
import { pickWorkspace, readStoredWorkspaceId, storeWorkspaceId } from '@/lib/workspace-store.ts';

interface RouterContext {
  queryClient: QueryClient;
}

/** Only same-app paths are accepted as a post-login destination (no open redirects). */
function safeRedirect(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : undefined;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: function Root() {
    return (
      <>
        <ConnectionBanner />
        <Outlet />
        <Toaster />
      </>
    );
  },
  errorComponent: RouteError,
  notFoundComponent: NotFound,
});

const setupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'setup',
  beforeLoad: async ({ context }) => {
    const setup = await context.queryClient.fetchQuery(setupQuery);
    if (!setup.needsSetup) throw redirect({ to: '/login' });
  },
  component: lazyRouteComponent(() => import('@/features/auth/setup-page.tsx'), 'SetupPage'),
});

export const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'login',
  validateSearch: (search: Record<string, unknown>): { redirect?: string } => ({ redirect: safeRedirect(search.redirect) }),
  beforeLoad: async ({ context, search }) => {
    const setup = await context.queryClient.fetchQuery(setupQuery);
    if (setup.needsSetup) throw redirect({ to: '/setup' });
    const session = await context.queryClient.fetchQuery(sessionQuery);
    if (session) throw redirect({ to: search.redirect ?? '/' });
  },
  component: lazyRouteComponent(() => import('@/features/auth/login-page.tsx'), 'LoginPage'),
});

const inviteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'invite/$token',
  component: lazyRouteComponent(() => import('@/features/auth/invite-page.tsx'), 'InvitePage'),
});

/** Everything behind sign-in shares the sidebar layout. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: '_app',
  beforeLoad: async ({ context, location }) => {
    const setup = await context.queryClient.ensureQueryData(setupQuery);
    if (setup.needsSetup) throw redirect({ to: '/setup' });
    const session = await context.queryClient.ensureQueryData(sessionQuery);
    if (!session) {
      throw redirect({ to: '/login', search: { redirect: location.href === '/' ? undefined : location.href } });
    }
    const workspaces = await context.queryClient.ensureQueryData(workspacesQuery);
    return { session, workspaces };
  },
  component: AppShell,
});

const homeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/',
  beforeLoad: ({ context }) => {
    const workspace = pickWorkspace(context.workspaces, readStoredWorkspaceId());
    if (workspace) throw redirect({ to: '/w/$workspaceId/members', params: { workspaceId: workspace.id } });
  },
  component: lazyRouteComponent(() => import('@/features/workspaces/no-workspace-page.tsx'), 'NoWorkspacePage'),
});

export const workspaceRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'w/$workspaceId',
  beforeLoad: ({ context, params }) => {
    const workspace = context.workspaces.find((item) => item.id === params.workspaceId);
    if (!workspace) {
      storeWorkspaceId(null);
      throw redirect({ to: '/' });
    }
    storeWorkspaceId(workspace.id);
    return { workspace };
  },
  component: Outlet,
});

const workspaceIndexRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: '/',
  beforeLoad: ({ params }) => {
    throw redirect({ to: '/w/$workspaceId/members', params });
  },
});

const membersRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'members',
  component: lazyRouteComponent(() => import('@/features/workspaces/members-page.tsx'), 'MembersPage'),
});

const keysRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'keys',
  component: lazyRouteComponent(() => import('@/features/keys/keys-page.tsx'), 'KeysPage'),
});

const secretsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'secrets',
  component: lazyRouteComponent(() => import('@/features/secrets/secrets-page.tsx'), 'SecretsPage'),
});

const auditRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'audit',
  component: lazyRouteComponent(() => import('@/features/audit/audit-page.tsx'), 'WorkspaceAuditPage'),
});

const tasksRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'tasks',
  component: lazyRouteComponent(() => import('@/features/tasks/tasks-page.tsx'), 'TasksPage'),
});

const taskDetailRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'tasks/$taskId',
  component: lazyRouteComponent(() => import('@/features/tasks/task-detail-page.tsx'), 'TaskDetailPage'),
});

const schedulesRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'schedules',
  component: lazyRouteComponent(() => import('@/features/schedules/schedules-page.tsx'), 'SchedulesPage'),
});

const scheduleDetailRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'schedules/$scheduleId',
  component: lazyRouteComponent(() => import('@/features/schedules/schedule-detail-page.tsx'), 'ScheduleDetailPage'),
});

const modelsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'models',
  component: lazyRouteComponent(() => import('@/features/models/models-page.tsx'), 'ModelsPage'),
});

const modelsIndexRoute = createRoute({
  getParentRoute: () => modelsRoute,
  path: '/',
  beforeLoad: ({ params }) => {
    throw redirect({ to: '/w/$workspaceId/models/providers', params });
  },
});

const modelProvidersRoute = createRoute({
  getParentRoute: () => modelsRoute,
  path: 'providers',
  component: lazyRouteComponent(() => import('@/features/models/providers/model-providers-page.tsx'), 'ModelProvidersPage'),
});

const modelCatalogRoute = createRoute({
  getParentRoute: () => modelsRoute,
  path: 'catalog',
  component: lazyRouteComponent(() => import('@/features/models/catalog/model-catalog-page.tsx'), 'ModelCatalogPage'),
});

const modelRoutingRoute = createRoute({
  getParentRoute: () => modelsRoute,
  path: 'routing',
  component: lazyRouteComponent(() => import('@/features/models/routing/model-routing-page.tsx'), 'ModelRoutingPage'),
});

const modelUsageRoute = createRoute({
  getParentRoute: () => modelsRoute,
  path: 'usage',
  component: lazyRouteComponent(() => import('@/features/models/usage/model-usage-page.tsx'), 'ModelUsagePage'),
});

const modelPlaygroundRoute = createRoute({
  getParentRoute: () => modelsRoute,
  path: 'playground',
  component: lazyRouteComponent(() => import('@/features/models/playground/model-playground-page.tsx'), 'ModelPlaygroundPage'),
});

const workspaceSettingsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'settings',
  component: lazyRouteComponent(() => import('@/features/workspaces/workspace-settings-page.tsx'), 'WorkspaceSettingsPage'),
});

const accountRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'account',
  component: lazyRouteComponent(() => import('@/features/auth/account-page.tsx'), 'AccountPage'),
});

const adminRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'admin',
  beforeLoad: ({ context }) => {
    if (!context.session.user.isAdmin) throw redirect({ to: '/' });
  },
  component: Outlet,
});

const adminIndexRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: '/',
  beforeLoad: () => {
    throw redirect({ to: '/admin/users' });
  },
});

const adminUsersRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'users',
  component: lazyRouteComponent(() => import('@/features/admin/admin-users-page.tsx'), 'AdminUsersPage'),
});

const adminAuditRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'audit',
  component: lazyRouteComponent(() => import('@/features/audit/audit-page.tsx'), 'AdminAuditPage'),
});

const adminSettingsRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'settings',
  component: lazyRouteComponent(() => import('@/features/admin/admin-settings-page.tsx'), 'AdminSettingsPage'),
});

const routeTree = rootRoute.addChildren([
  setupRoute,
  loginRoute,
  inviteRoute,
  appRoute.addChildren([
    homeRoute,
    workspaceRoute.addChildren([
      workspaceIndexRoute,
      membersRoute,
      keysRoute,
      secretsRoute,
      auditRoute,
      tasksRoute,
      taskDetailRoute,
      schedulesRoute,
      scheduleDetailRoute,
      modelsRoute.addChildren([modelsIndexRoute, modelProvidersRoute, modelCatalogRoute, modelRoutingRoute, modelUsageRoute, modelPlaygroundRoute]),
      workspaceSettingsRoute,
    ]),
    accountRoute,
    adminRoute.addChildren([adminIndexRoute, adminUsersRoute, adminAuditRoute, adminSettingsRoute]),
  ]),
]);

export const router = createRouter({
  routeTree,
  context: { queryClient },
  defaultPreload: 'intent',
  // TanStack Query caches; the router should always ask it.
  defaultPreloadStaleTime: 0,
  defaultPendingComponent: RoutePending,
  defaultPendingMs: 300,
  scrollRestoration: true,
});

setUnauthenticatedHandler(() => {
  const current = router.state.location;
  if (current.pathname === '/login' || current.pathname.startsWith('/invite/') || current.pathname === '/setup') return;
  void router.navigate({ to: '/login', search: { redirect: current.href } });
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
