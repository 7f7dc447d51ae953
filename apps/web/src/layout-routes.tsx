/**
 * The routes every feature hangs its pages under: the root (banner, toasts), `_app` (signed in, sidebar layout),
 * a workspace (`/w/$workspaceId`) and the instance administration (`/admin`). Features add their routes through
 * `defineFeatureRoutes` in their own `<noun>.routes.tsx`; router.tsx composes the lists.
 */
import type { QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, createRoute, Outlet, redirect, type AnyRoute } from '@tanstack/react-router';
import type { LucideIcon } from 'lucide-react';
import { AppShell } from '@/components/app-shell.tsx';
import { ConnectionBanner } from '@/components/connection-status.tsx';
import { NotFound, RouteError } from '@/components/route-states.tsx';
import { Toaster } from '@/components/ui/toaster.tsx';
import { sessionQuery, setupQuery, workspacesQuery } from '@/lib/queries.ts';
import { storeWorkspaceId } from '@/lib/workspace-store.ts';

interface RouterContext {
  queryClient: QueryClient;
}

export const rootRoute = createRootRouteWithContext<RouterContext>()({
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

/** Everything behind sign-in shares the sidebar layout. */
export const appRoute = createRoute({
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

/** A workspace; its index (`/w/$workspaceId/`) is the home feature's page. */
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

export const adminRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'admin',
  beforeLoad: ({ context }) => {
    if (!context.session.user.isAdmin) throw redirect({ to: '/' });
  },
  component: Outlet,
});

export const adminIndexRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: '/',
  beforeLoad: () => {
    throw redirect({ to: '/admin/users' });
  },
});

/** Where a feature's routes hang: under the root, `_app`, a workspace or `/admin`. */
export type RouteParent = 'root' | 'app' | 'workspace' | 'admin';

type FeatureRouteLists<Lists extends Partial<Record<RouteParent, readonly AnyRoute[]>>> = {
  [Parent in RouteParent]: Lists[Parent] extends readonly AnyRoute[] ? Lists[Parent] : readonly [];
};

/** A feature's routes by parent; parents it does not use get an empty list, so router.tsx can spread them all. */
export function defineFeatureRoutes<const Lists extends Partial<Record<RouteParent, readonly AnyRoute[]>>>(lists: Lists): FeatureRouteLists<Lists> {
  return { root: [], app: [], workspace: [], admin: [], ...lists } as unknown as FeatureRouteLists<Lists>;
}

type AnyFeatureRoutes = Record<RouteParent, readonly AnyRoute[]>;
type ChildrenOf<Features, Parent extends RouteParent> = Features extends readonly [infer Head extends AnyFeatureRoutes, ...infer Rest]
  ? [...Head[Parent], ...ChildrenOf<Rest, Parent>]
  : [];

/** The routes all `features` hang under `parent`, in order, keeping each route's type for the typed route tree. */
export function childrenOf<const Features extends readonly AnyFeatureRoutes[], Parent extends RouteParent>(features: Features, parent: Parent): ChildrenOf<Features, Parent> {
  return features.flatMap((feature) => feature[parent]) as unknown as ChildrenOf<Features, Parent>;
}

/** Who sees a workspace page in the sidebar: everyone, members and up, or admins and owners. */
export type NavAccess = 'all' | 'members' | 'managers';

/** A page's entry in the sidebar, declared on its route (`staticData.nav`); the shell lists them by `order`. */
export interface NavEntry {
  section: 'workspace' | 'you' | 'instance';
  order: number;
  label: string;
  icon: LucideIcon;
  /** Workspace pages only. Default: 'all'. */
  access?: NavAccess;
}

declare module '@tanstack/react-router' {
  interface StaticDataRouteOption {
    nav?: NavEntry;
  }
}
