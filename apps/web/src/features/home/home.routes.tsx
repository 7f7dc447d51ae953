import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { HomeIcon } from 'lucide-react';
import { defineFeatureRoutes, workspaceRoute } from '@/layout-routes.tsx';

/** The workspace's index (`/w/$workspaceId/`): its home page, first in the sidebar. */
const homeRoute = createRoute({
  getParentRoute: () => workspaceRoute, path: '/', component: lazyRouteComponent(() => import('./home-page.tsx'), 'HomePage'),
  staticData: { nav: { section: 'workspace', order: 0, label: 'Home', icon: HomeIcon } },
});

export const homeRoutes = defineFeatureRoutes({ workspace: [homeRoute] });
