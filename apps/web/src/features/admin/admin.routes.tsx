import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { ServerIcon, ShieldIcon } from 'lucide-react';
import { adminRoute, defineFeatureRoutes } from '@/layout-routes.tsx';

const adminUsersRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'users',
  staticData: { nav: { section: 'instance', order: 10, label: 'Users', icon: ShieldIcon } },
  component: lazyRouteComponent(() => import('./admin-users-page.tsx'), 'AdminUsersPage'),
});

const adminSettingsRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'settings',
  staticData: { nav: { section: 'instance', order: 30, label: 'Instance settings', icon: ServerIcon } },
  component: lazyRouteComponent(() => import('./admin-settings-page.tsx'), 'AdminSettingsPage'),
});

export const adminRoutes = defineFeatureRoutes({ admin: [adminUsersRoute, adminSettingsRoute] });
