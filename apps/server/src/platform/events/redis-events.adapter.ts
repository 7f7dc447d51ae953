import { Redis } from 'ioredis';
import { createIds, systemClock, type Clock, type Ids } from '../clock/clock.ts';
import { SteadError } from '../errors/stead-error.ts';
import {
  buildEvent,
  callListener,
  closedError,
  ignoreErrors,
  matchesFilter,
  parseEvent,
  serializeEvent,
  type EventBusErrorHandler,
} from './event-delivery.ts';
import type { EventBus, EventFilter, EventListener } from './events.port.ts';
import { closeRedisConnection } from '../redis/close-redis-connection.ts';

export interface RedisEventBusOptions {
  /** `redis://` or `rediss://` URL. Required unless `client` is given. */
  url?: string;
  /**
   * Prefix of every channel: `<prefix><workspaceId>` and `<prefix>instance`. Default `'stead:events:'`.
   * Installations sharing one Redis, and parallel test runs, use distinct prefixes.
   */
  channelPrefix?: string;
  /** Fills `at`. Default `systemClock`. */
  clock?: Clock;
  /** Fills `id`. Default `createIds(clock)`. */
  ids?: Ids;
  /**
   * An existing connection to publish on (for example with custom TLS or retry settings). The subscriber
   * connection is its `duplicate()`. The caller keeps ownership: `close` quits the duplicate, not the client.
   */
  client?: Redis;
  /** Receives listener failures, malformed messages and connection errors. Default: ignore (pass the logger in app.ts). */
  onError?: EventBusErrorHandler;
}

interface Subscription {
  filter: EventFilter;
  listener: EventListener;
  active: boolean;
}

interface ChannelState {
  subscriptions: Set<Subscription>;
  /** Settles when Redis confirmed SUBSCRIBE; later joiners of the channel wait on the same confirmation. */
  ready: Promise<void>;
}

const unavailable = (action: string, cause: unknown): SteadError =>
  new SteadError('service_unavailable', `Event bus (Redis): ${action} failed`, { cause });

/**
 * The cluster event bus on Redis pub/sub: one connection publishes, one listens (a connection in subscriber
 * mode cannot publish). Each workspace has its own channel, so a node receives only the workspaces its
 * subscribers watch; SUBSCRIBE is sent for the first local subscriber of a channel and UNSUBSCRIBE after the
 * last one leaves. After a reconnect ioredis subscribes again; events published meanwhile are lost, which
 * the port allows (at most once, no replay).
 */
export const createRedisEventBus = (options: RedisEventBusOptions): EventBus => {
  if (!options.client && !options.url) throw new SteadError('config_invalid', 'Event bus (Redis): a url or a client is required');
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIds(clock);
  const onError = options.onError ?? ignoreErrors;
  const prefix = options.channelPrefix ?? 'stead:events:';
  const ownsPublisher = options.client === undefined;
  // Named connections make `CLIENT LIST` readable when someone debugs a cluster.
  const publisher = options.client ?? new Redis(options.url!, { connectionName: 'stead-events-publish' });
  const subscriber = options.client ? options.client.duplicate({ connectionName: 'stead-events-subscribe' }) : new Redis(options.url!, { connectionName: 'stead-events-subscribe' });
  // Without a listener ioredis prints every connection error to stderr; route them to the caller instead.
  const reportConnectionError = (error: unknown): void => onError(error, { reason: 'connection_error' });
  if (ownsPublisher) publisher.on('error', reportConnectionError);
  subscriber.on('error', reportConnectionError);

  const channels = new Map<string, ChannelState>();
  let closing: Promise<void> | undefined;

  const channelOf = (workspaceId: string | null): string => (workspaceId === null ? `${prefix}instance` : `${prefix}${workspaceId}`);

  subscriber.on('message', (channel: string, text: string) => {
    const state = channels.get(channel);
    if (!state) return;
    const event = parseEvent(text);
    if (!event) {
      // The payload is not echoed: a foreign message on our channel could carry anything.
      onError(new Error(`Ignored a malformed event message (${text.length} characters)`), { reason: 'message_malformed', channel });
      return;
    }
    for (const subscription of [...state.subscriptions]) {
      // Channel routing already implies the filter; checking again means a workspace id that collides with a
      // channel name (`instance`) or a hand-published message still cannot cross workspaces.
      if (subscription.active && matchesFilter(subscription.filter, event)) callListener(subscription.listener, event, onError, channel);
    }
  });

  const join = (channel: string, subscription: Subscription): Promise<void> => {
    let state = channels.get(channel);
    if (!state) {
      const created: ChannelState = {
        subscriptions: new Set(),
        ready: subscriber.subscribe(channel).then(
          () => undefined,
          (error: unknown) => {
            // Forget the channel so the next subscriber tries SUBSCRIBE again instead of waiting on this failure.
            if (channels.get(channel) === created) channels.delete(channel);
            throw unavailable('subscribe', error);
          },
        ),
      };
      state = created;
      channels.set(channel, state);
    }
    state.subscriptions.add(subscription);
    return state.ready;
  };

  const leave = async (channel: string, subscription: Subscription): Promise<void> => {
    const state = channels.get(channel);
    if (!state || !state.subscriptions.delete(subscription) || state.subscriptions.size > 0) return;
    channels.delete(channel);
    // Redis runs commands of one connection in order, so a SUBSCRIBE sent after this UNSUBSCRIBE wins.
    try {
      await subscriber.unsubscribe(channel);
    } catch (error) {
      // Unsubscribing is cleanup: a caller closing a stream cannot act on it. Messages still arriving on the
      // channel find no state and are dropped.
      onError(error, { reason: 'connection_error', channel });
    }
  };

  const channelsFor = (filter: EventFilter): string[] => {
    if (filter.workspaceId === null) return [channelOf(null)];
    return filter.includeInstance === true ? [channelOf(filter.workspaceId), channelOf(null)] : [channelOf(filter.workspaceId)];
  };

  return {
    capabilities: { crossProcess: true },

    async publish(input) {
      if (closing) throw closedError();
      const event = buildEvent(input, clock, ids);
      const text = serializeEvent(event);
      try {
        await publisher.publish(channelOf(event.workspaceId), text);
      } catch (error) {
        throw unavailable('publish', error);
      }
      return event;
    },

    async subscribe(filter, listener) {
      if (closing) throw closedError();
      const subscription: Subscription = { filter: { ...filter }, listener, active: true };
      const subscribed = channelsFor(filter);
      const unsubscribe = async (): Promise<void> => {
        if (!subscription.active) return;
        subscription.active = false;
        await Promise.all(subscribed.map((channel) => leave(channel, subscription)));
      };
      try {
        await Promise.all(subscribed.map((channel) => join(channel, subscription)));
      } catch (error) {
        await unsubscribe();
        throw error;
      }
      return unsubscribe;
    },

    async ping() {
      if (closing) throw closedError();
      try {
        // Both: a dead subscriber connection means browsers silently stop receiving events.
        await Promise.all([publisher.ping(), subscriber.ping()]);
      } catch (error) {
        throw unavailable('ping', error);
      }
    },

    close() {
      closing ??= (async () => {
        for (const state of channels.values()) for (const subscription of state.subscriptions) subscription.active = false;
        channels.clear();
        await Promise.all([closeRedisConnection(subscriber), ownsPublisher ? closeRedisConnection(publisher) : undefined]);
      })();
      return closing;
    },
  };
};

