import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { KeyRoundIcon } from 'lucide-react';
import { defineFeatureRoutes, workspaceRoute } from '@/layout-routes.tsx';

const keysRoute = createRoute({
  getParentRoute: () => workspaceRoute, path: 'keys', component: lazyRouteComponent(() => import('./keys-page.tsx'), 'KeysPage'),
  staticData: { nav: { section: 'workspace', order: 60, label: 'API keys', icon: KeyRoundIcon } },
});

export const keysRoutes = defineFeatureRoutes({ workspace: [keysRoute] });
