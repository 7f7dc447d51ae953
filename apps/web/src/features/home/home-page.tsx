import { useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, type ReactNode } from 'react';
import { LiveStatus } from '@/components/live-status.tsx';
import { LoadingRows, PageHeader } from '@/components/page-header.tsx';
import { FormError } from '@/components/ui/field.tsx';
import { auditKeys } from '@/features/audit/audit.queries.ts';
import { ConnectCard, FirstStepsCard } from '@/features/home/first-steps-card.tsx';
import { HomeCard, ModelsList, NextFiresList, RecentAudit, ServerStatus, TaskList, UsageFigures } from '@/features/home/home-cards.tsx';
import { firstSteps, firstStepsDone, snippetModel } from '@/features/home/home.ts';
import { homeKeys, overviewQuery } from '@/features/home/home.queries.ts';
import { MODELS_REFRESH_MS, modelsQuery } from '@/features/models/models.queries.ts';
import { scheduleKeys } from '@/features/schedules/schedules.queries.ts';
import { isTaskEvent, isTaskProgressEvent, withProgress } from '@/features/tasks/tasks.ts';
import { useNow } from '@/features/tasks/use-task-events.ts';
import { api, eventsUrl, type Task } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { useEventStream } from '@/lib/use-event-stream.ts';
import { canManage } from '@/lib/workspace-store.ts';

const TASKS_SHOWN = 5;
const AUDIT_SHOWN = 6;
const liveEvents = ['task-update', 'task-progress', 'audit-event'] as const;

/** Loading, error or the content of one card: a card whose data fails says so without taking the page down. */
function Loaded<T>({ query, children }: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  if (query.isPending) return <LoadingRows />;
  if (query.isError) return <FormError message={errorMessage(query.error)} />;
  return <>{children(query.data)}</>;
}

function useHomeQueries(workspaceId: string, mayReadAudit: boolean) {
  const tasksOf = (state: 'running' | 'failed') => ({
    queryKey: homeKeys.tasks(workspaceId, state),
    queryFn: async () => (await api.listTasks(workspaceId, { state, limit: TASKS_SHOWN })).tasks,
    staleTime: 0,
  });
  return {
    overview: useQuery({ ...overviewQuery(workspaceId), refetchInterval: 60_000 }),
    models: useQuery({ ...modelsQuery(workspaceId), refetchInterval: MODELS_REFRESH_MS }),
    running: useQuery(tasksOf('running')),
    failed: useQuery(tasksOf('failed')),
    // Shared with the schedules page: the same key and answer.
    schedules: useQuery({ queryKey: scheduleKeys.schedules(workspaceId), queryFn: async () => (await api.listSchedules(workspaceId)).schedules, refetchInterval: 60_000 }),
    // Under the audit page's key, so its invalidations refresh this too. Admins and owners only: others are refused.
    audit: useQuery({
      queryKey: [...auditKeys.audit(workspaceId), { limit: AUDIT_SHOWN }],
      queryFn: async () => (await api.workspaceAudit(workspaceId, { limit: AUDIT_SHOWN })).events,
      enabled: mayReadAudit,
    }),
  };
}

/** Task, progress and audit events keep the page live: running tasks move, finished ones move to their list. */
function useHomeLive(workspaceId: string, mayReadAudit: boolean) {
  const queryClient = useQueryClient();
  const refreshTasks = () => void queryClient.invalidateQueries({ queryKey: homeKeys.allTasks(workspaceId) });
  const state = useEventStream(eventsUrl(workspaceId), liveEvents, (name, data) => {
    if (name === 'task-update' && isTaskEvent(data)) refreshTasks();
    else if (name === 'task-progress' && isTaskProgressEvent(data)) {
      queryClient.setQueryData<Task[]>(homeKeys.tasks(workspaceId, 'running'), (tasks) => tasks?.map((task) => (task.id === data.taskId ? withProgress(task, data) : task)));
    } else if (name === 'audit-event') {
      // Every change a person makes is audited: a provider or key added moves the first steps along.
      void queryClient.invalidateQueries({ queryKey: homeKeys.overview(workspaceId) });
      void queryClient.invalidateQueries({ queryKey: modelsQuery(workspaceId).queryKey });
      if (mayReadAudit) void queryClient.invalidateQueries({ queryKey: auditKeys.audit(workspaceId) });
    }
  });
  // Events sent before the stream opened never arrive: fetch again once it is live.
  useEffect(() => {
    if (state === 'live') void queryClient.invalidateQueries({ queryKey: homeKeys.allTasks(workspaceId) });
  }, [state, queryClient, workspaceId]);
  return state;
}

