import { useSyncExternalStore } from 'react';

/**
 * Whether any server-sent event stream of this tab is open right now. An open stream proves the server is up
 * (it would drop otherwise), so the connection indicator stops polling `/api/health` meanwhile.
 */
export interface EventStreamPresence {
  /** Call when a stream opened; returns the call for when it closed or failed (safe to call more than once). */
  opened(): () => void;
  isAnyOpen(): boolean;
  subscribe(listener: () => void): () => void;
}

export function createEventStreamPresence(): EventStreamPresence {
  let open = 0;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  return {
    opened() {
      open += 1;
      notify();
      let closed = false;
      return () => {
        if (closed) return;
        closed = true;
        open -= 1;
        notify();
      };
    },
    isAnyOpen: () => open > 0,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The tab's one presence, fed by `useEventStream`. */
export const eventStreamPresence = createEventStreamPresence();

export function useAnyEventStreamOpen(): boolean {
  return useSyncExternalStore(eventStreamPresence.subscribe, eventStreamPresence.isAnyOpen, () => false);
}
