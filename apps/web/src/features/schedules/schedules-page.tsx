import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { PlusIcon } from 'lucide-react';
import { useState } from 'react';
import { PageHeader } from '@/components/page-header.tsx';
import { QueryTableCard } from '@/components/query-table-card.tsx';
import { ScheduleDialog } from '@/features/schedules/schedule-dialog.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Switch } from '@/components/ui/switch.tsx';
import { TableCell, TableHead, TableRow } from '@/components/ui/table.tsx';
import { api, type Schedule } from '@/lib/api.ts';
import { formatDateTime, formatRelative } from '@/lib/format.ts';
import { cacheScheduleUpdate } from '@/features/schedules/schedule-cache.ts';
import { describeTrigger, missedPolicyLabels } from '@/features/schedules/schedule-trigger.ts';
import { formatFromNow } from '@/features/schedules/schedules.ts';
import { toast } from '@/lib/toast.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { useScheduleEnabledMutation } from '@/features/schedules/use-schedule-enabled.ts';
import { useRefreshWhenDue } from '@/features/schedules/use-schedule-refresh.ts';
import { useNow, useTaskEvents } from '@/features/tasks/use-task-events.ts';
import { canManage } from '@/lib/workspace-store.ts';
import { scheduleKeys } from '@/features/schedules/schedules.queries.ts';

function NextFire({ schedule, now }: { schedule: Schedule; now: number }) {
  if (!schedule.enabled) return <span className="text-muted-foreground">Disabled</span>;
  if (!schedule.nextFireAt) return <span className="text-muted-foreground">{schedule.trigger.type === 'once' ? 'Done' : '—'}</span>;
  return (
    <time dateTime={schedule.nextFireAt} title={formatDateTime(schedule.nextFireAt)} className="whitespace-nowrap">
      {formatFromNow(schedule.nextFireAt, now)}
    </time>
  );
}

function ScheduleRow({ schedule, workspaceId, now, manage }: { schedule: Schedule; workspaceId: string; now: number; manage: boolean }) {
  const toggle = useScheduleEnabledMutation(workspaceId);
  const words = describeTrigger(schedule.trigger);
  return (
    <TableRow>
      <TableCell className="max-w-48 sm:max-w-72">
        <Link
          to="/w/$workspaceId/schedules/$scheduleId"
          params={{ workspaceId, scheduleId: schedule.id }}
          className="font-medium break-words underline-offset-4 hover:underline"
        >
          {schedule.name}
        </Link>
        <div className="truncate font-mono text-xs text-muted-foreground">{schedule.kind}</div>
        <div className="text-xs break-words text-muted-foreground md:hidden">{words}</div>
      </TableCell>
      <TableCell className="hidden min-w-48 md:table-cell">{words}</TableCell>
      <TableCell>
        <NextFire schedule={schedule} now={now} />
      </TableCell>
      <TableCell className="hidden whitespace-nowrap text-muted-foreground lg:table-cell" title={formatDateTime(schedule.lastFiredAt)}>
        {formatRelative(schedule.lastFiredAt, now)}
      </TableCell>
      <TableCell className="hidden whitespace-nowrap text-muted-foreground lg:table-cell">{missedPolicyLabels[schedule.missedPolicy]}</TableCell>
      <TableCell className="text-right">
        {manage ? (
          <Switch
            checked={schedule.enabled}
            disabled={toggle.isPending}
            aria-label={`${schedule.name} enabled`}
            onCheckedChange={(enabled) => toggle.mutate({ schedule, enabled })}
          />
        ) : (
          <Badge variant={schedule.enabled ? 'success' : 'secondary'}>{schedule.enabled ? 'Enabled' : 'Disabled'}</Badge>
        )}
      </TableCell>
    </TableRow>
  );
}

export function SchedulesPage() {
  const workspace = useCurrentWorkspace();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [createOpen, setCreateOpen] = useState(false);
  const manage = canManage(workspace.role);

  const list = useQuery({
    queryKey: scheduleKeys.schedules(workspace.id),
    queryFn: async () => (await api.listSchedules(workspace.id)).schedules,
    staleTime: 0,
    // Fires that start no task send no event: a slow poll keeps "last fired" honest anyway.
    refetchInterval: 60_000,
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: scheduleKeys.schedules(workspace.id) });

  // A task started by a schedule means that schedule has just fired: its last and next fire moved.
  useTaskEvents(workspace.id, {
    onUpdate: (task) => {
      if (task.origin.type === 'schedule' && task.state === 'queued' && task.attempts === 0) refresh();
    },
    onLive: refresh,
  });

  const schedules = list.data ?? [];
  const due = schedules
    .map((schedule) => (schedule.enabled ? schedule.nextFireAt : null))
    .filter((time): time is string => time !== null)
    .sort()[0];
  useRefreshWhenDue(due, list.dataUpdatedAt, refresh);
  const now = useNow(schedules.some((schedule) => schedule.enabled && schedule.nextFireAt !== null));

  return (
    <>
      <PageHeader
        title="Schedules"
        description={`Tasks that ${workspace.name} runs by itself: on a cron expression, at a fixed interval or once.`}
        actions={
          manage ? (
            <Button onClick={() => setCreateOpen(true)}>
              <PlusIcon aria-hidden />
              New schedule
            </Button>
          ) : null
        }
      />
      <QueryTableCard
        query={list}
        empty={
          <>
            No schedules yet. A schedule starts a task by itself: on a cron expression read in a time zone (every weekday at
            09:30 in Europe/Berlin), at a fixed interval (every 5 minutes) or once at a set time. Every fire is recorded with a
            link to the task it started, and after downtime the schedule either skips what it missed or runs once.
            {manage ? ' Create one with New schedule.' : ' Admins and owners of this workspace create them.'}
          </>
        }
        columns={
          <>
            <TableHead>Name</TableHead>
            <TableHead className="hidden md:table-cell">Trigger</TableHead>
            <TableHead>Next fire</TableHead>
            <TableHead className="hidden lg:table-cell">Last fired</TableHead>
            <TableHead className="hidden lg:table-cell">After downtime</TableHead>
            <TableHead className="text-right">{manage ? 'Enabled' : 'State'}</TableHead>
          </>
        }
        row={(schedule) => <ScheduleRow key={schedule.id} schedule={schedule} workspaceId={workspace.id} now={now} manage={manage} />}
      />
      {manage ? (
        <ScheduleDialog
          workspaceId={workspace.id}
          open={createOpen}
          onOpenChange={setCreateOpen}
          onSaved={(schedule) => {
            cacheScheduleUpdate(queryClient, workspace.id, schedule);
            toast.success('Schedule created', schedule.nextFireAt ? `${schedule.name} fires ${formatFromNow(schedule.nextFireAt, Date.now())}.` : schedule.name);
            void navigate({ to: '/w/$workspaceId/schedules/$scheduleId', params: { workspaceId: workspace.id, scheduleId: schedule.id } });
          }}
        />
      ) : null}
    </>
  );
}
