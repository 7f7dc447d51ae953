import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { BanIcon, CopyPlusIcon, RotateCcwIcon } from 'lucide-react';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog.tsx';
import { BackLink } from '@/components/back-link.tsx';
import { Facts, JsonBlock, SectionCard } from '@/components/detail-blocks.tsx';
import { DetailPage } from '@/components/detail-page.tsx';
import { LiveStatus } from '@/components/live-status.tsx';
import { TaskOrigin } from '@/features/tasks/task-origin.tsx';
import { TaskProgress, TaskStateBadge } from '@/features/tasks/task-state.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent } from '@/components/ui/card.tsx';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table.tsx';
import { api, type Task, type TaskAttempt, type TaskDetail, type TaskLogLine } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { formatDateTime } from '@/lib/format.ts';
import { cacheCreatedTask, cacheTaskProgress, cacheTaskUpdate } from '@/features/tasks/task-cache.ts';
import { canCancelTask, canRetryTask, canRunTasks, formatElapsed, isTaskActive, mergeLogLines, taskElapsedMs } from '@/features/tasks/tasks.ts';
import { toast } from '@/lib/toast.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { useNow, useTaskEvents } from '@/features/tasks/use-task-events.ts';
import type { StreamState } from '@/lib/use-event-stream.ts';
import { taskKeys } from '@/features/tasks/tasks.queries.ts';

const routeApi = getRouteApi('/_app/w/$workspaceId/tasks/$taskId');
/** The server sends at most this many log lines per answer; a full page means there may be more. */
const LOG_PAGE_SIZE = 1_000;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
// Attempts seconds apart must not look simultaneous: timings here show seconds.
const preciseFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeFormat.format(date);
}
function formatPrecise(iso: string | null, fallback = '—'): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? fallback : preciseFormat.format(date);
}

const outcomeVariants = {
  running: 'default',
  succeeded: 'success',
  failed: 'destructive',
  interrupted: 'warning',
  delayed: 'outline',
} as const satisfies Record<TaskAttempt['outcome'], string>;

