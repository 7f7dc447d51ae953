import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { ScrollTextIcon } from 'lucide-react';
import { adminRoute, defineFeatureRoutes, workspaceRoute } from '@/layout-routes.tsx';

const auditRoute = createRoute({
  getParentRoute: () => workspaceRoute,
  path: 'audit',
  staticData: { nav: { section: 'workspace', order: 70, label: 'Audit log', icon: ScrollTextIcon, access: 'managers' } },
  component: lazyRouteComponent(() => import('./audit-page.tsx'), 'WorkspaceAuditPage'),
});

const adminAuditRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'audit',
  staticData: { nav: { section: 'instance', order: 20, label: 'Instance audit', icon: ScrollTextIcon } },
  component: lazyRouteComponent(() => import('./audit-page.tsx'), 'AdminAuditPage'),
});

export const auditRoutes = defineFeatureRoutes({ workspace: [auditRoute], admin: [adminAuditRoute] });
