import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { ListChecksIcon } from 'lucide-react';
import { defineFeatureRoutes, workspaceRoute } from '@/layout-routes.tsx';

const tasksRoute = createRoute({
  getParentRoute: () => workspaceRoute, path: 'tasks', component: lazyRouteComponent(() => import('./tasks-page.tsx'), 'TasksPage'),
  staticData: { nav: { section: 'workspace', order: 20, label: 'Tasks', icon: ListChecksIcon } },
});

const taskDetailRoute = createRoute({
  getParentRoute: () => workspaceRoute, path: 'tasks/$taskId', component: lazyRouteComponent(() => import('./task-detail-page.tsx'), 'TaskDetailPage'),
});

export const tasksRoutes = defineFeatureRoutes({ workspace: [tasksRoute, taskDetailRoute] });