export function HomePage() {
  const workspace = useCurrentWorkspace();
  const mayManage = canManage(workspace.role);
  const queries = useHomeQueries(workspace.id, mayManage);
  const stream = useHomeLive(workspace.id, mayManage);
  const now = useNow(true, 30_000);
  const params = { workspaceId: workspace.id };
  const link = 'underline-offset-4 hover:underline text-muted-foreground';

  return (
    <>
      <PageHeader title="Home" description={`${workspace.name} at a glance.`} actions={<LiveStatus state={stream} className="text-xs text-muted-foreground" />} />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Loaded query={queries.overview}>
          {(overview) => {
            const steps = firstSteps(overview, mayManage);
            // Once everything is done the checklist goes; the snippets stay, across the page.
            const done = firstStepsDone(steps);
            return (
              <>
                {done ? null : <FirstStepsCard steps={steps} workspaceId={workspace.id} mayManage={mayManage} />}
                <ConnectCard baseUrl={overview.gateway.baseUrl} model={snippetModel(queries.models.data ?? [])} className={done ? 'lg:col-span-2' : undefined} />
              </>
            );
          }}
        </Loaded>
        <HomeCard label="Models" title="Models" more={<Link to="/w/$workspaceId/models" params={params} className={link}>All models</Link>}>
          <Loaded query={queries.models}>{(models) => <ModelsList models={models} />}</Loaded>
        </HomeCard>
        <HomeCard label="Today's usage" title="Today’s usage" description="Calls through the gateway since midnight UTC." more={<Link to="/w/$workspaceId/models/usage" params={params} className={link}>Usage</Link>}>
          <Loaded query={queries.overview}>{(overview) => <UsageFigures usage={overview.usageToday} />}</Loaded>
        </HomeCard>
        <HomeCard label="Running tasks" title="Running tasks" more={<Link to="/w/$workspaceId/tasks" params={params} className={link}>All tasks</Link>}>
          <Loaded query={queries.running}>{(tasks) => <TaskList tasks={tasks} workspaceId={workspace.id} empty="Nothing running." />}</Loaded>
        </HomeCard>
        <HomeCard label="Failed tasks" title="Failed tasks" description="The latest that failed for good.">
          <Loaded query={queries.failed}>{(tasks) => <TaskList tasks={tasks} workspaceId={workspace.id} empty="No failed tasks." />}</Loaded>
        </HomeCard>
        <HomeCard label="Next schedules" title="Next schedules" more={<Link to="/w/$workspaceId/schedules" params={params} className={link}>All schedules</Link>}>
          <Loaded query={queries.schedules}>{(schedules) => <NextFiresList schedules={schedules} workspaceId={workspace.id} now={now} />}</Loaded>
        </HomeCard>
        {mayManage ? (
          <HomeCard label="Recent activity" title="Recent activity" more={<Link to="/w/$workspaceId/audit" params={params} className={link}>Audit log</Link>}>
            <Loaded query={queries.audit}>{(events) => <RecentAudit events={events} now={now} />}</Loaded>
          </HomeCard>
        ) : null}
        <HomeCard label="Server" title="Server">
          <ServerStatus />
        </HomeCard>
      </div>
    </>
  );
}
