import { useQuery } from '@tanstack/react-query';
import { ServerCrashIcon } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { api } from '@/lib/api.ts';
import { formatDuration } from '@/lib/format.ts';
import { useAnyEventStreamOpen } from '@/lib/event-stream-presence.ts';
import { deriveConnectionStatus, nextHealthPoll, type ConnectionStatus } from '@/lib/health.ts';
import { queryKeys } from '@/lib/queries.ts';
import { cn } from '@/lib/utils.ts';

/**
 * Polls GET /api/health every 30 s (every 5 s while unreachable), and not at all while an event stream is open.
 * Shared by the indicator and the banner.
 */
export function useConnectionStatus(): ConnectionStatus & { uptime: number | null } {
  const streamOpen = useAnyEventStreamOpen();
  const query = useQuery({
    queryKey: queryKeys.health,
    queryFn: () => api.health(),
    retry: false,
    staleTime: 0,
    refetchIntervalInBackground: false,
    refetchInterval: (current) =>
      nextHealthPoll(
        deriveConnectionStatus({
          data: current.state.data,
          error: current.state.error,
          dataUpdatedAt: current.state.dataUpdatedAt,
          errorUpdatedAt: current.state.errorUpdatedAt,
        }).state,
        streamOpen,
      ),
  });
  // A stream that just dropped may mean the server went away: check now rather than at the next interval.
  const { refetch } = query;
  const streamWasOpen = useRef(streamOpen);
  useEffect(() => {
    if (streamWasOpen.current && !streamOpen) void refetch();
    streamWasOpen.current = streamOpen;
  }, [streamOpen, refetch]);
  const status = deriveConnectionStatus({
    data: query.data,
    error: query.error,
    dataUpdatedAt: query.dataUpdatedAt,
    errorUpdatedAt: query.errorUpdatedAt,
  });
  return { ...status, uptime: query.data?.uptime ?? null };
}

export function ConnectionIndicator({ className }: { className?: string }) {
  const status = useConnectionStatus();
  const title =
    status.state === 'online' && status.version
      ? `Connected to Stead ${status.version}${status.uptime === null ? '' : `, up ${formatDuration(status.uptime)}`}`
      : status.label;
  return (
    <span role="status" title={title} className={cn('inline-flex items-center gap-2 text-xs text-muted-foreground', className)}>
      <span
        aria-hidden
        className={cn(
          'size-2.5 rounded-full',
          status.state === 'online' && 'bg-success',
          status.state === 'degraded' && 'bg-warning',
          status.state === 'offline' && 'bg-destructive',
          status.state === 'checking' && 'animate-pulse bg-muted-foreground',
        )}
      />
      <span className="sr-only sm:not-sr-only">{status.label}</span>
    </span>
  );
}

export function ConnectionBanner() {
  const status = useConnectionStatus();
  if (status.state !== 'offline') return null;
  return (
    <div role="alert" className="border-b border-destructive/40 bg-destructive/10 px-4 py-3 text-sm">
      <div className="mx-auto flex max-w-5xl items-start gap-3">
        <ServerCrashIcon aria-hidden className="mt-0.5 size-5 shrink-0 text-destructive" />
        <div>
          <p className="font-medium">The Stead server cannot be reached.</p>
          <p className="text-muted-foreground">
            Start it with <code className="rounded bg-muted px-1 py-0.5">npm start</code> in the Stead folder, or{' '}
            <code className="rounded bg-muted px-1 py-0.5">npx stead start</code>. Retrying every few seconds…
          </p>
        </div>
      </div>
    </div>
  );
}
