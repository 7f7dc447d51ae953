import { RadioIcon } from 'lucide-react';
import type { StreamState } from '@/lib/use-event-stream.ts';
import { cn } from '@/lib/utils.ts';

/** Whether a page's live updates are flowing, beside what they update. */
export function LiveStatus({ state, className }: { state: StreamState; className?: string }) {
  return (
    <span className={cn('inline-flex items-center gap-1', className)} role="status">
      <RadioIcon aria-hidden className={state === 'live' ? 'size-3.5 text-success' : 'size-3.5'} />
      {state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting to live updates…' : 'Live updates off'}
    </span>
  );
}
