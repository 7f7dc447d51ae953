import { LoaderCircleIcon } from 'lucide-react';
import { Badge } from '@/components/ui/badge.tsx';
import { taskProgressView, type TaskProgressView } from '@/features/tasks/tasks.ts';
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

const barTones = {
  active: '[&::-moz-progress-bar]:bg-primary [&::-webkit-progress-value]:bg-primary',
  failed: '[&::-moz-progress-bar]:bg-destructive [&::-webkit-progress-value]:bg-destructive',
  cancelled: '[&::-moz-progress-bar]:bg-muted-foreground [&::-webkit-progress-value]:bg-muted-foreground',
} as const satisfies Record<TaskProgressView['tone'], string>;

/**
 * Percent and message of a task while it works, or where it stopped once it failed or was cancelled; nothing
 * for a task without progress or one that succeeded. A native <progress> because the strict CSP forbids the
 * inline width a styled div would need; the pseudo-elements are styled with Tailwind instead.
 */
export function TaskProgress({ task, className }: { task: Pick<Task, 'state' | 'progress'>; className?: string }) {
  const view = taskProgressView(task);
  if (!view) return null;
  return (
    <div className={cn('grid min-w-0 gap-1', className)} data-progress-tone={view.tone}>
      <progress
        value={view.percent}
        max={100}
        aria-label={view.label}
        className={cn(
          'h-1.5 w-full min-w-16 appearance-none overflow-hidden rounded-full bg-muted [&::-webkit-progress-bar]:bg-muted [&::-webkit-progress-value]:rounded-full',
          barTones[view.tone],
        )}
      />
      <span className={cn('line-clamp-2 text-xs break-words', view.tone === 'failed' ? 'text-destructive' : 'text-muted-foreground')} title={view.label}>
        {view.label}
      </span>
    </div>
  );
}
