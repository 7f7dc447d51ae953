import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { adminRoute, defineFeatureRoutes, workspaceRoute } from '@/layout-routes.tsx';

const auditRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'audit',
  component: lazyRouteComponent(() => import('./audit-page.tsx'), 'WorkspaceAuditPage'),
});

const adminAuditRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'audit',
  component: lazyRouteComponent(() => import('./audit-page.tsx'), 'AdminAuditPage'),
});

export const auditRoutes = defineFeatureRoutes({ workspace: [auditRoute], admin: [adminAuditRoute] });
