import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { PlayIcon } from 'lucide-react';
import { useState } from 'react';
import { LiveStatus } from '@/components/live-status.tsx';
import { FilterCard } from '@/components/filter-card.tsx';
import { PageHeader } from '@/components/page-header.tsx';
import { LoadMore, QueryTableCard } from '@/components/query-table-card.tsx';
import { RunTaskDialog } from '@/features/tasks/run-task-dialog.tsx';
import { TaskOrigin } from '@/features/tasks/task-origin.tsx';
import { TaskProgress, TaskStateBadge } from '@/features/tasks/task-state.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Field } from '@/components/ui/field.tsx';
import { Input, NativeSelect, ValueOptions } from '@/components/ui/input.tsx';
import { TableCell, TableHead, TableRow } from '@/components/ui/table.tsx';
import { api, type Task, type TaskState } from '@/lib/api.ts';
import { dateInputToIso, formatDateTime, formatRelative } from '@/lib/format.ts';
import { cacheCreatedTask, cacheTaskProgress, cacheTaskUpdate, taskListKey } from '@/features/tasks/task-cache.ts';
import { canRunTasks, formatElapsed, isTaskActive, summarizeTaskInput, taskElapsedMs, taskStates, type TaskFilters } from '@/features/tasks/tasks.ts';
import { toast } from '@/lib/toast.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { useNow, useTaskEvents } from '@/features/tasks/use-task-events.ts';
import { taskKeys } from '@/features/tasks/tasks.queries.ts';

const PAGE_SIZE = 50;

interface FilterDraft {
  state: '' | TaskState;
  kind: string;
  from: string;
  to: string;
}
const noFilters: FilterDraft = { state: '', kind: '', from: '', to: '' };

function toFilters(draft: FilterDraft): TaskFilters {
  return {
    state: draft.state || undefined,
    kind: draft.kind || undefined,
    from: dateInputToIso(draft.from, 'from'),
    to: dateInputToIso(draft.to, 'to'),
  };
}

function TaskRow({ task, workspaceId, now }: { task: Task; workspaceId: string; now: number }) {
  const summary = summarizeTaskInput(task.input);
  const waiting = task.state === 'queued' && Date.parse(task.runAt) > now + 1_000;
  const elapsed = taskElapsedMs(task, now);
  return (
    <TableRow>
      <TableCell className="max-w-44 sm:max-w-72">
        <Link
          to="/w/$workspaceId/tasks/$taskId"
          params={{ workspaceId, taskId: task.id }}
          className="font-medium break-words underline-offset-4 hover:underline"
        >
          {task.kind}
        </Link>
        {summary ? (
          <div className="truncate font-mono text-xs text-muted-foreground" title={summary}>
            {summary}
          </div>
        ) : null}
        <div className="text-xs text-muted-foreground md:hidden" title={formatDateTime(task.createdAt)}>
          {formatRelative(task.createdAt, now)}
          <span className="sm:hidden">{elapsed === null ? '' : ` · ${formatElapsed(elapsed)}`}</span>
        </div>
      </TableCell>
      <TableCell className="sm:w-52">
        <TaskStateBadge state={task.state} />
        {/* The list keeps to live progress; a finished task's badge says how it ended. */}
        {isTaskActive(task.state) ? <TaskProgress task={task} className="mt-1.5" /> : null}
        {waiting ? (
          <div className="mt-1 text-xs text-muted-foreground" title={formatDateTime(task.runAt)}>
            starts {formatRelative(task.runAt, now)}
          </div>
        ) : null}
        {task.state === 'retrying' && task.error ? (
          <div className="mt-1 line-clamp-2 text-xs whitespace-normal wrap-anywhere text-muted-foreground" title={task.error}>
            {task.error}
          </div>
        ) : null}
      </TableCell>
      <TableCell className="hidden text-muted-foreground tabular-nums sm:table-cell">
        {task.attempts}/{task.maxAttempts}
      </TableCell>
      <TableCell className="hidden whitespace-nowrap text-muted-foreground md:table-cell" title={formatDateTime(task.createdAt)}>
        {formatDateTime(task.createdAt)}
      </TableCell>
      <TableCell className="hidden text-right whitespace-nowrap text-muted-foreground tabular-nums sm:table-cell">{formatElapsed(elapsed)}</TableCell>
      <TableCell className="hidden max-w-48 break-words text-muted-foreground lg:table-cell">
        <TaskOrigin origin={task.origin} workspaceId={workspaceId} />
      </TableCell>
    </TableRow>
  );
}

