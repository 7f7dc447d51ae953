import type { QueryClient } from '@tanstack/react-query';
import type { Schedule } from '@/lib/api.ts';
import { scheduleKeys } from '@/features/schedules/schedules.queries.ts';

/** Puts a changed schedule into the cached list (where it is) and into its cached detail. */
export function cacheScheduleUpdate(queryClient: QueryClient, workspaceId: string, schedule: Schedule): void {
  queryClient.setQueryData<Schedule[]>(scheduleKeys.schedules(workspaceId), (list) =>
    list?.some((item) => item.id === schedule.id) ? list.map((item) => (item.id === schedule.id ? schedule : item)) : list ? [schedule, ...list] : list,
  );
  queryClient.setQueryData<{ schedule: Schedule }>(scheduleKeys.schedule(workspaceId, schedule.id), (detail) => (detail ? { schedule } : detail));
}

/** Drops a deleted schedule from the list and forgets its detail and fire history. */
export function cacheScheduleRemoval(queryClient: QueryClient, workspaceId: string, scheduleId: string): void {
  queryClient.setQueryData<Schedule[]>(scheduleKeys.schedules(workspaceId), (list) => list?.filter((item) => item.id !== scheduleId));
  queryClient.removeQueries({ queryKey: scheduleKeys.schedule(workspaceId, scheduleId) });
}
