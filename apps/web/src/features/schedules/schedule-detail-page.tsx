import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { PauseIcon, PencilIcon, PlayIcon, Trash2Icon } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog.tsx';
import { Facts, JsonBlock, SectionCard } from '@/components/detail-blocks.tsx';
import { FireTimeList } from '@/features/schedules/fire-times.tsx';
import { BackLink } from '@/components/back-link.tsx';
import { DetailPage } from '@/components/detail-page.tsx';
import { LiveStatus } from '@/components/live-status.tsx';
import { ColumnHeads, LoadMore, QueryTableCard } from '@/components/query-table-card.tsx';
import { ScheduleDialog } from '@/features/schedules/schedule-dialog.tsx';
import { TaskStateBadge } from '@/features/tasks/task-state.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent } from '@/components/ui/card.tsx';
import { TableCell, TableHead, TableRow } from '@/components/ui/table.tsx';
import { api, type Schedule, type ScheduleFire, type Task, type TaskState } from '@/lib/api.ts';
import { formatRelative } from '@/lib/format.ts';
import { cacheScheduleRemoval, cacheScheduleUpdate } from '@/features/schedules/schedule-cache.ts';
import { describeTrigger, missedPolicyExplanations, missedPolicyLabels } from '@/features/schedules/schedule-trigger.ts';
import { fireOutcomeVariants, formatFromNow } from '@/features/schedules/schedules.ts';
import { cacheTaskUpdate, taskListKey } from '@/features/tasks/task-cache.ts';
import { formatElapsed, taskElapsedMs } from '@/features/tasks/tasks.ts';
import { toast } from '@/lib/toast.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { useScheduleEnabledMutation } from '@/features/schedules/use-schedule-enabled.ts';
import { useRefreshWhenDue } from '@/features/schedules/use-schedule-refresh.ts';
import { useNow, useTaskEvents } from '@/features/tasks/use-task-events.ts';
import { canManage } from '@/lib/workspace-store.ts';
import type { StreamState } from '@/lib/use-event-stream.ts';
import { scheduleKeys } from '@/features/schedules/schedules.queries.ts';

const routeApi = getRouteApi('/_app/w/$workspaceId/schedules/$scheduleId');
const FIRES_PAGE_SIZE = 20;
const TASKS_PAGE_SIZE = 10;

// Fires seconds apart must not look simultaneous: times here show seconds.
const preciseFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
function formatPrecise(iso: string | null, fallback = '—'): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? fallback : preciseFormat.format(date);
}


function TaskLink({ workspaceId, taskId, children }: { workspaceId: string; taskId: string; children: ReactNode }) {
  return (
    <Link to="/w/$workspaceId/tasks/$taskId" params={{ workspaceId, taskId }} className="font-medium underline-offset-4 hover:underline">
      {children}
    </Link>
  );
}

function FireRow({ fire, workspaceId, state }: { fire: ScheduleFire; workspaceId: string; state: TaskState | undefined }) {
  return (
    <TableRow>
      <TableCell className="tabular-nums sm:whitespace-nowrap">
        <time dateTime={fire.fireAt}>{formatPrecise(fire.fireAt)}</time>
        {/* Phones have no room for the outcome column: the badge sits under the time. */}
        <div className="mt-1 sm:hidden">
          <Badge variant={fireOutcomeVariants[fire.outcome]}>{fire.outcome}</Badge>
        </div>
      </TableCell>
      <TableCell className="hidden sm:table-cell">
        <Badge variant={fireOutcomeVariants[fire.outcome]}>{fire.outcome}</Badge>
      </TableCell>
      <TableCell className="min-w-32">
        {fire.taskId ? (
          <span className="inline-flex flex-wrap items-center gap-2">
            <TaskLink workspaceId={workspaceId} taskId={fire.taskId}>
              View task
            </TaskLink>
            {state ? <TaskStateBadge state={state} /> : null}
          </span>
        ) : (
          <span className="text-xs break-words text-muted-foreground">{fire.error ?? '—'}</span>
        )}
      </TableCell>
      <TableCell className="hidden whitespace-nowrap text-muted-foreground tabular-nums md:table-cell" title={formatPrecise(fire.firedAt)}>
        {Date.parse(fire.firedAt) - Date.parse(fire.fireAt) >= 1_000 ? `${formatElapsed(Date.parse(fire.firedAt) - Date.parse(fire.fireAt))} late` : 'on time'}
      </TableCell>
    </TableRow>
  );
}

function ScheduledTaskRow({ task, workspaceId, now }: { task: Task; workspaceId: string; now: number }) {
  return (
    <TableRow>
      <TableCell>
        <TaskLink workspaceId={workspaceId} taskId={task.id}>
          {task.kind}
        </TaskLink>
        <div className="text-xs text-muted-foreground sm:hidden">{formatRelative(task.createdAt, now)}</div>
      </TableCell>
      <TableCell>
        <TaskStateBadge state={task.state} />
      </TableCell>
      <TableCell className="hidden whitespace-nowrap text-muted-foreground tabular-nums sm:table-cell">{formatPrecise(task.createdAt)}</TableCell>
      <TableCell className="hidden text-right whitespace-nowrap text-muted-foreground tabular-nums sm:table-cell">{formatElapsed(taskElapsedMs(task, now))}</TableCell>
    </TableRow>
  );
}

