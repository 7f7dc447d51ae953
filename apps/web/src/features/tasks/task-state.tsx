import { LoaderCircleIcon } from 'lucide-react';
import { Badge } from '@/components/ui/badge.tsx';
import type { Task, TaskState } from '@/lib/api.ts';
import { cn } from '@/lib/utils.ts';

const variants = {
  queued: 'outline',
  running: 'default',
  retrying: 'warning',
  succeeded: 'success',
  failed: 'destructive',
  cancelled: 'secondary',
} as const satisfies Record<TaskState, string>;

export function TaskStateBadge({ state, className }: { state: TaskState; className?: string }) {
  return (
    <Badge variant={variants[state]} className={className}>
      {state === 'running' ? <LoaderCircleIcon aria-hidden className="size-3 animate-spin" /> : null}
      {state}
    </Badge>
  );
}

/**
 * Percent and message of a task. A native <progress> because the strict CSP forbids the inline width a
 * styled div would need; the pseudo-elements are styled with Tailwind instead.
 */
export function TaskProgress({ progress, className }: { progress: NonNullable<Task['progress']>; className?: string }) {
  const percent = Math.round(progress.percent);
  return (
    <div className={cn('grid min-w-0 gap-1', className)}>
      <progress
        value={percent}
        max={100}
        aria-label={progress.message ? `${percent}%: ${progress.message}` : `${percent}%`}
        className="h-1.5 w-full min-w-16 appearance-none overflow-hidden rounded-full bg-muted [&::-moz-progress-bar]:bg-primary [&::-webkit-progress-bar]:bg-muted [&::-webkit-progress-value]:rounded-full [&::-webkit-progress-value]:bg-primary"
      />
      <span className="line-clamp-2 text-xs break-words text-muted-foreground" title={progress.message ?? undefined}>
        {percent}%{progress.message ? ` · ${progress.message}` : ''}
      </span>
    </div>
  );
}
