import { SteadApiError } from '@stead/api-client';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { ArrowLeftIcon, PauseIcon, PencilIcon, PlayIcon, RadioIcon, Trash2Icon } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog.tsx';
import { Facts, JsonBlock, SectionCard } from '@/components/detail-blocks.tsx';
import { FireTimeList } from '@/features/schedules/fire-times.tsx';
import { EmptyState, LoadingRows, PageHeader } from '@/components/page-header.tsx';
import { ScheduleDialog } from '@/features/schedules/schedule-dialog.tsx';
import { TaskStateBadge } from '@/features/tasks/task-state.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent } from '@/components/ui/card.tsx';
import { FormError } from '@/components/ui/field.tsx';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table.tsx';
import { api, type Schedule, type ScheduleFire, type Task, type TaskState } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { formatRelative } from '@/lib/format.ts';
import { queryKeys } from '@/lib/queries.ts';
import { cacheScheduleRemoval, cacheScheduleUpdate } from '@/features/schedules/schedule-cache.ts';
import { describeTrigger, fireOutcomeVariants, formatFromNow, missedPolicyExplanations, missedPolicyLabels } from '@/features/schedules/schedules.ts';
import { cacheTaskUpdate, taskListKey } from '@/features/tasks/task-cache.ts';
import { formatElapsed, taskElapsedMs } from '@/features/tasks/tasks.ts';
import { toast } from '@/lib/toast.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { useScheduleEnabledMutation } from '@/features/schedules/use-schedule-enabled.ts';
import { useRefreshWhenDue } from '@/features/schedules/use-schedule-refresh.ts';
import { useNow, useTaskEvents } from '@/features/tasks/use-task-events.ts';
import { canManage } from '@/lib/workspace-store.ts';

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


