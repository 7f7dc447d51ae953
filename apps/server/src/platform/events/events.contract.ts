import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventBus, EventBusCapabilities, EventFilter, SteadEvent } from './events.port.ts';

export interface EventBusContractOptions {
  /** What the adapter under test claims; the suite checks the claim and runs the tests it implies. */
  capabilities: EventBusCapabilities;
  /** How long a test waits for an expected delivery before failing. Default 5,000 ms. */
  deliveryTimeoutMs?: number;
}

/**
 * The definition of the EventBus port: every adapter runs this suite unchanged. `create` returns a fresh
 * bus on each call; for an adapter with `capabilities.crossProcess`, instances returned by the same
 * `create` share one backend (and only with each other), standing in for two processes.
 *
 * A contract cannot prove that something never happens; the negative checks here lean on the port's own
 * ordering guarantee instead of sleeping: events from one publisher arrive in order, so once a later marker
 * event has arrived, an earlier event that was going to arrive would have.
 */
export const runEventBusContract = (name: string, create: () => Promise<EventBus>, options: EventBusContractOptions): void => {
  const timeout = options.deliveryTimeoutMs ?? 5_000;

  describe(`EventBus contract: ${name}`, () => {
    const opened: EventBus[] = [];
    const open = async (): Promise<EventBus> => {
      const bus = await create();
      opened.push(bus);
      return bus;
    };

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((bus) => bus.close()));
    });

    /** Subscribes and records what arrives. */
    const record = async (bus: EventBus, filter: EventFilter) => {
      const received: SteadEvent[] = [];
      const unsubscribe = await bus.subscribe(filter, (event) => {
        received.push(event);
      });
      return { received, unsubscribe, types: () => received.map((event) => event.type) };
    };

    const arrives = async (check: () => void): Promise<void> => {
      await vi.waitFor(check, { timeout, interval: 5 });
    };

    it('delivers to subscribers of the same workspace and never to another workspace', async () => {
      const bus = await open();
      const first = await record(bus, { workspaceId: 'ws-a' });
      const second = await record(bus, { workspaceId: 'ws-b' });

      await bus.publish({ type: 'for-b', workspaceId: 'ws-b', data: { n: 1 } });
      await bus.publish({ type: 'for-a', workspaceId: 'ws-a', data: { n: 2 } });
      await bus.publish({ type: 'for-b-marker', workspaceId: 'ws-b', data: null });

      await arrives(() => expect(first.types()).toEqual(['for-a']));
      await arrives(() => expect(second.types()).toEqual(['for-b', 'for-b-marker']));
      expect(first.received[0]).toMatchObject({ type: 'for-a', workspaceId: 'ws-a', data: { n: 2 } });
    });

    it('carries the permission an event needs (the stream filters on it), and none when none was given', async () => {
      const bus = await open();
      const subscriber = await record(bus, { workspaceId: 'ws-a' });
      await bus.publish({ type: 'gated', workspaceId: 'ws-a', data: null, permission: 'audit:read' });
      await bus.publish({ type: 'open', workspaceId: 'ws-a', data: null });
      await arrives(() => expect(subscriber.types()).toEqual(['gated', 'open']));
      expect(subscriber.received[0]!.permission).toBe('audit:read');
      expect('permission' in subscriber.received[1]!).toBe(false);
    });

    it('delivers instance events only to subscribers that include them', async () => {
      const bus = await open();
      const plain = await record(bus, { workspaceId: 'ws-a' });
      const including = await record(bus, { workspaceId: 'ws-a', includeInstance: true });
      const instanceOnly = await record(bus, { workspaceId: null });
      const otherWorkspace = await record(bus, { workspaceId: 'ws-b', includeInstance: true });

      await bus.publish({ type: 'instance-wide', workspaceId: null, data: {} });
      await bus.publish({ type: 'workspace-marker', workspaceId: 'ws-a', data: {} });
      await bus.publish({ type: 'other-marker', workspaceId: 'ws-b', data: {} });

      await arrives(() => expect(including.types()).toEqual(['instance-wide', 'workspace-marker']));
      await arrives(() => expect(plain.types()).toEqual(['workspace-marker']));
      await arrives(() => expect(otherWorkspace.types()).toEqual(['instance-wide', 'other-marker']));
      await bus.publish({ type: 'instance-marker', workspaceId: null, data: {} });
      await arrives(() => expect(instanceOnly.types()).toEqual(['instance-wide', 'instance-marker']));
    });

    it('preserves the order of one publisher, including publishes not awaited one by one', async () => {
      const bus = await open();
      const subscriber = await record(bus, { workspaceId: 'ws-a', includeInstance: true });
      const expected: string[] = [];
      const publishes: Promise<SteadEvent>[] = [];
      for (let index = 0; index < 100; index += 1) {
        // Every seventh event is instance-wide: order holds across both kinds for one subscriber.
        const workspaceId = index % 7 === 0 ? null : 'ws-a';
        expected.push(`event-${index}`);
        publishes.push(bus.publish({ type: `event-${index}`, workspaceId, data: { index } }));
      }
      await Promise.all(publishes);
      await arrives(() => expect(subscriber.received).toHaveLength(100));
      expect(subscriber.types()).toEqual(expected);
      expect(subscriber.received.map((event) => (event.data as { index: number }).index)).toEqual(expected.map((_, index) => index));
    });

    it('gives every subscriber every event', async () => {
      const bus = await open();
      const subscribers = await Promise.all([1, 2, 3].map(() => record(bus, { workspaceId: 'ws-a' })));
      for (let index = 0; index < 5; index += 1) await bus.publish({ type: `event-${index}`, workspaceId: 'ws-a', data: null });
      for (const subscriber of subscribers) {
        await arrives(() => expect(subscriber.types()).toEqual(['event-0', 'event-1', 'event-2', 'event-3', 'event-4']));
      }
    });

    it('stops delivery once unsubscribe resolves, and a second unsubscribe changes nothing', async () => {
      const bus = await open();
      const leaving = await record(bus, { workspaceId: 'ws-a', includeInstance: true });
      const staying = await record(bus, { workspaceId: 'ws-a', includeInstance: true });

      await bus.publish({ type: 'before', workspaceId: 'ws-a', data: null });
      await arrives(() => expect(leaving.types()).toEqual(['before']));
      await leaving.unsubscribe();
      await leaving.unsubscribe();

      await bus.publish({ type: 'after', workspaceId: 'ws-a', data: null });
      await bus.publish({ type: 'after-instance', workspaceId: null, data: null });
      await arrives(() => expect(staying.types()).toEqual(['before', 'after', 'after-instance']));
      expect(leaving.types()).toEqual(['before']);
    });

    it('never calls a listener after its unsubscribe resolved, even for events already in flight', async () => {
      const bus = await open();
      let unsubscribed = false;
      let lateCalls = 0;
      const unsubscribe = await bus.subscribe({ workspaceId: 'ws-a' }, () => {
        if (unsubscribed) lateCalls += 1;
      });
      const marker = await record(bus, { workspaceId: 'ws-a' });
      const inFlight = Array.from({ length: 20 }, (_, index) => bus.publish({ type: `in-flight-${index}`, workspaceId: 'ws-a', data: null }));
      await unsubscribe();
      unsubscribed = true;
      await Promise.all(inFlight);
      await bus.publish({ type: 'marker', workspaceId: 'ws-a', data: null });
      await arrives(() => expect(marker.types()).toContain('marker'));
      expect(lateCalls).toBe(0);
    });

    it('delivers again to a new subscriber after the last one left', async () => {
      const bus = await open();
      const first = await record(bus, { workspaceId: 'ws-a' });
      await first.unsubscribe();
      const second = await record(bus, { workspaceId: 'ws-a' });
      await bus.publish({ type: 'again', workspaceId: 'ws-a', data: null });
      await arrives(() => expect(second.types()).toEqual(['again']));
      expect(first.types()).toEqual([]);
    });

    it('resolves a publish nobody listens to', async () => {
      const bus = await open();
      await expect(bus.publish({ type: 'unheard', workspaceId: 'ws-nobody', data: { a: 1 } })).resolves.toMatchObject({ type: 'unheard' });
      await expect(bus.publish({ type: 'unheard', workspaceId: null, data: null })).resolves.toMatchObject({ workspaceId: null });
    });

    it('fills id and at, and keeps them when given', async () => {
      const bus = await open();
      const subscriber = await record(bus, { workspaceId: 'ws-a' });
      const before = Date.now();
      const filled = await bus.publish({ type: 'filled', workspaceId: 'ws-a', data: null });
      const other = await bus.publish({ type: 'filled', workspaceId: 'ws-a', data: null });
      expect(filled.id).toEqual(expect.any(String));
      expect(filled.id.length).toBeGreaterThan(0);
      expect(filled.id).not.toBe(other.id);
      expect(new Date(filled.at).toISOString()).toBe(filled.at);
      expect(Date.parse(filled.at)).toBeGreaterThanOrEqual(before - 1_000);

      const given = await bus.publish({ type: 'given', workspaceId: 'ws-a', data: null, id: 'evt-given', at: '2020-01-02T03:04:05.000Z' });
      expect(given).toMatchObject({ id: 'evt-given', at: '2020-01-02T03:04:05.000Z' });
      await arrives(() => expect(subscriber.received).toHaveLength(3));
      expect(subscriber.received[0]).toEqual(filled);
      expect(subscriber.received[2]).toEqual(given);
    });

    it('delivers data as JSON and rejects data JSON cannot carry', async () => {
      const bus = await open();
      const subscriber = await record(bus, { workspaceId: 'ws-a' });
      await bus.publish({ type: 'json', workspaceId: 'ws-a', data: { when: new Date('2024-05-06T07:08:09.000Z'), gone: undefined, list: [1, 'two', null] } });
      await bus.publish({ type: 'no-data', workspaceId: 'ws-a', data: undefined });
      await arrives(() => expect(subscriber.received).toHaveLength(2));
      expect(subscriber.received[0]!.data).toEqual({ when: '2024-05-06T07:08:09.000Z', list: [1, 'two', null] });
      expect(subscriber.received[1]!.data).toBeNull();

      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expect(bus.publish({ type: 'cyclic', workspaceId: 'ws-a', data: cyclic })).rejects.toThrow(/JSON/);
      await expect(bus.publish({ type: 'bigint', workspaceId: 'ws-a', data: { n: 1n } })).rejects.toThrow(/JSON/);
    });

    it('keeps a failing listener from affecting other listeners and the publisher', async () => {
      const bus = await open();
      await bus.subscribe({ workspaceId: 'ws-a' }, () => {
        throw new Error('listener bug');
      });
      // An async listener type-checks as `void`; its rejection must not become an unhandled rejection.
      await bus.subscribe({ workspaceId: 'ws-a' }, async () => {
        throw new Error('async listener bug');
      });
      const healthy = await record(bus, { workspaceId: 'ws-a' });
      await expect(bus.publish({ type: 'one', workspaceId: 'ws-a', data: null })).resolves.toBeDefined();
      await expect(bus.publish({ type: 'two', workspaceId: 'ws-a', data: null })).resolves.toBeDefined();
      await arrives(() => expect(healthy.types()).toEqual(['one', 'two']));
    });

    it('answers ping while open, and closes idempotently', async () => {
      const bus = await open();
      await record(bus, { workspaceId: 'ws-a' });
      await expect(bus.ping()).resolves.toBeUndefined();
      await bus.close();
      await expect(bus.close()).resolves.toBeUndefined();
      await expect(Promise.all([bus.close(), bus.close()])).resolves.toBeDefined();
      await expect(bus.publish({ type: 'late', workspaceId: 'ws-a', data: null })).rejects.toThrow();
      await expect(bus.subscribe({ workspaceId: 'ws-a' }, () => {})).rejects.toThrow();
    });

    it('declares the capabilities the suite was told to expect', async () => {
      expect((await open()).capabilities).toEqual(options.capabilities);
    });

    // Registered only for cross-process adapters, so a run that must not skip anything has nothing to skip.
    if (options.capabilities.crossProcess) it('delivers an event published on one instance to a subscriber on another', async () => {
      const publisher = await open();
      const listenerBus = await open();
      const remote = await record(listenerBus, { workspaceId: 'ws-a', includeInstance: true });
      const local = await record(publisher, { workspaceId: 'ws-a' });
      const elsewhere = await record(listenerBus, { workspaceId: 'ws-b' });

      await publisher.publish({ type: 'remote-1', workspaceId: 'ws-a', data: { from: 'publisher' }, permission: 'audit:read' });
      await publisher.publish({ type: 'remote-instance', workspaceId: null, data: null });
      await publisher.publish({ type: 'remote-2', workspaceId: 'ws-a', data: null });
      await publisher.publish({ type: 'elsewhere', workspaceId: 'ws-b', data: null });

      await arrives(() => expect(remote.types()).toEqual(['remote-1', 'remote-instance', 'remote-2']));
      await arrives(() => expect(local.types()).toEqual(['remote-1', 'remote-2']));
      await arrives(() => expect(elsewhere.types()).toEqual(['elsewhere']));
      expect(remote.received[0]!.data).toEqual({ from: 'publisher' });
      expect(remote.received[0]!.permission).toBe('audit:read');
    });
  });
};
