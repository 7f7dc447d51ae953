import { z } from 'zod';
import type { Clock } from '../../platform/clock/clock.ts';
import type { EventBus } from '../../platform/events/events.port.ts';
import type { WorkspaceRole } from '../../platform/http/permissions.ts';
import type { Worker } from '../../platform/queue/queue.port.ts';
import type { RunOrigin, RunSecretUser, RunsService } from '../runs/runs.service.ts';
import type { Run, RunAttempt, RunLogLine } from '../runs/runs.schema.ts';
import { taskEventTypes, type CreateTaskRequest, type Task, type TaskAttempt, type TaskDetail, type TaskKindView, type TaskListQuery, type TaskLogLine } from './tasks.schema.ts';

/** The feature name tasks' runs carry. */
export const tasksFeature = 'tasks';
const defaultMaxAttempts = 3;

export type TaskOrigin = RunOrigin & { type: 'api' | 'cli' | 'schedule' };
/** Who a task acts for when it uses workspace secrets. */
export type TaskSecretUser = RunSecretUser;

/** Tasks: runs people start by hand (API, command line) or by schedule, shown and steered through the tasks API. */
export interface TasksService {
  kinds(): TaskKindView[];
  /** For schedules: see `RunsService.prepare`. */
  prepare(workspaceId: string, kind: string, input: unknown, user: TaskSecretUser, previous?: Record<string, string>): Promise<{ input: unknown; sealed: Record<string, string> }>;
  redactInput(kind: string, input: unknown): unknown;
  unsealInput(kind: string, input: unknown, sealed: Record<string, string>): unknown;
  create(workspaceId: string, request: CreateTaskRequest, origin: TaskOrigin): Promise<Task>;
  /** For schedules: creates (once per `idempotencyKey`) a task that will run. */
  start(workspaceId: string, request: { kind: string; input: unknown }, origin: { type: 'schedule'; id: string; idempotencyKey: string } & TaskSecretUser): Promise<{ id: string }>;
  list(workspaceId: string, query: TaskListQuery): Promise<{ tasks: Task[]; nextCursor: string | null }>;
  get(workspaceId: string, id: string): Promise<Task>;
  detail(workspaceId: string, id: string): Promise<TaskDetail>;
  logs(workspaceId: string, id: string, after?: string): Promise<TaskLogLine[]>;
  cancel(workspaceId: string, id: string): Promise<Task>;
  retry(workspaceId: string, id: string): Promise<Task>;
  /** Starts carrying out runs in this process. */
  work(options: { concurrency: number }): Worker;
}

export interface TasksServiceOptions {
  runs: RunsService;
  events: EventBus;
  clock: Clock;
  /**
   * The names of a workspace's schedules among `ids` (those that still exist), so a task says which schedule
   * started it. Default: none (origins carry the id only).
   */
  scheduleNames?: (workspaceId: string, ids: readonly string[]) => Promise<Map<string, string>>;
  /** Event publishing failures (the stored state stays right; only the live view misses an update). */
  onEventError?: (error: unknown) => void;
}

const toAttempt = ({ number, startedAt, finishedAt, outcome, error }: RunAttempt): TaskAttempt => ({ number, startedAt, finishedAt, outcome, error });
const toLogLine = ({ id, attempt, at, line }: RunLogLine): TaskLogLine => ({ id, attempt, at, line });

