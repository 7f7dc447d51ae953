import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { ScrollTextIcon } from 'lucide-react';
import { adminRoute, defineFeatureRoutes, workspaceRoute } from '@/layout-routes.tsx';

const auditRoute = createRoute({
  getParentRoute: () => workspaceRoute, path: 'audit', component: lazyRouteComponent(() => import('./audit-page.tsx'), 'WorkspaceAuditPage'),
  staticData: { nav: { section: 'workspace', order: 70, label: 'Audit log', icon: ScrollTextIcon, access: 'managers' } },
});

const adminAuditRoute = createRoute({
  getParentRoute: () => adminRoute, path: 'audit', component: lazyRouteComponent(() => import('./audit-page.tsx'), 'AdminAuditPage'),
  staticData: { nav: { section: 'instance', order: 20, label: 'Instance audit', icon: ScrollTextIcon } },
});

export const auditRoutes = defineFeatureRoutes({ workspace: [auditRoute], admin: [adminAuditRoute] });
