import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { ServerIcon, ShieldIcon } from 'lucide-react';
import { adminRoute, defineFeatureRoutes } from '@/layout-routes.tsx';

const adminUsersRoute = createRoute({
  getParentRoute: () => adminRoute, path: 'users', component: lazyRouteComponent(() => import('./admin-users-page.tsx'), 'AdminUsersPage'),
  staticData: { nav: { section: 'instance', order: 10, label: 'Users', icon: ShieldIcon } },
});

const adminSettingsRoute = createRoute({
  getParentRoute: () => adminRoute, path: 'settings', component: lazyRouteComponent(() => import('./admin-settings-page.tsx'), 'AdminSettingsPage'),
  staticData: { nav: { section: 'instance', order: 30, label: 'Instance settings', icon: ServerIcon } },
});

export const adminRoutes = defineFeatureRoutes({ admin: [adminUsersRoute, adminSettingsRoute] });
