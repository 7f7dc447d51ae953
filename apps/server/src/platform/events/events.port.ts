/**
 * A published event, as subscribers receive it. `data` travels as JSON: subscribers get what
 * `JSON.parse(JSON.stringify(data))` gives (a `Date` arrives as a string, `undefined` fields disappear) on
 * every adapter, so code that works on one node keeps working on a cluster.
 */
export interface SteadEvent<TData = unknown> {
  /** Unique id (from `Ids`), filled by `publish` unless given. */
  id: string;
  /** What happened, noun-then-verb (`run-start`, `monitor-down`). */
  type: string;
  /** The workspace the event belongs to; `null` for instance-wide events (maintenance, settings). */
  workspaceId: string | null;
  /** ISO 8601 time of publication (from `Clock`), filled by `publish` unless given. */
  at: string;
  data: TData;
  /**
   * The workspace permission a subscriber's role must grant to receive the event, beyond reading the stream
   * (`audit:read` for audit events); absent: every member of the workspace.
   */
  permission?: string;
}

/** What `publish` accepts: an event whose `id` and `at` the bus fills when absent. */
export interface EventInput {
  type: string;
  workspaceId: string | null;
  /** Must be JSON-serialisable; `publish` rejects otherwise (a `BigInt` or a cycle). */
  data: unknown;
  id?: string;
  at?: string;
  permission?: string;
}

/**
 * Which events a subscription receives: those of `workspaceId`, plus instance-wide ones (`workspaceId: null`)
 * when `includeInstance` is set. `workspaceId: null` subscribes to instance-wide events only.
 */
export interface EventFilter {
  workspaceId: string | null;
  /** Also deliver instance-wide events. Default `false`. */
  includeInstance?: boolean;
}

/**
 * Called once per delivered event. It must not throw and must not mutate the event (all listeners of one
 * process may share the object); a thrown error or a rejected promise is caught and reported through the
 * adapter's `onError` and never reaches other listeners or the publisher.
 */
export type EventListener = (event: SteadEvent) => void;

/** Ends a subscription. Idempotent; once it resolves, the listener is not called again. */
export type Unsubscribe = () => Promise<void>;

/** What an adapter can do beyond the contract. Callers branch on these rather than on the adapter. */
export interface EventBusCapabilities {
  /** An event published in one process reaches subscribers in other processes sharing the backend. */
  crossProcess: boolean;
}

/**
 * The event bus port: live fan-out of events to subscribers, scoped by workspace. It feeds server-sent
 * events to browsers and wakes up waiting work; it is a notification channel, not a record.
 *
 * Guaranteed (and checked by `events.contract.ts`, which defines the port):
 * - a subscriber receives only events of its workspace, plus instance-wide events when it asked for them;
 * - events published through one bus instance reach each subscriber in the order `publish` was called,
 *   including publishes that were not awaited one by one;
 * - every matching subscriber receives every event published after its `subscribe` resolved, while the
 *   backend stays reachable.
 *
 * Deliberately not in the contract:
 * - persistence or replay: an event published while nobody listens, or while a subscriber is disconnected,
 *   is gone. Anything that must not be lost goes through the job queue or the database; a reconnecting
 *   browser reloads state, then follows events again;
 * - delivery is at most once: a backend outage drops events silently (and duplicates never happen);
 * - no ordering across publishers (two processes, or two bus instances in one process);
 * - no acknowledgements or back-pressure: listeners are called synchronously and must hand slow work off;
 * - no filtering by `type`: subscribers filter themselves (the fan-out unit is the workspace).
 */
export interface EventBus {
  readonly capabilities: EventBusCapabilities;
  /** Resolves to the event as published (with `id` and `at` filled) once the backend accepted it. */
  publish(event: EventInput): Promise<SteadEvent>;
  /**
   * Delivers events of one workspace (and, when `includeInstance`, events with `workspaceId` null) in
   * publish order per publisher. Resolves once the subscription is live: an event published after that
   * reaches the listener.
   */
  subscribe(filter: EventFilter, listener: EventListener): Promise<Unsubscribe>;
  /** Resolves when the backend answers; rejects otherwise (readiness checks). */
  ping(): Promise<void>;
  /** Drops every subscription and releases connections. Idempotent; `publish` and `subscribe` reject afterwards. */
  close(): Promise<void>;
}