export const createTasksService = ({ runs, events, clock, scheduleNames, onEventError = () => {} }: TasksServiceOptions): TasksService => {
  const toTask = (run: Run): Task => {
    const end = run.finishedAt ? Date.parse(run.finishedAt) : run.state === 'running' ? clock.now().getTime() : null;
    return {
      id: run.id,
      workspaceId: run.workspaceId,
      kind: run.kind,
      input: run.input,
      state: run.state,
      attempts: run.attempts,
      maxAttempts: run.maxAttempts,
      interruptedAttempts: run.interruptedAttempts,
      progress: run.progress,
      output: run.output,
      error: run.error,
      origin: { type: run.origin.type, id: run.origin.id, name: null, deleted: false },
      createdBy: run.createdBy,
      createdAt: run.createdAt,
      runAt: run.runAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      durationMs: run.startedAt && end !== null ? Math.max(0, end - Date.parse(run.startedAt)) : null,
    };
  };

  /** Tasks of one workspace with the names of the schedules that started them (one lookup for the lot). */
  const named = async (workspaceId: string, tasks: Task[]): Promise<Task[]> => {
    const ids = [...new Set(tasks.flatMap((task) => (task.origin.type === 'schedule' && task.origin.id ? [task.origin.id] : [])))];
    if (!scheduleNames || ids.length === 0) return tasks;
    const names = await scheduleNames(workspaceId, ids);
    return tasks.map((task) => {
      if (task.origin.type !== 'schedule' || !task.origin.id) return task;
      const name = names.get(task.origin.id);
      return { ...task, origin: { ...task.origin, name: name ?? null, deleted: name === undefined } };
    });
  };
  const namedOne = async (task: Task): Promise<Task> => (await named(task.workspaceId, [task]))[0]!;

  // Events leave in the order they happened even though an update waits for its schedule's name; only the
  // lookups are chained, a slow event bus holds nothing up.
  let ordered: Promise<unknown> = Promise.resolve();
  const publish = (workspaceId: string, type: string, data: Task | Record<string, unknown>): void => {
    const ready = ordered.then(async () => ('origin' in data ? namedOne(data as Task) : data)).catch((error: unknown) => {
      onEventError(error);
      return data;
    });
    ordered = ready.then((named) => {
      events.publish({ type, workspaceId, data: named }).catch(onEventError);
    });
  };
  runs.observe(tasksFeature, {
    update: (run) => publish(run.workspaceId, taskEventTypes.update, toTask({ ...run, input: runs.redactInput(run.kind, run.input) })),
    progress: (run, percent, message) => publish(run.workspaceId, taskEventTypes.progress, { taskId: run.id, percent, message }),
    log: (run, line) => publish(run.workspaceId, taskEventTypes.log, { taskId: run.id, ...toLogLine(line) }),
  });

  const create = async (workspaceId: string, request: CreateTaskRequest, origin: TaskOrigin): Promise<Task> =>
    namedOne(toTask(await runs.create(workspaceId, { ...request, feature: tasksFeature, origin })));

  return {
    kinds: () =>
      runs.kinds().map((kind) => ({
        name: kind.name,
        description: kind.description,
        inputSchema: z.toJSONSchema(kind.input, { unrepresentable: 'any' }) as Record<string, unknown>,
        maxAttempts: kind.maxAttempts ?? defaultMaxAttempts,
        example: kind.example,
      })),
    prepare: (workspaceId, kind, input, user, previous) => runs.prepare(workspaceId, kind, input, user, previous),
    redactInput: (kind, input) => runs.redactInput(kind, input),
    unsealInput: (kind, input, sealed) => runs.unsealInput(kind, input, sealed),
    create,
    async start(workspaceId, request, origin) {
      const role: WorkspaceRole | null = origin.role;
      const task = await create(workspaceId, { kind: request.kind, input: request.input, idempotencyKey: origin.idempotencyKey }, { type: 'schedule', id: origin.id, userId: origin.userId, role });
      return { id: task.id };
    },
    async list(workspaceId, query) {
      const page = await runs.list(workspaceId, { ...query, feature: tasksFeature });
      return { tasks: await named(workspaceId, page.runs.map(toTask)), nextCursor: page.nextCursor };
    },
    get: async (workspaceId, id) => namedOne(toTask(await runs.get(workspaceId, id))),
    async detail(workspaceId, id) {
      const detail = await runs.detail(workspaceId, id);
      return { task: await namedOne(toTask(detail.run)), attempts: detail.attempts.map(toAttempt), logs: detail.logs.map(toLogLine) };
    },
    logs: async (workspaceId, id, after) => (await runs.logs(workspaceId, id, after)).map(toLogLine),
    cancel: async (workspaceId, id) => namedOne(toTask(await runs.cancel(workspaceId, id))),
    retry: async (workspaceId, id) => namedOne(toTask(await runs.retry(workspaceId, id))),
    work: (options) => runs.work(options),
  };
};
