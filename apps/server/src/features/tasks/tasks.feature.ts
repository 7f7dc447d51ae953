import { defineFeature } from '../../feature.ts';
import type { PermissionDeclarations } from '../../platform/http/permissions.ts';
import { createHttpRequestRunKind } from './http-request.run.ts';
import { registerTasksCommands } from './tasks.command.ts';
import { registerTasksRoutes } from './tasks.routes.ts';
import { createTasksService, type TasksService } from './tasks.service.ts';

export const tasksPermissions = {
  'tasks:read': 'viewer',
  'tasks:run': 'member',
} as const satisfies PermissionDeclarations;

declare module '../../feature.ts' { interface SteadServices { tasks: TasksService } }

/** Tasks: runs people start by hand (API, CLI) or by schedule; the `http.request` kind. Their codes are the runs feature's. */
export const tasksFeature = defineFeature({
  name: 'tasks',
  permissions: tasksPermissions,
  runKinds: (_services, { egress }) => [createHttpRequestRunKind({ egress })],
  create: ({ services, events, clock, logger }) =>
    createTasksService({
      runs: services.runs, events, clock,
      // Looked up when a task is shown, not at creation: schedules start tasks, so they are created after this service.
      scheduleNames: async (workspaceId, ids) => {
        const wanted = new Set(ids);
        return new Map((await services.schedules.list(workspaceId)).filter((schedule) => wanted.has(schedule.id)).map((schedule) => [schedule.id, schedule.name]));
      },
      onEventError: (error) => logger.warn({ err: error, component: 'tasks' }, 'event bus'),
    }),
  routes: (app, { services }) => registerTasksRoutes(app, { tasks: services.tasks }),
  cli: registerTasksCommands,
});
