import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { CalendarClockIcon } from 'lucide-react';
import { defineFeatureRoutes, workspaceRoute } from '@/layout-routes.tsx';

const schedulesRoute = createRoute({
  getParentRoute: () => workspaceRoute, path: 'schedules', component: lazyRouteComponent(() => import('./schedules-page.tsx'), 'SchedulesPage'),
  staticData: { nav: { section: 'workspace', order: 30, label: 'Schedules', icon: CalendarClockIcon } },
});

const scheduleDetailRoute = createRoute({
  getParentRoute: () => workspaceRoute, path: 'schedules/$scheduleId', component: lazyRouteComponent(() => import('./schedule-detail-page.tsx'), 'ScheduleDetailPage'),
});

export const schedulesRoutes = defineFeatureRoutes({ workspace: [schedulesRoute, scheduleDetailRoute] });
