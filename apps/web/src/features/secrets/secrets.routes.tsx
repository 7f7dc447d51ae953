import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { LockKeyholeIcon } from 'lucide-react';
import { defineFeatureRoutes, workspaceRoute } from '@/layout-routes.tsx';

const secretsRoute = createRoute({
  getParentRoute: () => workspaceRoute, path: 'secrets', component: lazyRouteComponent(() => import('./secrets-page.tsx'), 'SecretsPage'),
  staticData: { nav: { section: 'workspace', order: 50, label: 'Secrets', icon: LockKeyholeIcon, access: 'members' } },
});

export const secretsRoutes = defineFeatureRoutes({ workspace: [secretsRoute] });
