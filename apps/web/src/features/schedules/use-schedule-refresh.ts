import { useEffect, useRef } from 'react';
import { refreshDelayMs } from '@/features/schedules/schedules.ts';

/**
 * Calls `refresh` a moment after `nextFireAt`, so fires that start no task (skipped, failed) and fires seen
 * while the event stream is down still show up. `version` (the query's `dataUpdatedAt`) re-arms the timer
 * after each fetch, so a scheduler running a little late is caught on the next try.
 */
export function useRefreshWhenDue(nextFireAt: string | null | undefined, version: number, refresh: () => void): void {
  const callback = useRef(refresh);
  callback.current = refresh;
  useEffect(() => {
    const delay = refreshDelayMs(nextFireAt, Date.now());
    if (delay === null) return;
    const timer = window.setTimeout(() => callback.current(), delay);
    return () => window.clearTimeout(timer);
  }, [nextFireAt, version]);
}
