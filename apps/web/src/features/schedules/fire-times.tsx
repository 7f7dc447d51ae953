import { formatFromNow, formatFireTime } from '@/features/schedules/schedules.ts';
import { cn } from '@/lib/utils.ts';

/**
 * Upcoming fire times: in the reader's zone with the time until each, and in the schedule's zone as well
 * when that is another one.
 */
export function FireTimeList({ times, scheduleZone, now, className }: { times: readonly string[]; scheduleZone?: string; now: number; className?: string }) {
  return (
    <ol aria-label="Next fire times" className={cn('grid gap-1.5 text-sm', className)}>
      {times.map((time, index) => {
        const { local, inZone } = formatFireTime(time, { scheduleZone });
        return (
          <li key={time} className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
            <span className="w-4 shrink-0 text-right text-xs text-muted-foreground tabular-nums">{index + 1}</span>
            <time dateTime={time} className="tabular-nums">
              {local}
            </time>
            <span className="text-xs text-muted-foreground">
              {formatFromNow(time, now)}
              {inZone ? ` · ${inZone}` : ''}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
