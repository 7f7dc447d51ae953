import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { DomainEvents } from '../../platform/events/domain-events.ts';
import type { EventBus, SteadEvent } from '../../platform/events/events.port.ts';
import { openEventStream } from '../../platform/http/event-stream.ts';
import { idParam, workspaceOf, type SteadApp } from '../../platform/http/http.types.ts';
import { roleRank, type AccessPolicy, type WorkspacePermission, type WorkspaceRole } from '../../platform/http/permissions.ts';
import type { Caller } from '../../platform/http/request-context.ts';

const heartbeatMs = 25_000;

export interface EventsRouteOptions {
  events: EventBus;
  /** `key-revoke` ends the streams opened with that key, on every node. */
  domainEvents: Pick<DomainEvents, 'on'>;
  policy: AccessPolicy;
  /** A person's current role in a workspace (cached, dropped on every node when it changes); null once removed. */
  memberRole(workspaceId: string, userId: string): Promise<WorkspaceRole | null>;
}

/** An open stream, with the API key it was opened with (if any), so revoking the key ends it. */
interface OpenStream {
  response: ServerResponse;
  keyId: string | undefined;
}

/**
 * The subscriber's role now, not when the stream opened: a member demoted or removed while watching stops
 * receiving what the new role may not read. A key acts at most with its creator's current role.
 */
const currentRole = async (caller: Caller, workspaceId: string, memberRole: EventsRouteOptions['memberRole']): Promise<WorkspaceRole | null> => {
  if (caller.type === 'user') return memberRole(workspaceId, caller.user.id);
  if (caller.type !== 'key') return null;
  const creatorRole = await memberRole(workspaceId, caller.ownerUserId);
  if (!creatorRole) return null;
  return roleRank[creatorRole] < roleRank[caller.role] ? creatorRole : caller.role;
};

/**
 * `GET /api/events?workspaceId=…` — server-sent events of one workspace (an API key implies its own). The
 * access hook has already confirmed membership when the stream opens; each event is checked again against the
 * subscriber's current role, so a removed member's stream ends and an event meant for a higher role (`permission`)
 * never reaches a lower one.
 */
export const registerEventsRoutes = (app: SteadApp, { events, domainEvents, policy, memberRole }: EventsRouteOptions): void => {
  const open = new Set<OpenStream>();
  domainEvents.on(
    ['key-revoke'],
    ({ keyId }) => {
      for (const stream of open) if (stream.keyId === keyId) stream.response.end();
    },
    { everyNode: true },
  );
  // Before the server stops listening: an open stream would otherwise hold shutdown until the grace period.
  app.addHook('preClose', async () => {
    for (const stream of open) stream.response.end();
  });

  app.get('/api/events', {
    config: { permission: 'events:read', workspaceFromQuery: true, rateLimit: false },
    schema: {
      tags: ['events'],
      summary: 'Live events of a workspace (text/event-stream); each message has `event: <type>` and JSON `data`. Events are filtered by the caller’s current role.',
      querystring: z.strictObject({ workspaceId: idParam().optional().describe('Required with a session; an API key implies its workspace') }),
    },
  }, async (request, reply) => {
    const { workspaceId } = workspaceOf(request);
    const caller = request.caller;
    const raw = openEventStream(reply, { connection: 'keep-alive' });
    raw.write(': connected\n\n');
    const stream: OpenStream = { response: raw, keyId: caller.type === 'key' ? caller.keyId : undefined };
    open.add(stream);
    // Events are written in the order they arrive, each after its role check.
    let delivering = Promise.resolve();
    const deliver = async (event: SteadEvent): Promise<void> => {
      if (raw.writableEnded) return;
      const role = await currentRole(caller, workspaceId, memberRole);
      if (!role || !policy.grants(role, 'events:read')) return void raw.end();
      if (event.permission && !(policy.isWorkspacePermission(event.permission) && policy.grants(role, event.permission as WorkspacePermission))) return;
      raw.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    };
    const unsubscribe = await events.subscribe({ workspaceId }, (event) => {
      delivering = delivering.then(() => deliver(event)).catch((error: unknown) => {
        request.log.warn({ err: error }, 'event stream: could not check the subscriber’s role; stream closed');
        raw.end();
      });
    });
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), heartbeatMs);
    raw.on('close', () => {
      open.delete(stream);
      clearInterval(heartbeat);
      void unsubscribe();
    });
  });
};
