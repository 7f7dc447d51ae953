import type { Ids } from '../clock/clock.ts';
import type { EventBus, SteadEvent, Unsubscribe } from './events.port.ts';

/** A domain event: what one feature announces so that others react, without calling or wrapping each other. */
export interface DomainEvent {
  /** Noun-then-verb (`member-remove`). */
  type: string;
}

/**
 * Every domain event of Stead by type, with its data. Each feature adds the events it emits in `<x>.events.ts`
 * by declaration merging (like `JobPayloads`), so emitters and handlers share one type:
 *
 * ```ts
 * declare module '../../platform/events/domain-events.ts' {
 *   interface DomainEventMap { 'key-revoke': { workspaceId: string; keyId: string } }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DomainEventMap {}
export type DomainEventType = keyof DomainEventMap & string;
/** The event of one type (or a union of types), with its `type`. */
export type DomainEventOf<TType extends DomainEventType> = { [K in TType]: { type: K } & DomainEventMap[K] }[TType];
export type SteadDomainEvent = DomainEventOf<DomainEventType>;
/** Emits a domain event; resolves once this process's handlers ran. */
export type EmitDomainEvent = (event: SteadDomainEvent) => Promise<void>;

export interface DomainEventHandlerOptions {
  /**
   * Also run on every other process sharing the event bus (Redis), for state each node keeps for itself (an
   * in-memory cache). Default `false`: the handler runs once, in the process that emitted the event.
   */
  everyNode?: boolean;
}

export interface DomainEvents<TEvent extends DomainEvent = SteadDomainEvent> {
  /** Handles events of the given types. Register handlers while composing, before the first `emit`. */
  on<TType extends TEvent['type']>(types: readonly TType[], handler: (event: Extract<TEvent, { type: TType }>) => void | Promise<void>, options?: DomainEventHandlerOptions): void;
  /**
   * Runs this process's handlers and waits for them (so their effect is done when `emit` resolves, and the
   * emitting node never serves a request on stale state), then publishes the event on the bus for the
   * `everyNode` handlers of other processes. A handler that throws makes `emit` reject after the others ran.
   */
  emit(event: TEvent): Promise<void>;
  /** Resolves once events of other processes are received (at once on a single-node bus). */
  listen(): Promise<void>;
  /** Whether events of other processes are being received: false before `listen` resolved and after `close`. */
  readonly listening: boolean;
  close(): Promise<void>;
}

export interface DomainEventsOptions {
  bus: EventBus;
  ids: Ids;
  /** The bus event type the domain events travel under, on the instance channel. */
  channelType: string;
  /** Receives failures of `everyNode` handlers run for another process's event (nobody else would see them). */
  onError: (error: unknown, context: { type: string }) => void;
}

interface Registration {
  types: ReadonlySet<string>;
  handler: (event: never) => void | Promise<void>;
  everyNode: boolean;
}

// Ids of events this process published, so their echo from the bus is not handled twice. Bounded: an echo that
// never comes (a lost message) must not grow the set forever.
const maximumPendingEchoes = 1_000;

/**
 * Domain events on top of the event bus. On a single node they never leave the process. In a cluster they
 * travel on the bus's instance channel (every node must hear every workspace's events; browsers never
 * subscribe to it), where delivery is at most once: `everyNode` handlers keep state that can be rebuilt (a
 * cache with its own expiry), never work that must not be lost, which belongs in the emitting process (plain
 * handlers) or the job queue.
 */
export const createDomainEvents = <TEvent extends DomainEvent = SteadDomainEvent>({ bus, ids, channelType, onError }: DomainEventsOptions): DomainEvents<TEvent> => {
  const registrations: Registration[] = [];
  const published = new Set<string>();
  let unsubscribe: Unsubscribe | undefined;
  let listening = false;
  let listenPromise: Promise<void> | undefined;
  let closed = false;

  const run = async (event: TEvent, remote: boolean): Promise<unknown[]> => {
    const failures: unknown[] = [];
    for (const registration of registrations) {
      if (!registration.types.has(event.type) || (remote && !registration.everyNode)) continue;
      try {
        await registration.handler(event as never);
      } catch (error) {
        failures.push(error);
      }
    }
    return failures;
  };

  const receive = (busEvent: SteadEvent): void => {
    if (busEvent.type !== channelType) return;
    if (published.delete(busEvent.id)) return;
    const event = busEvent.data as TEvent;
    if (typeof event !== 'object' || event === null || typeof event.type !== 'string') return;
    void run(event, true).then((failures) => {
      for (const failure of failures) onError(failure, { type: event.type });
    });
  };

  return {
    get listening() {
      return listening;
    },

    on(types, handler, options = {}) {
      registrations.push({ types: new Set(types), handler: handler as Registration['handler'], everyNode: options.everyNode === true });
    },

    async emit(event) {
      const failures = await run(event, false);
      if (bus.capabilities.crossProcess && !closed) {
        // The id is noted before publishing: the echo may arrive on the subscriber connection before the publish resolves.
        const id = ids.next();
        published.add(id);
        if (published.size > maximumPendingEchoes) published.delete(published.values().next().value!);
        await bus.publish({ id, type: channelType, workspaceId: null, data: event });
      }
      if (failures.length > 0) throw failures[0];
    },

    listen() {
      listenPromise ??= (async () => {
        if (bus.capabilities.crossProcess) unsubscribe = await bus.subscribe({ workspaceId: null }, receive);
        if (!closed) listening = true;
      })();
      return listenPromise;
    },

    async close() {
      closed = true;
      listening = false;
      await unsubscribe?.();
    },
  };
};
