import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { defineFeatureRoutes, workspaceRoute } from '@/layout-routes.tsx';

const keysRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'keys',
  component: lazyRouteComponent(() => import('./keys-page.tsx'), 'KeysPage'),
});

export const keysRoutes = defineFeatureRoutes({ workspace: [keysRoute] });
