import { z } from 'zod';
import { actingUserId, idParam, noContent, type SteadApp } from '../../platform/http/http.types.ts';
import { addAllowedHostBody, allowedHostSchema, instanceSettingsSchema } from './instance-settings.schema.ts';
import type { InstanceSettingsService } from './instance-settings.service.ts';

const tags = ['admin'];

/** Instance settings: instance administrators only (`admin`), every change audited. */
export const registerInstanceSettingsRoutes = (app: SteadApp, { instanceSettings }: { instanceSettings: InstanceSettingsService }): void => {
  app.get('/api/admin/instance-settings', {
    config: { permission: 'admin' },
    schema: {
      tags,
      summary: 'Every setting with its value (secrets masked) and where it comes from, and the allowed hosts of outbound HTTP',
      response: { 200: instanceSettingsSchema },
    },
  }, async () => instanceSettings.describe());

  app.get('/api/admin/allowed-hosts', {
    config: { permission: 'admin' },
    schema: { tags, summary: 'Private destinations outbound HTTP may reach: from the environment or file, then those added here', response: { 200: z.object({ allowedHosts: z.array(allowedHostSchema) }) } },
  }, async () => ({ allowedHosts: await instanceSettings.listAllowedHosts() }));

  app.post('/api/admin/allowed-hosts', {
    config: { permission: 'admin', audit: 'instance.allowed-host-add' },
    schema: {
      tags,
      summary: 'Allow outbound HTTP to a private host, address or range; applies on every node at once, without a restart',
      body: addAllowedHostBody,
      response: { 201: z.object({ allowedHost: allowedHostSchema }) },
    },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'allowed-host', targetId: request.body.rule, metadata: { rule: request.body.rule } };
    const allowedHost = await instanceSettings.addAllowedHost(request.body.rule, { userId: actingUserId(request) || null });
    request.auditDetails = { targetType: 'allowed-host', targetId: allowedHost.id ?? undefined, metadata: { rule: allowedHost.rule } };
    return reply.status(201).send({ allowedHost });
  });

  app.delete('/api/admin/allowed-hosts/:allowedHostId', {
    config: { permission: 'admin', audit: 'instance.allowed-host-remove' },
    schema: {
      tags,
      summary: 'Stop allowing a host added in the dashboard; applies on every node at once (configured ones stay)',
      params: z.object({ allowedHostId: idParam() }),
      response: { 204: noContent },
    },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'allowed-host', targetId: request.params.allowedHostId };
    const removed = await instanceSettings.removeAllowedHost({ id: request.params.allowedHostId });
    request.auditDetails = { targetType: 'allowed-host', targetId: removed.id ?? undefined, metadata: { rule: removed.rule } };
    return reply.status(204).send(null);
  });
};
