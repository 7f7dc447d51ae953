import { useEffect, useRef, useState } from 'react';
import { eventStreamPresence } from './event-stream-presence.ts';

export type StreamState = 'connecting' | 'live' | 'offline';

/**
 * Subscribes to server-sent events and calls `onEvent` for each event of the given names.
 * EventSource reconnects by itself; the state only reflects whether it is currently open.
 */
export function useEventStream(url: string | null, eventNames: readonly string[], onEvent: (name: string, data: unknown) => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const names = eventNames.join(',');

  useEffect(() => {
    if (!url || typeof EventSource === 'undefined') return;
    setState('connecting');
    const source = new EventSource(url, { withCredentials: true });
    // While open, the connection indicator need not poll the server's health (see event-stream-presence.ts).
    let closed = () => {};
    source.onopen = () => {
      closed();
      closed = eventStreamPresence.opened();
      setState('live');
    };
    source.onerror = () => {
      closed();
      setState(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    };
    const listeners = names.split(',').map((name) => {
      const listener = (event: MessageEvent<string>) => {
        let data: unknown = event.data;
        try {
          data = JSON.parse(event.data);
        } catch {
          // Keep the raw text.
        }
        handler.current(name, data);
      };
      source.addEventListener(name, listener);
      return [name, listener] as const;
    });
    return () => {
      for (const [name, listener] of listeners) source.removeEventListener(name, listener);
      source.close();
      closed();
    };
  }, [url, names]);

  return url ? state : 'offline';
}
