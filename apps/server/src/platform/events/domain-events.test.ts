import { describe, expect, it } from 'vitest';
import { createIds } from '../clock/clock.ts';
import { createDomainEvents } from './domain-events.ts';
import type { EventBus, EventListener, SteadEvent } from './events.port.ts';
import { createMemoryEventBus } from './memory-events.adapter.ts';

type Event = { type: 'thing-change'; id: string } | { type: 'thing-remove'; id: string };

/** Two processes on one cross-process bus: a shared in-memory channel standing in for Redis. */
const sharedBus = () => {
  const listeners = new Set<EventListener>();
  const ids = createIds();
  const node = (): EventBus => ({
    capabilities: { crossProcess: true },
    async publish(input) {
      const event: SteadEvent = { id: input.id ?? ids.next(), type: input.type, workspaceId: input.workspaceId, at: new Date().toISOString(), data: JSON.parse(JSON.stringify(input.data)) };
      for (const listener of listeners) queueMicrotask(() => listener(event));
      return event;
    },
    async subscribe(_filter, listener) {
      listeners.add(listener);
      return async () => void listeners.delete(listener);
    },
    async ping() {},
    async close() {},
  });
  return node;
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('domain events', () => {
  it('runs handlers of the emitting process before emit resolves, and reports their failure to the emitter', async () => {
    const events = createDomainEvents<Event>({ bus: createMemoryEventBus(), ids: createIds(), channelType: 'domain-event', onError: () => {} });
    await events.listen();
    expect(events.listening).toBe(true);
    const seen: string[] = [];
    events.on(['thing-change'], (event) => void seen.push(`change ${event.id}`));
    events.on(['thing-remove'], async (event) => {
      await settle();
      seen.push(`remove ${event.id}`);
    });
    await events.emit({ type: 'thing-remove', id: 'a' });
    expect(seen).toEqual(['remove a']);
    events.on(['thing-change'], () => {
      throw new Error('handler failed');
    });
    await expect(events.emit({ type: 'thing-change', id: 'b' })).rejects.toThrow('handler failed');
    expect(seen).toEqual(['remove a', 'change b']);
    await settle();
    expect(seen).toEqual(['remove a', 'change b']); // a single-node bus never delivers them a second time
  });

  it('runs everyNode handlers on the other processes once, and plain handlers only where the event was emitted', async () => {
    const node = sharedBus();
    const [a, b] = [node(), node()].map((bus) => createDomainEvents<Event>({ bus, ids: createIds(), channelType: 'domain-event', onError: () => {} }));
    const seen: string[] = [];
    for (const [name, events] of [['a', a!], ['b', b!]] as const) {
      events.on(['thing-change', 'thing-remove'], (event) => void seen.push(`${name} cache ${event.type}`), { everyNode: true });
      events.on(['thing-remove'], () => void seen.push(`${name} effect`));
      await events.listen();
    }
    await a!.emit({ type: 'thing-remove', id: 'x' });
    await settle();
    expect(seen.sort()).toEqual(['a cache thing-remove', 'a effect', 'b cache thing-remove']);
    await b!.close();
    expect(b!.listening).toBe(false);
  });
});
