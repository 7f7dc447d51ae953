import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { redisTestScope } from '../../../test/support/redis-tests.ts';
import { serviceUrl } from '../../../test/support/services.ts';
import type { Clock, Ids } from '../clock/clock.ts';
import type { EventBusErrorHandler } from './event-delivery.ts';
import { runEventBusContract } from './events.contract.ts';
import type { EventBus, SteadEvent } from './events.port.ts';
import { createMemoryEventBus } from './memory-events.adapter.ts';
import { createRedisEventBus } from './redis-events.adapter.ts';

runEventBusContract('memory', async () => createMemoryEventBus(), { capabilities: { crossProcess: false } });

describe('memory event bus', () => {
  it('takes id and at from the injected ids and clock', async () => {
    const clock: Clock = { now: () => new Date('2030-01-01T00:00:00.000Z') };
    let counter = 0;
    const ids: Ids = { next: () => `id-${(counter += 1)}` };
    const bus = createMemoryEventBus({ clock, ids });
    await expect(bus.publish({ type: 'x', workspaceId: null, data: null })).resolves.toMatchObject({ id: 'id-1', at: '2030-01-01T00:00:00.000Z' });
    await bus.close();
  });

  it('reports listener failures to onError', async () => {
    const onError = vi.fn<EventBusErrorHandler>();
    const bus = createMemoryEventBus({ onError });
    await bus.subscribe({ workspaceId: 'ws-a' }, () => {
      throw new Error('listener bug');
    });
    await bus.publish({ type: 'x', workspaceId: 'ws-a', data: null });
    await vi.waitFor(() => expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'listener bug' }), { reason: 'listener_failed' }));
    await bus.close();
  });

  it('does not deliver to instances that do not share the process-local bus', async () => {
    const first = createMemoryEventBus();
    const second = createMemoryEventBus();
    expect(first.capabilities.crossProcess).toBe(false);
    const received: SteadEvent[] = [];
    await second.subscribe({ workspaceId: 'ws-a' }, (event) => received.push(event));
    const mine: SteadEvent[] = [];
    await first.subscribe({ workspaceId: 'ws-a' }, (event) => mine.push(event));
    await first.publish({ type: 'x', workspaceId: 'ws-a', data: null });
    await vi.waitFor(() => expect(mine).toHaveLength(1));
    expect(received).toEqual([]);
    await Promise.all([first.close(), second.close()]);
  });
});

const redisUrl = serviceUrl('redis');

