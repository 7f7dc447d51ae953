import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { EventBus, SteadEvent } from '../../platform/events/events.port.ts';
import { idParam, workspaceOf, type SteadApp } from '../../platform/http/http.types.ts';

const heartbeatMs = 25_000;

/**
 * `GET /api/events?workspaceId=…` — server-sent events of one workspace (an API key implies its own). The
 * access hook has already confirmed membership, so a subscriber only ever receives its workspace's events.
 */
export const registerEventsRoutes = (app: SteadApp, { events }: { events: EventBus }): void => {
  const open = new Set<ServerResponse>();
  // Before the server stops listening: an open stream would otherwise hold shutdown until the grace period.
  app.addHook('preClose', async () => {
    for (const response of open) response.end();
  });

  app.get('/api/events', {
    config: { permission: 'events:read', workspaceFromQuery: true, rateLimit: false },
    schema: {
      tags: ['events'],
      summary: 'Live events of a workspace (text/event-stream); each message has `event: <type>` and JSON `data`',
      querystring: z.strictObject({ workspaceId: idParam().optional().describe('Required with a session; an API key implies its workspace') }),
    },
  }, async (request, reply) => {
    const { workspaceId } = workspaceOf(request);
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(': connected\n\n');
    open.add(raw);
    const send = (event: SteadEvent) => raw.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    const unsubscribe = await events.subscribe({ workspaceId }, send);
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), heartbeatMs);
    raw.on('close', () => {
      open.delete(raw);
      clearInterval(heartbeat);
      void unsubscribe();
    });
  });
};