function LoadMore({ query }: { query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> } }) {
  if (!query.hasNextPage) return null;
  return (
    <div className="mt-4 flex justify-center">
      <Button variant="outline" size="sm" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
        {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
      </Button>
    </div>
  );
}

function TaskLink({ workspaceId, taskId, children }: { workspaceId: string; taskId: string; children: ReactNode }) {
  return (
    <Link to="/w/$workspaceId/tasks/$taskId" params={{ workspaceId, taskId }} className="font-medium underline-offset-4 hover:underline">
      {children}
    </Link>
  );
}

function FiresTable({ fires, workspaceId, taskStates }: { fires: ScheduleFire[]; workspaceId: string; taskStates: ReadonlyMap<string, TaskState> }) {
  return (
    <Table aria-label="Fire history">
      <TableHeader>
        <TableRow>
          <TableHead>Due</TableHead>
          <TableHead className="hidden sm:table-cell">Outcome</TableHead>
          <TableHead>Task</TableHead>
          <TableHead className="hidden md:table-cell">Timing</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {fires.map((fire) => {
          const state = fire.taskId ? taskStates.get(fire.taskId) : undefined;
          return (
            <TableRow key={fire.id}>
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
        })}
      </TableBody>
    </Table>
  );
}

function TasksTable({ tasks, workspaceId, now }: { tasks: Task[]; workspaceId: string; now: number }) {
  return (
    <Table aria-label="Latest tasks">
      <TableHeader>
        <TableRow>
          <TableHead>Task</TableHead>
          <TableHead>State</TableHead>
          <TableHead className="hidden sm:table-cell">Created</TableHead>
          <TableHead className="hidden text-right sm:table-cell">Duration</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {tasks.map((task) => (
          <TableRow key={task.id}>
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
        ))}
      </TableBody>
    </Table>
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

function ScheduleView({ workspaceId, scheduleId, manage }: { workspaceId: string; scheduleId: string; manage: boolean }) {
  const queryClient = useQueryClient();
  const detailKey = queryKeys.schedule(workspaceId, scheduleId);
  const detail = useQuery({ queryKey: detailKey, queryFn: () => api.schedule(workspaceId, scheduleId), staleTime: 0 });
  const fires = useInfiniteQuery({
    queryKey: queryKeys.scheduleFires(workspaceId, scheduleId),
    queryFn: ({ pageParam }) => api.scheduleFires(workspaceId, scheduleId, { limit: FIRES_PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 0,
    enabled: detail.isSuccess,
  });
  // Kept under the task lists' key, so live task events update its rows like any other task list.
  const tasksFilters = { originId: scheduleId };
  const tasks = useInfiniteQuery({
    queryKey: taskListKey(workspaceId, tasksFilters),
    queryFn: ({ pageParam }) => api.listTasks(workspaceId, { ...tasksFilters, limit: TASKS_PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 0,
    enabled: detail.isSuccess,
  });

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
  const taskRows = tasks.data?.pages.flatMap((page) => page.tasks) ?? [];
  const fireRows = fires.data?.pages.flatMap((page) => page.fires) ?? [];
  const taskStates = new Map(taskRows.map((task) => [task.id, task.state]));

  if (detail.isPending) return <LoadingRows />;
  if (detail.isError || !schedule) {
    const missing = detail.error instanceof SteadApiError && (detail.error.code === 'schedule_not_found' || detail.error.status === 404);
    return (
      <>
        <PageHeader title={missing ? 'Schedule not found' : 'Schedule'} />
        {missing ? (
          <EmptyState>No schedule {scheduleId} exists in this workspace. It may have been deleted, or belong to another workspace.</EmptyState>
        ) : (
          <FormError message={errorMessage(detail.error)} />
        )}
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={schedule.name}
        description={
          <>
            Starts <code className="text-xs">{schedule.kind}</code> · {describeTrigger(schedule.trigger)}
          </>
        }
        actions={manage ? <ScheduleActions schedule={schedule} workspaceId={workspaceId} /> : null}
      />
      {/* grid-cols-1 is minmax(0, 1fr): wide tables and JSON scroll inside their cards instead of widening the page. */}
      <div className="grid grid-cols-1 gap-4">
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
              <span className="inline-flex items-center gap-1 text-xs text-muted-foreground" role="status">
                <RadioIcon aria-hidden className={stream === 'live' ? 'size-3.5 text-success' : 'size-3.5'} />
                {stream === 'live' ? 'Live' : stream === 'connecting' ? 'Connecting to live updates…' : 'Live updates off'}
              </span>
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

        <SectionCard title="Fire history" description="Newest first. Each fire happens once, with a link to the task it started.">
          {fires.isPending ? (
            <LoadingRows />
          ) : fires.isError ? (
            <FormError message={errorMessage(fires.error)} />
          ) : fireRows.length === 0 ? (
            <EmptyState>{schedule.enabled && schedule.nextFireAt ? `No fires yet; the first is due ${formatFromNow(schedule.nextFireAt, now)}.` : 'No fires yet.'}</EmptyState>
          ) : (
            <FiresTable fires={fireRows} workspaceId={workspaceId} taskStates={taskStates} />
          )}
          <LoadMore query={fires} />
        </SectionCard>

        <SectionCard title="Latest tasks" description="Tasks this schedule started, newest first; their states update live.">
          {tasks.isPending ? (
            <LoadingRows />
          ) : tasks.isError ? (
            <FormError message={errorMessage(tasks.error)} />
          ) : taskRows.length === 0 ? (
            <EmptyState>No tasks yet.</EmptyState>
          ) : (
            <TasksTable tasks={taskRows} workspaceId={workspaceId} now={now} />
          )}
          <LoadMore query={tasks} />
        </SectionCard>
      </div>
    </>
  );
}

export function ScheduleDetailPage() {
  const workspace = useCurrentWorkspace();
  const { scheduleId } = routeApi.useParams();
  return (
    <>
      <Link
        to="/w/$workspaceId/schedules"
        params={{ workspaceId: workspace.id }}
        className="mb-4 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground [&_svg]:size-4"
      >
        <ArrowLeftIcon aria-hidden />
        Schedules
      </Link>
      <ScheduleView key={`${workspace.id}/${scheduleId}`} workspaceId={workspace.id} scheduleId={scheduleId} manage={canManage(workspace.role)} />
    </>
  );
}
