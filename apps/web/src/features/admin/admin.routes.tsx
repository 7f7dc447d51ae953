import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { adminRoute, defineFeatureRoutes } from '@/layout-routes.tsx';

const adminUsersRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'users',
  component: lazyRouteComponent(() => import('./admin-users-page.tsx'), 'AdminUsersPage'),
});

const adminSettingsRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'settings',
  component: lazyRouteComponent(() => import('./admin-settings-page.tsx'), 'AdminSettingsPage'),
});

export const adminRoutes = defineFeatureRoutes({ admin: [adminUsersRoute, adminSettingsRoute] });
