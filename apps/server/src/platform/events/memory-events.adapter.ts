import { createIds, systemClock, type Clock, type Ids } from '../clock/clock.ts';
import { buildEvent, callListener, closedError, ignoreErrors, matchesFilter, serializeEvent, type EventBusErrorHandler } from './event-delivery.ts';
import type { EventBus, EventFilter, EventListener, SteadEvent } from './events.port.ts';

export interface MemoryEventBusOptions {
  /** Fills `at`. Default `systemClock`. */
  clock?: Clock;
  /** Fills `id`. Default `createIds(clock)`. */
  ids?: Ids;
  /** Receives listener failures, which are otherwise swallowed. Default: ignore (pass the logger in app.ts). */
  onError?: EventBusErrorHandler;
}

interface Subscription {
  filter: EventFilter;
  listener: EventListener;
  active: boolean;
}

/**
 * The single-node event bus: fan-out inside this process. Delivery happens on a microtask after `publish`
 * rather than inside it, as on Redis, so a listener never runs on the publisher's stack (a listener that
 * publishes cannot recurse, and code that accidentally relies on synchronous delivery fails here too).
 */
export const createMemoryEventBus = (options: MemoryEventBusOptions = {}): EventBus => {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIds(clock);
  const onError = options.onError ?? ignoreErrors;
  // Workspace subscribers by workspace id, and everyone who receives instance-wide events, so a publish
  // touches only the subscriptions it can reach.
  const byWorkspace = new Map<string, Set<Subscription>>();
  const instanceWide = new Set<Subscription>();
  let closed = false;

  const deliver = (event: SteadEvent): void => {
    if (closed) return;
    const targets = event.workspaceId === null ? instanceWide : byWorkspace.get(event.workspaceId);
    if (!targets) return;
    // A snapshot: a listener that subscribes or unsubscribes must not change who receives this event.
    for (const subscription of [...targets]) {
      // Checked per listener: an unsubscribe that resolved after this event was queued still stops it.
      if (subscription.active && matchesFilter(subscription.filter, event)) callListener(subscription.listener, event, onError);
    }
  };

  return {
    capabilities: { crossProcess: false },

    async publish(input) {
      if (closed) throw closedError();
      const event = buildEvent(input, clock, ids);
      // One JSON round trip per event gives subscribers the same shapes as Redis would, and a copy the
      // publisher cannot change after the fact.
      const delivered = JSON.parse(serializeEvent(event)) as SteadEvent;
      queueMicrotask(() => deliver(delivered));
      return event;
    },

    async subscribe(filter, listener) {
      if (closed) throw closedError();
      const subscription: Subscription = { filter: { ...filter }, listener, active: true };
      const { workspaceId } = filter;
      if (workspaceId === null || filter.includeInstance === true) instanceWide.add(subscription);
      if (workspaceId !== null) {
        let subscriptions = byWorkspace.get(workspaceId);
        if (!subscriptions) {
          subscriptions = new Set();
          byWorkspace.set(workspaceId, subscriptions);
        }
        subscriptions.add(subscription);
      }
      return async () => {
        if (!subscription.active) return;
        subscription.active = false;
        instanceWide.delete(subscription);
        if (workspaceId === null) return;
        const subscriptions = byWorkspace.get(workspaceId);
        subscriptions?.delete(subscription);
        if (subscriptions?.size === 0) byWorkspace.delete(workspaceId);
      };
    },

    async ping() {
      if (closed) throw closedError();
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const subscriptions of byWorkspace.values()) for (const subscription of subscriptions) subscription.active = false;
      for (const subscription of instanceWide) subscription.active = false;
      byWorkspace.clear();
      instanceWide.clear();
    },
  };
};
