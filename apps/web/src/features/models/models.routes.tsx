import { createRoute, lazyRouteComponent, redirect } from '@tanstack/react-router';
import { BrainCircuitIcon } from 'lucide-react';
import { defineFeatureRoutes, workspaceRoute } from '@/layout-routes.tsx';

const modelsRoute = createRoute({
  getParentRoute: () => workspaceRoute, path: 'models', component: lazyRouteComponent(() => import('./models-page.tsx'), 'ModelsPage'),
  staticData: { nav: { section: 'workspace', order: 40, label: 'Models', icon: BrainCircuitIcon } },
});

const modelsIndexRoute = createRoute({
  getParentRoute: () => modelsRoute,
  path: '/',
  beforeLoad: ({ params }) => {
    throw redirect({ to: '/w/$workspaceId/models/providers', params });
  },
});

const modelProvidersRoute = createRoute({
  getParentRoute: () => modelsRoute, path: 'providers', component: lazyRouteComponent(() => import('./providers/model-providers-page.tsx'), 'ModelProvidersPage'),
});

const modelCatalogRoute = createRoute({
  getParentRoute: () => modelsRoute, path: 'catalog', component: lazyRouteComponent(() => import('./catalog/model-catalog-page.tsx'), 'ModelCatalogPage'),
});

const modelRoutingRoute = createRoute({
  getParentRoute: () => modelsRoute, path: 'routing', component: lazyRouteComponent(() => import('./routing/model-routing-page.tsx'), 'ModelRoutingPage'),
});

const modelUsageRoute = createRoute({
  getParentRoute: () => modelsRoute, path: 'usage', component: lazyRouteComponent(() => import('./usage/model-usage-page.tsx'), 'ModelUsagePage'),
});

const modelPlaygroundRoute = createRoute({
  getParentRoute: () => modelsRoute, path: 'playground', component: lazyRouteComponent(() => import('./playground/model-playground-page.tsx'), 'ModelPlaygroundPage'),
});

export const modelsRoutes = defineFeatureRoutes({
  workspace: [modelsRoute.addChildren([modelsIndexRoute, modelProvidersRoute, modelCatalogRoute, modelRoutingRoute, modelUsageRoute, modelPlaygroundRoute])],
});