describe.skipIf(!redisUrl)('redis event bus', () => {
  // A prefix per run keeps parallel runs (and other suites) on the shared Redis out of each other's channels.
  const channelPrefix = `stead-test:${randomBytes(6).toString('hex')}:`;
  runEventBusContract('redis', async () => createRedisEventBus({ url: redisUrl!, channelPrefix }), { capabilities: { crossProcess: true } });

  const { defer, inspector } = redisTestScope(redisUrl!);
  const bus = (options: { onError?: EventBusErrorHandler; client?: Redis } = {}): EventBus => {
    const created = createRedisEventBus({ url: redisUrl!, channelPrefix, ...options });
    defer(() => created.close());
    return created;
  };
  const subscriberCount = async (client: Redis, channel: string): Promise<number> => {
    const reply = (await client.pubsub('NUMSUB', channel)) as [string, number];
    return Number(reply[1]);
  };

  it('uses one channel per workspace plus an instance channel, and leaves a channel with its last listener', async () => {
    const redis = inspector();
    const events = bus();
    const first = await events.subscribe({ workspaceId: 'ws-a', includeInstance: true }, () => {});
    const second = await events.subscribe({ workspaceId: 'ws-a' }, () => {});
    expect(await subscriberCount(redis, `${channelPrefix}ws-a`)).toBe(1);
    expect(await subscriberCount(redis, `${channelPrefix}instance`)).toBe(1);

    await first();
    expect(await subscriberCount(redis, `${channelPrefix}ws-a`)).toBe(1);
    expect(await subscriberCount(redis, `${channelPrefix}instance`)).toBe(0);
    await second();
    expect(await subscriberCount(redis, `${channelPrefix}ws-a`)).toBe(0);
  });

  it('subscribes again after the last listener left while SUBSCRIBE and UNSUBSCRIBE interleave', async () => {
    const redis = inspector();
    const events = bus();
    const received: string[] = [];
    const pending = events.subscribe({ workspaceId: 'ws-race' }, () => {});
    const unsubscribeFirst = await pending;
    const leaving = unsubscribeFirst();
    const joining = events.subscribe({ workspaceId: 'ws-race' }, (event) => received.push(event.type));
    await leaving;
    await joining;
    expect(await subscriberCount(redis, `${channelPrefix}ws-race`)).toBe(1);
    await events.publish({ type: 'after-race', workspaceId: 'ws-race', data: null });
    await vi.waitFor(() => expect(received).toEqual(['after-race']));
  });

  it('ignores malformed messages and reports them without their content', async () => {
    const redis = inspector();
    const onError = vi.fn<EventBusErrorHandler>();
    const events = bus({ onError });
    const received: SteadEvent[] = [];
    await events.subscribe({ workspaceId: 'ws-a' }, (event) => received.push(event));

    await redis.publish(`${channelPrefix}ws-a`, 'not json {secret-ish}');
    await redis.publish(`${channelPrefix}ws-a`, JSON.stringify({ type: 'missing-fields' }));
    await redis.publish(`${channelPrefix}ws-a`, JSON.stringify({ id: 'x', type: 't', at: 'now', workspaceId: 42, data: null }));
    // A well-formed message for another workspace published on this channel by hand still does not cross.
    await redis.publish(`${channelPrefix}ws-a`, JSON.stringify({ id: 'x', type: 'foreign', at: 'now', workspaceId: 'ws-b', data: null }));
    await events.publish({ type: 'valid', workspaceId: 'ws-a', data: null });

    await vi.waitFor(() => expect(received.map((event) => event.type)).toEqual(['valid']));
    expect(onError).toHaveBeenCalledTimes(3);
    for (const [error, context] of onError.mock.calls) {
      expect(context).toEqual({ reason: 'message_malformed', channel: `${channelPrefix}ws-a` });
      expect(String((error as Error).message)).not.toContain('secret-ish');
    }
  });

  it('keeps workspaces on different channel prefixes apart', async () => {
    const other = createRedisEventBus({ url: redisUrl!, channelPrefix: `${channelPrefix}other:` });
    defer(() => other.close());
    const events = bus();
    const received: SteadEvent[] = [];
    await other.subscribe({ workspaceId: 'ws-a' }, (event) => received.push(event));
    const mine: SteadEvent[] = [];
    await events.subscribe({ workspaceId: 'ws-a' }, (event) => mine.push(event));
    await events.publish({ type: 'x', workspaceId: 'ws-a', data: null });
    await other.publish({ type: 'marker', workspaceId: 'ws-a', data: null });
    await vi.waitFor(() => expect(received.map((event) => event.type)).toEqual(['marker']));
    expect(mine.map((event) => event.type)).toEqual(['x']);
  });

  it('publishes on an injected client, and leaves it open on close', async () => {
    const client = inspector();
    const events = createRedisEventBus({ client, channelPrefix });
    const received: SteadEvent[] = [];
    await events.subscribe({ workspaceId: 'ws-a' }, (event) => received.push(event));
    await events.publish({ type: 'via-client', workspaceId: 'ws-a', data: null });
    await vi.waitFor(() => expect(received).toHaveLength(1));
    await events.close();
    await expect(client.ping()).resolves.toBe('PONG');
  });

  it('rejects with service_unavailable when Redis cannot be reached', async () => {
    const onError = vi.fn<EventBusErrorHandler>();
    // Port 1 refuses connections; a single attempt keeps the test fast.
    const client = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    client.on('error', () => {});
    defer(async () => client.disconnect());
    const events = createRedisEventBus({ client, channelPrefix, onError });
    defer(() => events.close());
    await expect(events.ping()).rejects.toMatchObject({ code: 'service_unavailable' });
    await expect(events.publish({ type: 'x', workspaceId: 'ws-a', data: null })).rejects.toMatchObject({ code: 'service_unavailable' });
  });
});