export function TasksPage() {
  const workspace = useCurrentWorkspace();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<FilterDraft>(noFilters);
  const [applied, setApplied] = useState<FilterDraft>(noFilters);
  const [runOpen, setRunOpen] = useState(false);
  const filters = toFilters(applied);
  const filtered = Boolean(filters.state || filters.kind || filters.from || filters.to);

  const kinds = useQuery({
    queryKey: taskKeys.taskKinds(workspace.id),
    queryFn: async () => (await api.listTaskKinds(workspace.id)).kinds,
    staleTime: 5 * 60_000,
  });
  const list = useInfiniteQuery({
    queryKey: taskListKey(workspace.id, filters),
    // Events only reach a mounted page: coming back to the list always asks the server again.
    staleTime: 0,
    queryFn: ({ pageParam }) => api.listTasks(workspace.id, { ...filters, limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  const upsert = (task: Task) => cacheTaskUpdate(queryClient, workspace.id, task);

  const stream = useTaskEvents(workspace.id, {
    onUpdate: upsert,
    onProgress: (event) => cacheTaskProgress(queryClient, workspace.id, event),
    onLive: () => void queryClient.invalidateQueries({ queryKey: taskKeys.tasks(workspace.id) }),
  });

  const tasks = list.data?.pages.flatMap((page) => page.tasks) ?? [];
  const now = useNow(tasks.some((task) => task.state === 'running'));
  const mayRun = canRunTasks(workspace.role);

  const apply = () => {
    setApplied(draft);
  };

  return (
    <>
      <PageHeader
        title="Tasks"
        description={`Background work in ${workspace.name}: what is queued, running and done. Updates appear as they happen.`}
        actions={
          mayRun ? (
            <Button onClick={() => setRunOpen(true)}>
              <PlayIcon aria-hidden />
              Run task
            </Button>
          ) : null
        }
      />
      <FilterCard
        className="grid grid-cols-2 gap-3 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.3fr)_minmax(0,1fr)_minmax(0,1fr)_auto_auto] lg:items-end"
        onApply={apply}
        onClear={() => {
          setDraft(noFilters);
          setApplied(noFilters);
        }}
      >
        <Field id="tasks-state" label="State">
          <NativeSelect id="tasks-state" value={draft.state} onChange={(event) => setDraft({ ...draft, state: event.target.value as FilterDraft['state'] })}>
            <option value="">Any state</option>
            <ValueOptions values={taskStates} />
          </NativeSelect>
        </Field>
        <Field id="tasks-kind" label="Kind">
          <NativeSelect id="tasks-kind" value={draft.kind} onChange={(event) => setDraft({ ...draft, kind: event.target.value })}>
            <option value="">Any kind</option>
            {(kinds.data ?? []).map((kind) => (
              <option key={kind.name} value={kind.name}>
                {kind.name}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field id="tasks-from" label="Created from">
          <Input id="tasks-from" type="date" className="px-2 text-sm sm:px-3" value={draft.from} onChange={(event) => setDraft({ ...draft, from: event.target.value })} />
        </Field>
        <Field id="tasks-to" label="Created to">
          <Input id="tasks-to" type="date" className="px-2 text-sm sm:px-3" value={draft.to} onChange={(event) => setDraft({ ...draft, to: event.target.value })} />
        </Field>
      </FilterCard>
      <QueryTableCard
        query={list}
        rows={(data) => data.pages.flatMap((page) => page.tasks)}
        toolbar={
          <div className="mb-3 flex items-center justify-between gap-2 text-xs text-muted-foreground">
            <span>{filtered ? 'Matching tasks, newest first' : 'Newest first'}</span>
            <LiveStatus state={stream} />
          </div>
        }
        empty={
          filtered ? (
            'No tasks match these filters.'
          ) : (
            <>
              No tasks yet. A task is one piece of background work, such as an HTTP request or a webhook delivery, that Stead
              runs for you, retries when it fails and keeps a record of: attempts, progress, log lines and output.
              {mayRun ? ' Start one with Run task; schedules start them too.' : ' Schedules and members of this workspace start them.'}
            </>
          )
        }
        columns={
          <>
            <TableHead>Kind</TableHead>
            <TableHead>State</TableHead>
            <TableHead className="hidden sm:table-cell">Attempts</TableHead>
            <TableHead className="hidden md:table-cell">Created</TableHead>
            <TableHead className="hidden text-right sm:table-cell">Duration</TableHead>
            <TableHead className="hidden lg:table-cell">Origin</TableHead>
          </>
        }
        row={(task) => <TaskRow key={task.id} task={task} workspaceId={workspace.id} now={now} />}
        footer={<LoadMore query={list} />}
      />
      {mayRun ? (
        <RunTaskDialog
          workspaceId={workspace.id}
          open={runOpen}
          onOpenChange={setRunOpen}
          onCreated={(task) => {
            // The live event adds the row too; doing it here keeps the list right when the stream is down.
            cacheCreatedTask(queryClient, workspace.id, task);
            toast.success('Task started', `${task.kind} is ${task.state}.`);
          }}
        />
      ) : null}
    </>
  );
}
