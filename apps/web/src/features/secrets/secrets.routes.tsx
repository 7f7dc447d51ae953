import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { defineFeatureRoutes, workspaceRoute } from '@/layout-routes.tsx';

const secretsRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'secrets',
  component: lazyRouteComponent(() => import('./secrets-page.tsx'), 'SecretsPage'),
});

export const secretsRoutes = defineFeatureRoutes({ workspace: [secretsRoute] });
