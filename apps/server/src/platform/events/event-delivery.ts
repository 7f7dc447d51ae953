import type { Clock, Ids } from '../clock/clock.ts';
import { SteadError } from '../errors/stead-error.ts';
import type { EventFilter, EventInput, EventListener, SteadEvent } from './events.port.ts';

/** Where an adapter reports what it swallowed so that it could keep delivering. */
export type EventBusErrorHandler = (error: unknown, context: { reason: 'listener_failed' | 'message_malformed' | 'connection_error'; channel?: string }) => void;

/**
 * Fills `id` and `at`. The returned event keeps the caller's `data`; every adapter serialises it, so a
 * payload the Redis adapter would refuse is refused on one node too.
 */
export const buildEvent = (input: EventInput, clock: Clock, ids: Ids): SteadEvent => ({
  id: input.id ?? ids.next(),
  type: input.type,
  workspaceId: input.workspaceId,
  at: input.at ?? clock.now().toISOString(),
  // JSON has no `undefined`; normalising here keeps what subscribers see identical on every adapter.
  data: input.data === undefined ? null : input.data,
  ...(input.permission === undefined ? {} : { permission: input.permission }),
});

/** The JSON text of an event; a payload JSON cannot represent (cycle, BigInt, top-level undefined) is rejected. */
export const serializeEvent = (event: SteadEvent): string => {
  let text: string;
  try {
    text = JSON.stringify(event);
  } catch (error) {
    // A programming error, not the caller's input: it surfaces as a logged 500.
    throw new TypeError(`Event "${event.type}": data is not JSON-serialisable`, { cause: error });
  }
  return text;
};

/**
 * Parses an event received from outside the process. Anything that does not look like a `SteadEvent` gives
 * `undefined`: a foreign or corrupt message must not reach listeners.
 */
export const parseEvent = (text: string): SteadEvent | undefined => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.id !== 'string' || typeof candidate.type !== 'string' || typeof candidate.at !== 'string') return undefined;
  if (candidate.workspaceId !== null && typeof candidate.workspaceId !== 'string') return undefined;
  if (!('data' in candidate)) return undefined;
  if (candidate.permission !== undefined && typeof candidate.permission !== 'string') return undefined;
  const event: SteadEvent = { id: candidate.id, type: candidate.type, workspaceId: candidate.workspaceId, at: candidate.at, data: candidate.data };
  if (typeof candidate.permission === 'string') event.permission = candidate.permission;
  return event;
};

/**
 * Whether a subscription receives an event. Adapters check this at delivery time even when their routing
 * (channels) already implies it, so a routing mistake can never leak one workspace's events to another.
 */
export const matchesFilter = (filter: EventFilter, event: SteadEvent): boolean =>
  event.workspaceId === filter.workspaceId || (event.workspaceId === null && filter.includeInstance === true);

/**
 * Calls a listener so that nothing it does reaches the caller: a throw is reported, and so is a rejected
 * promise (an `async` listener type-checks as `void`, and its rejection would otherwise crash the process).
 */
export const callListener = (listener: EventListener, event: SteadEvent, onError: EventBusErrorHandler, channel?: string): void => {
  const context = channel === undefined ? { reason: 'listener_failed' as const } : { reason: 'listener_failed' as const, channel };
  try {
    const result: unknown = listener(event);
    if (typeof result === 'object' && result !== null && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(undefined, (error: unknown) => reportSafely(onError, error, context));
    }
  } catch (error) {
    reportSafely(onError, error, context);
  }
};

// A faulty error handler must not turn a contained listener failure into a broken delivery loop.
const reportSafely = (onError: EventBusErrorHandler, error: unknown, context: Parameters<EventBusErrorHandler>[1]): void => {
  try {
    onError(error, context);
  } catch {
    // Nothing sensible is left to tell.
  }
};

export const closedError = (): SteadError => new SteadError('service_unavailable', 'The event bus is closed');

export const ignoreErrors: EventBusErrorHandler = () => {};