function ScheduleActions({ schedule, workspaceId }: { schedule: Schedule; workspaceId: string }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toggle = useScheduleEnabledMutation(workspaceId);
  const [editOpen, setEditOpen] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  return (
    <>
      <Button variant="outline" disabled={toggle.isPending} onClick={() => toggle.mutate({ schedule, enabled: !schedule.enabled })}>
        {schedule.enabled ? <PauseIcon aria-hidden /> : <PlayIcon aria-hidden />}
        {schedule.enabled ? 'Disable' : 'Enable'}
      </Button>
      <Button variant="outline" onClick={() => setEditOpen(true)}>
        <PencilIcon aria-hidden />
        Edit
      </Button>
      <Button variant="outline" onClick={() => setConfirmDelete(true)}>
        <Trash2Icon aria-hidden />
        Delete
      </Button>
      <ScheduleDialog
        workspaceId={workspaceId}
        open={editOpen}
        onOpenChange={setEditOpen}
        schedule={schedule}
        onSaved={(saved) => {
          cacheScheduleUpdate(queryClient, workspaceId, saved);
          toast.success('Schedule saved');
        }}
      />
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title="Delete schedule?"
        description={`${schedule.name} stops firing and its fire history is deleted. Tasks it has started stay.`}
        confirmLabel="Delete schedule"
        onConfirm={async () => {
          await api.deleteSchedule(workspaceId, schedule.id);
          cacheScheduleRemoval(queryClient, workspaceId, schedule.id);
          toast.success('Schedule deleted', schedule.name);
          await navigate({ to: '/w/$workspaceId/schedules', params: { workspaceId } });
        }}
      />
    </>
  );
}

/** The words say it all for intervals and one-off times; a cron trigger also shows what was typed. */
function triggerFacts(schedule: Schedule): [string, ReactNode][] {
  const { trigger } = schedule;
  if (trigger.type !== 'cron') return [];
  return [
    ['Cron', <code key="cron" className="text-xs">{trigger.expression}</code>],
    ['Time zone', trigger.timeZone],
  ];
}

function useScheduleFires(workspaceId: string, scheduleId: string, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: scheduleKeys.scheduleFires(workspaceId, scheduleId),
    queryFn: ({ pageParam }) => api.scheduleFires(workspaceId, scheduleId, { limit: FIRES_PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 0,
    enabled,
  });
}

