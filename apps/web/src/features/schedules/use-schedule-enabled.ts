import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Schedule } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { cacheScheduleUpdate } from './schedule-cache.ts';
import { formatFromNow } from '@/features/schedules/schedules.ts';
import { toast } from '@/lib/toast.ts';

/** Turns a schedule on or off from wherever it is shown, and keeps every cached copy in step. */
export function useScheduleEnabledMutation(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ schedule, enabled }: { schedule: Schedule; enabled: boolean }) =>
      enabled ? api.enableSchedule(workspaceId, schedule.id) : api.disableSchedule(workspaceId, schedule.id),
    onSuccess: ({ schedule }) => {
      cacheScheduleUpdate(queryClient, workspaceId, schedule);
      if (!schedule.enabled) toast.success('Schedule disabled', `${schedule.name} does not fire until it is enabled again.`);
      else if (schedule.nextFireAt) toast.success('Schedule enabled', `${schedule.name} fires ${formatFromNow(schedule.nextFireAt, Date.now())}.`);
      else toast.success('Schedule enabled', `${schedule.name} has no time left to fire at.`);
    },
    onError: (error, { enabled }) => toast.error(enabled ? 'Could not enable the schedule' : 'Could not disable the schedule', errorMessage(error)),
  });
}
