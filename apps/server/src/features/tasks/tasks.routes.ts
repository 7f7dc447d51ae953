import { z } from 'zod';
import { actingUserId, idParam, workspaceIdParams, workspaceOf, type SteadApp } from '../../platform/http/http.types.ts';
import type { TasksService } from './tasks.service.ts';
import { createTaskBody, taskDetailSchema, taskKindSchema, taskListQuery, taskLogLineSchema, taskPageSchema, taskSchema } from './tasks.schema.ts';

const taskParams = workspaceIdParams.extend({ taskId: idParam() });

export const registerTasksRoutes = (app: SteadApp, { tasks }: { tasks: TasksService }): void => {
  app.get('/api/workspaces/:workspaceId/task-kinds', {
    config: { permission: 'tasks:read' },
    schema: { tags: ['tasks'], summary: 'Kinds of task that can run, with the JSON schema of their input', params: workspaceIdParams, response: { 200: z.object({ kinds: z.array(taskKindSchema) }) } },
  }, async () => ({ kinds: tasks.kinds() }));

  app.get('/api/workspaces/:workspaceId/tasks', {
    config: { permission: 'tasks:read' },
    schema: { tags: ['tasks'], summary: 'Tasks of a workspace, newest first, filtered by state, kind, schedule and creation time', params: workspaceIdParams, querystring: taskListQuery, response: { 200: taskPageSchema } },
  }, async (request) => tasks.list(request.params.workspaceId, request.query));

  app.post('/api/workspaces/:workspaceId/tasks', {
    config: { permission: 'tasks:run', audit: 'task.create' },
    schema: { tags: ['tasks'], summary: 'Run a task now or after a delay; the input is checked against the kind before anything is created', params: workspaceIdParams, body: createTaskBody, response: { 201: z.object({ task: taskSchema }) } },
  }, async (request, reply) => {
    const task = await tasks.create(request.params.workspaceId, request.body, { type: 'api', userId: actingUserId(request) || null, role: workspaceOf(request).role });
    request.auditDetails = { targetType: 'task', targetId: task.id, metadata: { kind: task.kind } };
    return reply.status(201).send({ task });
  });

  app.get('/api/workspaces/:workspaceId/tasks/:taskId', {
    config: { permission: 'tasks:read' },
    schema: { tags: ['tasks'], summary: 'One task with its attempts, timings, progress, log lines, output and error', params: taskParams, response: { 200: taskDetailSchema } },
  }, async (request) => tasks.detail(request.params.workspaceId, request.params.taskId));

  app.get('/api/workspaces/:workspaceId/tasks/:taskId/logs', {
    config: { permission: 'tasks:read' },
    schema: {
      tags: ['tasks'],
      summary: 'Log lines of a task, oldest first (up to 1,000 after `after`)',
      params: taskParams,
      querystring: z.strictObject({ after: z.string().max(64).optional().describe('Id of the last line already read') }),
      response: { 200: z.object({ logs: z.array(taskLogLineSchema) }) },
    },
  }, async (request) => ({ logs: await tasks.logs(request.params.workspaceId, request.params.taskId, request.query.after) }));

  app.post('/api/workspaces/:workspaceId/tasks/:taskId/cancel', {
    config: { permission: 'tasks:run', audit: 'task.cancel' },
    schema: { tags: ['tasks'], summary: 'Cancel a queued or running task (a running one is told to stop)', params: taskParams, response: { 200: z.object({ task: taskSchema }) } },
  }, async (request) => {
    request.auditDetails = { targetType: 'task', targetId: request.params.taskId };
    return { task: await tasks.cancel(request.params.workspaceId, request.params.taskId) };
  });

  app.post('/api/workspaces/:workspaceId/tasks/:taskId/retry', {
    config: { permission: 'tasks:run', audit: 'task.retry' },
    schema: { tags: ['tasks'], summary: 'Run a failed or cancelled task again with fresh attempts', params: taskParams, response: { 200: z.object({ task: taskSchema }) } },
  }, async (request) => {
    request.auditDetails = { targetType: 'task', targetId: request.params.taskId };
    return { task: await tasks.retry(request.params.workspaceId, request.params.taskId) };
  });
};