/** Kept under the task lists' key, so live task events update its rows like any other task list. */
function useScheduleTasks(workspaceId: string, scheduleId: string, enabled: boolean) {
  const filters = { originId: scheduleId };
  return useInfiniteQuery({
    queryKey: taskListKey(workspaceId, filters),
    queryFn: ({ pageParam }) => api.listTasks(workspaceId, { ...filters, limit: TASKS_PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 0,
    enabled,
  });
}

function ScheduleView({ workspaceId, scheduleId, manage }: { workspaceId: string; scheduleId: string; manage: boolean }) {
  const queryClient = useQueryClient();
  const detailKey = scheduleKeys.schedule(workspaceId, scheduleId);
  const detail = useQuery({ queryKey: detailKey, queryFn: () => api.schedule(workspaceId, scheduleId), staleTime: 0 });
  const fires = useScheduleFires(workspaceId, scheduleId, detail.isSuccess);
  const tasks = useScheduleTasks(workspaceId, scheduleId, detail.isSuccess);
  const tasksFilters = { originId: scheduleId };

  const refresh = () => void queryClient.invalidateQueries({ queryKey: detailKey });
  const stream = useTaskEvents(workspaceId, {
    onUpdate: (task) => {
      cacheTaskUpdate(queryClient, workspaceId, task);
      // A new task from this schedule is a new fire: its history and next fire time have moved.
      if (task.origin.type === 'schedule' && task.origin.id === scheduleId && task.state === 'queued' && task.attempts === 0) refresh();
    },
    onLive: () => {
      refresh();
      void queryClient.invalidateQueries({ queryKey: taskListKey(workspaceId, tasksFilters) });
    },
  });

  const schedule = detail.data?.schedule;
  useRefreshWhenDue(schedule?.enabled ? schedule.nextFireAt : null, detail.dataUpdatedAt, refresh);
  const now = useNow(Boolean(schedule?.enabled));
  const taskStates = new Map((tasks.data?.pages.flatMap((page) => page.tasks) ?? []).map((task) => [task.id, task.state]));

  return (
    <DetailPage
      back={
        <BackLink to="/w/$workspaceId/schedules" params={{ workspaceId }}>
          Schedules
        </BackLink>
      }
      query={detail}
      item={schedule}
      noun="Schedule"
      notFoundCode="schedule_not_found"
      notFound={<>No schedule {scheduleId} exists in this workspace. It may have been deleted, or belong to another workspace.</>}
      header={(shown) => ({
        title: shown.name,
        description: (
          <>
            Starts <code className="text-xs">{shown.kind}</code> · {describeTrigger(shown.trigger)}
          </>
        ),
        actions: manage ? <ScheduleActions schedule={shown} workspaceId={workspaceId} /> : null,
      })}
    >
      {(shown) => <ScheduleSections schedule={shown} workspaceId={workspaceId} stream={stream} now={now} fires={fires} tasks={tasks} taskStates={taskStates} />}
    </DetailPage>
  );
}

interface ScheduleSectionsProps {
  schedule: Schedule;
  workspaceId: string;
  stream: StreamState;
  now: number;
  fires: ReturnType<typeof useScheduleFires>;
  tasks: ReturnType<typeof useScheduleTasks>;
  taskStates: ReadonlyMap<string, TaskState>;
}

function ScheduleSections({ schedule, workspaceId, stream, now, fires, tasks, taskStates }: ScheduleSectionsProps) {
  return (
    <>
      <Card>
        <CardContent className="grid gap-4 pt-4 sm:pt-6">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <div className="flex flex-wrap items-center gap-2">
              <Badge variant={schedule.enabled ? 'success' : 'secondary'} className="text-sm">
                {schedule.enabled ? 'Enabled' : 'Disabled'}
              </Badge>
              <span className="text-sm text-muted-foreground">
                {!schedule.enabled
                  ? 'It does not fire until it is enabled again.'
                  : schedule.nextFireAt
                    ? `Next fire ${formatFromNow(schedule.nextFireAt, now)}`
                    : 'It has no time left to fire at.'}
              </span>
            </div>
            <LiveStatus state={stream} className="text-xs text-muted-foreground" />
          </div>
          <Facts
            items={[
              ['Trigger', describeTrigger(schedule.trigger)],
              ...triggerFacts(schedule),
              ['Task kind', <code key="kind" className="text-xs">{schedule.kind}</code>],
              ['Next fire', formatPrecise(schedule.nextFireAt, schedule.enabled ? 'none' : 'disabled')],
              ['Last fired', formatPrecise(schedule.lastFiredAt, 'never')],
              ['After downtime', <span key="missed" title={missedPolicyExplanations[schedule.missedPolicy]}>{missedPolicyLabels[schedule.missedPolicy]}</span>],
              ['Created', formatPrecise(schedule.createdAt)],
            ]}
          />
          <p className="text-xs text-muted-foreground">{missedPolicyExplanations[schedule.missedPolicy]}</p>
        </CardContent>
      </Card>

      <div className="grid gap-4 lg:grid-cols-2 lg:items-start">
        <SectionCard title="Next fire times">
          {schedule.nextFireTimes.length > 0 ? (
            <FireTimeList times={schedule.nextFireTimes} scheduleZone={schedule.trigger.type === 'cron' ? schedule.trigger.timeZone : undefined} now={now} />
          ) : (
            <p className="text-sm text-muted-foreground">
              {schedule.enabled ? 'None: a one-off schedule that has fired does not fire again.' : 'None while the schedule is disabled.'}
            </p>
          )}
        </SectionCard>
        <JsonBlock label="Task input" value={schedule.input} empty="No input." />
      </div>

      <QueryTableCard
        query={fires}
        rows={(data) => data.pages.flatMap((page) => page.fires)}
        label="Fire history"
        title="Fire history"
        description="Newest first. Each fire happens once, with a link to the task it started."
        empty={schedule.enabled && schedule.nextFireAt ? `No fires yet; the first is due ${formatFromNow(schedule.nextFireAt, now)}.` : 'No fires yet.'}
        columns={<ColumnHeads heads={['Due', ['Outcome', 'sm'], 'Task', ['Timing', 'md']]} />}
        row={(fire) => <FireRow key={fire.id} fire={fire} workspaceId={workspaceId} state={fire.taskId ? taskStates.get(fire.taskId) : undefined} />}
        footer={<LoadMore query={fires} />}
      />

      <QueryTableCard
        query={tasks}
        rows={(data) => data.pages.flatMap((page) => page.tasks)}
        label="Latest tasks"
        title="Latest tasks"
        description="Tasks this schedule started, newest first; their states update live."
        empty="No tasks yet."
        columns={
          <>
            <TableHead>Task</TableHead>
            <TableHead>State</TableHead>
            <TableHead className="hidden sm:table-cell">Created</TableHead>
            <TableHead className="hidden text-right sm:table-cell">Duration</TableHead>
          </>
        }
        row={(task) => <ScheduledTaskRow key={task.id} task={task} workspaceId={workspaceId} now={now} />}
        footer={<LoadMore query={tasks} />}
      />
    </>
  );
}

export function ScheduleDetailPage() {
  const workspace = useCurrentWorkspace();
  const { scheduleId } = routeApi.useParams();
  return <ScheduleView key={`${workspace.id}/${scheduleId}`} workspaceId={workspace.id} scheduleId={scheduleId} manage={canManage(workspace.role)} />;
}
