import { createRouter } from '@tanstack/react-router';
import { RoutePending } from '@/components/route-states.tsx';
import { adminRoutes } from '@/features/admin/admin.routes.tsx';
import { auditRoutes } from '@/features/audit/audit.routes.tsx';
import { authRoutes } from '@/features/auth/auth.routes.tsx';
import { homeRoutes } from '@/features/home/home.routes.tsx';
import { keysRoutes } from '@/features/keys/keys.routes.tsx';
import { modelsRoutes } from '@/features/models/models.routes.tsx';
import { schedulesRoutes } from '@/features/schedules/schedules.routes.tsx';
import { secretsRoutes } from '@/features/secrets/secrets.routes.tsx';
import { tasksRoutes } from '@/features/tasks/tasks.routes.tsx';
import { workspacesRoutes } from '@/features/workspaces/workspaces.routes.tsx';
import { adminIndexRoute, adminRoute, appRoute, childrenOf, rootRoute, workspaceRoute } from '@/layout-routes.tsx';
import { queryClient, setUnauthenticatedHandler } from '@/lib/queries.ts';

/** Every feature's routes; a new feature adds its `<noun>.routes.tsx` list here. */
const features = [authRoutes, homeRoutes, workspacesRoutes, keysRoutes, secretsRoutes, auditRoutes, tasksRoutes, schedulesRoutes, modelsRoutes, adminRoutes] as const;

const routeTree = rootRoute.addChildren([
  ...childrenOf(features, 'root'),
  appRoute.addChildren([
    ...childrenOf(features, 'app'),
    workspaceRoute.addChildren([...childrenOf(features, 'workspace')]),
    adminRoute.addChildren([adminIndexRoute, ...childrenOf(features, 'admin')]),
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
