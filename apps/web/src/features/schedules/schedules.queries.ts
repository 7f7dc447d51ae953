import type { SchedulePreviewQuery } from '@/lib/api.ts';

/** Query keys of schedules. */
export const scheduleKeys = {
  schedules: (workspaceId: string) => ['workspaces', workspaceId, 'schedules'] as const,
  /** One schedule; its fire history sits under the same prefix, so invalidating this refreshes both. */
  schedule: (workspaceId: string, scheduleId: string) => ['workspaces', workspaceId, 'schedule', scheduleId] as const,
  scheduleFires: (workspaceId: string, scheduleId: string) => ['workspaces', workspaceId, 'schedule', scheduleId, 'fires'] as const,
  schedulePreview: (workspaceId: string, query: SchedulePreviewQuery) => ['workspaces', workspaceId, 'schedule-preview', query] as const,
};
