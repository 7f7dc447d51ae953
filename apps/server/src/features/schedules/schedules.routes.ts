import { z } from 'zod';
import { actingUserId, idParam, noContent, workspaceIdParams, workspaceOf, type SteadApp } from '../../platform/http/http.types.ts';
import {
  createScheduleBody,
  firesPageSchema,
  firesQuerySchema,
  previewQuerySchema,
  previewResponseSchema,
  scheduleSchema,
  triggerOfPreviewQuery,
  updateScheduleBody,
} from './schedules.schema.ts';
import type { SchedulesService } from './schedules.service.ts';

const scheduleParams = workspaceIdParams.extend({ scheduleId: idParam() });
const scheduleResponse = z.object({ schedule: scheduleSchema });
const tags = ['schedules'];

export const registerSchedulesRoutes = (app: SteadApp, { schedules }: { schedules: SchedulesService }): void => {
  app.get('/api/workspaces/:workspaceId/schedules', {
    config: { permission: 'schedules:read' },
    schema: { tags, summary: 'Schedules of a workspace, newest first', params: workspaceIdParams, response: { 200: z.object({ schedules: z.array(scheduleSchema) }) } },
  }, async (request) => ({ schedules: await schedules.list(request.params.workspaceId) }));

  app.post('/api/workspaces/:workspaceId/schedules', {
    config: { permission: 'schedules:manage', audit: 'schedule.create' },
    schema: { tags, summary: 'Create a schedule; its kind, input and trigger are checked before anything is saved', params: workspaceIdParams, body: createScheduleBody, response: { 201: scheduleResponse } },
  }, async (request, reply) => {
    const schedule = await schedules.create(request.params.workspaceId, request.body, { userId: actingUserId(request) || null, role: workspaceOf(request).role });
    request.auditDetails = { targetType: 'schedule', targetId: schedule.id, metadata: { name: schedule.name, kind: schedule.kind, trigger: schedule.trigger } };
    return reply.status(201).send({ schedule });
  });

  // Read-only, so a GET: the access hook requires an audit action of every state-changing method.
  app.get('/api/workspaces/:workspaceId/schedules/preview', {
    config: { permission: 'schedules:read' },
    schema: { tags, summary: 'The next fire times of a trigger, as if saved now (nothing is saved)', params: workspaceIdParams, querystring: previewQuerySchema, response: { 200: previewResponseSchema } },
  }, async (request) => ({ fireTimes: await schedules.preview(triggerOfPreviewQuery(request.query), request.query.count) }));

  app.get('/api/workspaces/:workspaceId/schedules/:scheduleId', {
    config: { permission: 'schedules:read' },
    schema: { tags, summary: 'One schedule with its next fire times', params: scheduleParams, response: { 200: scheduleResponse } },
  }, async (request) => ({ schedule: await schedules.get(request.params.workspaceId, request.params.scheduleId) }));

  app.patch('/api/workspaces/:workspaceId/schedules/:scheduleId', {
    config: { permission: 'schedules:manage', audit: 'schedule.update' },
    schema: { tags, summary: 'Change a schedule; a new trigger recomputes the next fire time', params: scheduleParams, body: updateScheduleBody, response: { 200: scheduleResponse } },
  }, async (request) => {
    request.auditDetails = { targetType: 'schedule', targetId: request.params.scheduleId, metadata: { fields: Object.keys(request.body) } };
    return { schedule: await schedules.update(request.params.workspaceId, request.params.scheduleId, request.body, { userId: actingUserId(request) || null, role: workspaceOf(request).role }) };
  });

  app.post('/api/workspaces/:workspaceId/schedules/:scheduleId/enable', {
    config: { permission: 'schedules:manage', audit: 'schedule.enable' },
    schema: { tags, summary: 'Enable a schedule; it fires from the next time after now (fires missed while disabled are not made up)', params: scheduleParams, response: { 200: scheduleResponse } },
  }, async (request) => {
    request.auditDetails = { targetType: 'schedule', targetId: request.params.scheduleId };
    return { schedule: await schedules.enable(request.params.workspaceId, request.params.scheduleId) };
  });

  app.post('/api/workspaces/:workspaceId/schedules/:scheduleId/disable', {
    config: { permission: 'schedules:manage', audit: 'schedule.disable' },
    schema: { tags, summary: 'Disable a schedule', params: scheduleParams, response: { 200: scheduleResponse } },
  }, async (request) => {
    request.auditDetails = { targetType: 'schedule', targetId: request.params.scheduleId };
    return { schedule: await schedules.disable(request.params.workspaceId, request.params.scheduleId) };
  });

  app.delete('/api/workspaces/:workspaceId/schedules/:scheduleId', {
    config: { permission: 'schedules:manage', audit: 'schedule.delete' },
    schema: { tags, summary: 'Delete a schedule and its fire history (tasks it started stay)', params: scheduleParams, response: { 204: noContent } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'schedule', targetId: request.params.scheduleId };
    await schedules.remove(request.params.workspaceId, request.params.scheduleId);
    return reply.status(204).send(null);
  });

  app.get('/api/workspaces/:workspaceId/schedules/:scheduleId/fires', {
    config: { permission: 'schedules:read' },
    schema: { tags, summary: 'Fire history of a schedule, newest first', params: scheduleParams, querystring: firesQuerySchema, response: { 200: firesPageSchema } },
  }, async (request) => schedules.fires(request.params.workspaceId, request.params.scheduleId, request.query));
};