function AttemptsTable({ attempts }: { attempts: TaskAttempt[] }) {
  if (attempts.length === 0) return <p className="text-sm text-muted-foreground">No attempt has started yet.</p>;
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>#</TableHead>
          <TableHead>Started</TableHead>
          <TableHead className="hidden sm:table-cell">Finished</TableHead>
          <TableHead>Outcome</TableHead>
          <TableHead className="hidden md:table-cell">Error</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {attempts.map((attempt, index) => (
          // A retried task numbers its attempts from 1 again, so the number alone is not unique.
          <TableRow key={`${index}-${attempt.number}`}>
            <TableCell className="tabular-nums">{attempt.number}</TableCell>
            <TableCell className="text-muted-foreground">
              <span className="whitespace-nowrap">{formatPrecise(attempt.startedAt)}</span>
              <div className="text-xs sm:hidden">{attempt.finishedAt ? `→ ${formatTime(attempt.finishedAt)}` : ''}</div>
              {/* Cells do not wrap by default; a long URL in an error must not widen the table past its card. */}
              {attempt.error ? <div className="mt-1 text-xs whitespace-normal wrap-anywhere md:hidden">{attempt.error}</div> : null}
            </TableCell>
            <TableCell className="hidden whitespace-nowrap text-muted-foreground sm:table-cell">{formatPrecise(attempt.finishedAt)}</TableCell>
            <TableCell>
              <Badge variant={outcomeVariants[attempt.outcome]}>{attempt.outcome}</Badge>
            </TableCell>
            <TableCell className="hidden min-w-40 text-xs whitespace-normal wrap-anywhere text-muted-foreground md:table-cell">{attempt.error ?? '—'}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function LogView({ lines, active }: { lines: TaskLogLine[]; active: boolean }) {
  const container = useRef<HTMLDivElement>(null);
  // Follow new lines while the reader is at the bottom; stop following once they scroll up.
  const follow = useRef(true);
  useLayoutEffect(() => {
    const element = container.current;
    if (element && follow.current) element.scrollTop = element.scrollHeight;
  }, [lines.length]);

  if (lines.length === 0) {
    return <p className="text-sm text-muted-foreground">{active ? 'No log lines yet; they appear here as the task writes them.' : 'This task wrote no log lines.'}</p>;
  }
  return (
    <div
      ref={container}
      tabIndex={0}
      role="log"
      aria-label="Log lines"
      aria-live="polite"
      onScroll={(event) => {
        const element = event.currentTarget;
        follow.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
      }}
      className="max-h-96 overflow-auto rounded-md bg-muted p-3 font-mono text-xs leading-relaxed"
    >
      {lines.map((line) => (
        <div key={line.id} className="flex gap-3">
          <span className="shrink-0 text-muted-foreground tabular-nums" title={`Attempt ${line.attempt}`}>
            #{line.attempt}
          </span>
          <time dateTime={line.at} className="hidden shrink-0 text-muted-foreground tabular-nums sm:inline" title={formatDateTime(line.at)}>
            {formatTime(line.at)}
          </time>
          <span className="min-w-0 break-all whitespace-pre-wrap">{line.line}</span>
        </div>
      ))}
    </div>
  );
}

function TaskActions({ task, workspaceId }: { task: Task; workspaceId: string }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const refresh = async (changed: Task) => {
    cacheTaskUpdate(queryClient, workspaceId, changed);
    await queryClient.invalidateQueries({ queryKey: taskKeys.task(workspaceId, changed.id) });
  };
  const retry = useMutation({
    mutationFn: () => api.retryTask(workspaceId, task.id),
    onSuccess: async ({ task: changed }) => {
      toast.success('Task queued again', `${changed.kind} gets ${changed.maxAttempts} fresh attempts.`);
      await refresh(changed);
    },
    onError: (error) => toast.error('Could not retry the task', errorMessage(error)),
  });
  const runAgain = useMutation({
    mutationFn: () => api.createTask(workspaceId, { kind: task.kind, input: task.input }),
    onSuccess: async ({ task: created }) => {
      cacheCreatedTask(queryClient, workspaceId, created);
      toast.success('Task started', `A new ${created.kind} task with the same input.`);
      await navigate({ to: '/w/$workspaceId/tasks/$taskId', params: { workspaceId, taskId: created.id } });
    },
    onError: (error) => toast.error('Could not start the task', errorMessage(error)),
  });

  return (
    <>
      {canCancelTask(task.state) ? (
        <Button variant="outline" onClick={() => setConfirmCancel(true)}>
          <BanIcon aria-hidden />
          Cancel
        </Button>
      ) : null}
      {canRetryTask(task.state) ? (
        <Button variant="outline" disabled={retry.isPending} onClick={() => retry.mutate()}>
          <RotateCcwIcon aria-hidden />
          Retry
        </Button>
      ) : null}
      <Button variant="outline" disabled={runAgain.isPending} onClick={() => runAgain.mutate()}>
        <CopyPlusIcon aria-hidden />
        Run again
      </Button>
      <ConfirmDialog
        open={confirmCancel}
        onOpenChange={setConfirmCancel}
        title="Cancel task?"
        description={
          task.state === 'running'
            ? `This ${task.kind} task is running; it is told to stop and will not be tried again.`
            : `This ${task.kind} task will not run. You can retry it later.`
        }
        confirmLabel="Cancel task"
        onConfirm={async () => {
          const { task: changed } = await api.cancelTask(workspaceId, task.id);
          toast.success('Task cancelled');
          await refresh(changed);
        }}
      />
    </>
  );
}

function TaskView({ workspaceId, taskId, mayRun }: { workspaceId: string; taskId: string; mayRun: boolean }) {
  const queryClient = useQueryClient();
  const detailKey = taskKeys.task(workspaceId, taskId);
  // Events reach only a mounted page, so a revisit always asks the server again.
  const detail = useQuery({ queryKey: detailKey, queryFn: () => api.task(workspaceId, taskId), staleTime: 0 });
  const [lines, setLines] = useState<TaskLogLine[]>([]);
  const linesRef = useRef(lines);
  linesRef.current = lines;

  // Lines from each fetch of the detail join the ones streamed in; nothing is shown twice.
  const fetchedLogs = detail.data?.logs;
  useEffect(() => {
    if (fetchedLogs) setLines((current) => mergeLogLines(current, fetchedLogs));
  }, [fetchedLogs]);

  /** Reads the lines after the last one shown, page by page (after a reconnect, or past the first page). */
  const catchUpLogs = useCallback(async () => {
    try {
      for (let page = 0; page < 50; page += 1) {
        const after = linesRef.current.at(-1)?.id;
        const { logs } = await api.taskLogs(workspaceId, taskId, after);
        setLines((current) => mergeLogLines(current, logs));
        linesRef.current = mergeLogLines(linesRef.current, logs);
        if (logs.length < LOG_PAGE_SIZE) break;
      }
    } catch {
      // The next reconnect or visit tries again; the detail query shows connection problems.
    }
  }, [workspaceId, taskId]);

  const firstPageFull = (fetchedLogs?.length ?? 0) >= LOG_PAGE_SIZE;
  useEffect(() => {
    if (firstPageFull) void catchUpLogs();
  }, [firstPageFull, catchUpLogs]);

  const stream = useTaskEvents(workspaceId, {
    onUpdate: (task) => {
      if (task.id !== taskId) return;
      const before = queryClient.getQueryData<TaskDetail>(detailKey)?.task;
      cacheTaskUpdate(queryClient, workspaceId, task);
      // Attempts are not in the event: fetch them when an attempt starts or ends.
      if (!before || before.state !== task.state || before.attempts !== task.attempts) {
        void queryClient.invalidateQueries({ queryKey: detailKey });
      }
    },
    onProgress: (event) => {
      if (event.taskId === taskId) cacheTaskProgress(queryClient, workspaceId, event);
    },
    onLog: (event) => {
      if (event.taskId === taskId) setLines((current) => mergeLogLines(current, [event]));
    },
    onLive: () => {
      // The detail brings the first page of lines; only a longer log needs the pages after it.
      void queryClient.invalidateQueries({ queryKey: detailKey });
      if (linesRef.current.length >= LOG_PAGE_SIZE) void catchUpLogs();
    },
  });

  const task = detail.data?.task;
  const now = useNow(task?.state === 'running');

  return (
    <DetailPage
      back={
        <BackLink to="/w/$workspaceId/tasks" params={{ workspaceId }}>
          Tasks
        </BackLink>
      }
      query={detail}
      item={detail.data}
      noun="Task"
      notFoundCode="task_not_found"
      notFound={<>No task {taskId} exists in this workspace. It may belong to another workspace.</>}
      header={({ task: shown }) => ({
        title: shown.kind,
        description: (
          <span className="break-all">
            Task <code className="text-xs">{shown.id}</code>
          </span>
        ),
        actions: mayRun ? <TaskActions task={shown} workspaceId={workspaceId} /> : null,
      })}
    >
      {({ task: shown, attempts }) => <TaskSections task={shown} attempts={attempts} lines={lines} stream={stream} now={now} workspaceId={workspaceId} />}
    </DetailPage>
  );
}

function TaskSections({ task, attempts, lines, stream, now, workspaceId }: { task: Task; attempts: TaskAttempt[]; lines: TaskLogLine[]; stream: StreamState; now: number; workspaceId: string }) {
  const active = isTaskActive(task.state);
  const delayed = Date.parse(task.runAt) - Date.parse(task.createdAt) > 1_000;
  return (
    <>
      <Card>
        <CardContent className="grid gap-4 pt-4 sm:pt-6">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <div className="flex items-center gap-2">
              <TaskStateBadge state={task.state} className="text-sm" />
              <span className="text-sm text-muted-foreground">
                attempt {task.attempts} of {task.maxAttempts}
              </span>
            </div>
            <LiveStatus state={stream} className="text-xs text-muted-foreground" />
          </div>
          <TaskProgress task={task} className="max-w-md" />
          <Facts
            items={[
              ['Kind', <code key="kind" className="text-xs">{task.kind}</code>],
              ['Origin', <TaskOrigin key="origin" origin={task.origin} workspaceId={workspaceId} />],
              ['Created', formatPrecise(task.createdAt)],
              ...(delayed ? ([['Runs at', formatPrecise(task.runAt)]] as [string, ReactNode][]) : []),
              ['Started', formatPrecise(task.startedAt, task.state === 'queued' ? 'not yet' : '—')],
              ['Finished', formatPrecise(task.finishedAt, active ? 'not yet' : '—')],
              ['Duration', formatElapsed(taskElapsedMs(task, now))],
            ]}
          />
        </CardContent>
      </Card>

      {task.error ? (
        <div role="alert" className="rounded-xl border border-destructive/40 bg-destructive/10 p-4 text-sm">
          <p className="font-medium text-destructive">{task.state === 'retrying' ? 'Last attempt failed; it will be tried again' : 'Error'}</p>
          <p className="mt-1 whitespace-pre-wrap wrap-anywhere">{task.error}</p>
        </div>
      ) : null}

      <SectionCard title="Attempts">
        <AttemptsTable attempts={attempts} />
      </SectionCard>

      <SectionCard title="Log" description={`${lines.length === 1 ? '1 line' : `${lines.length} lines`}, numbered by attempt${active ? '; new lines stream in.' : '.'}`}>
        <LogView lines={lines} active={active} />
      </SectionCard>

      <div className="grid gap-4 lg:grid-cols-2 lg:items-start">
        <JsonBlock label="Output" value={task.output} empty={task.state === 'succeeded' ? 'The task returned nothing.' : active ? 'No output yet.' : 'No output.'} />
        <JsonBlock label="Input" value={task.input} empty="No input." />
      </div>
    </>
  );
}

export function TaskDetailPage() {
  const workspace = useCurrentWorkspace();
  const { taskId } = routeApi.useParams();
  // Keyed by task so "Run again" starts with empty log state.
  return <TaskView key={`${workspace.id}/${taskId}`} workspaceId={workspace.id} taskId={taskId} mayRun={canRunTasks(workspace.role)} />;
}
