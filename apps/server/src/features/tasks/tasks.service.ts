import { z } from 'zod';
import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { isSteadError, SteadError } from '../../platform/errors/stead-error.ts';
import type { EventBus } from '../../platform/events/events.port.ts';
import {
  DelayJobError,
  JobAbortedError,
  RateLimitJobError,
  UnrecoverableJobError,
  type JobContext,
  type JobQueue,
  type Worker,
} from '../../platform/queue/queue.port.ts';
import type { WorkspaceRole } from '../../platform/http/permissions.ts';
import type { TaskKind, TaskRunContext } from './task-kind.ts';
import type { TaskRow, TasksRepository } from './tasks.repository.ts';
import {
  finishedTaskStates,
  taskEventTypes,
  type CreateTaskRequest,
  type Task,
  type TaskAttempt,
  type TaskDetail,
  type TaskKindView,
  type TaskListQuery,
  type TaskLogLine,
  type TaskState,
} from './tasks.schema.ts';

declare module '../../platform/queue/queue.port.ts' {
  interface JobPayloads {
    /** Carries out one task; everything else about the task is in its row. */
    'task.run': { taskId: string };
  }
}

/** The queue every task runs on; concurrency is per worker process (`STEAD_WORKER_CONCURRENCY`). */
export const tasksQueue = 'tasks';
const defaultMaxAttempts = 3;
const defaultTimeoutMs = 5 * 60_000;
const logPageSize = 1_000;

export interface TaskOrigin {
  type: 'api' | 'cli' | 'schedule';
  /** The schedule that fired the task. */
  id?: string | null;
  /** The person who asked for it (API key owner for keys). */
  userId?: string | null;
  /**
   * The role they acted with (their member role, or the API key's role): the task may use the workspace secrets
   * this role may use. Default: `owner` for the command line (the host's operator), otherwise none.
   */
  role?: WorkspaceRole | null;
}

/** Who a task acts for when it uses workspace secrets. */
export interface TaskSecretUser {
  userId: string | null;
  role: WorkspaceRole | null;
}

/** The workspace secrets store, as tasks use it: by name, checked against the task's creator. */
export interface TaskSecrets {
  /** Throws `secret_unknown` / `secret_not_usable`. */
  check(workspaceId: string, name: string, user: TaskSecretUser): Promise<void>;
  reveal(workspaceId: string, name: string, user: TaskSecretUser): Promise<string>;
}

/** Encrypted storage for the credential values sealed out of task inputs. */
export interface TaskVault {
  store(workspaceId: string | null, name: string, value: string): Promise<void>;
  reveal(workspaceId: string | null, name: string): Promise<string | undefined>;
  remove(workspaceId: string | null, name: string): Promise<void>;
}

/** The encrypted secret holding a task's sealed input values (reserved prefix: no user-made name has a `:`). */
export const taskInputSecretName = (taskId: string): string => `task-input:${taskId}`;

export interface TasksServiceOptions {
  repository: TasksRepository;
  queue: JobQueue;
  events: EventBus;
  clock: Clock;
  ids: Ids;
  kinds: TaskKind[];
  secrets: TaskSecrets;
  vault: TaskVault;
  /** Event publishing failures (the stored state stays right; only the live view misses an update). */
  onEventError?: (error: unknown) => void;
}

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const isFinished = (state: string): boolean => finishedTaskStates.includes(state as TaskState);

const roleOf = (role: string | null, origin: string): WorkspaceRole | null => (role as WorkspaceRole | null) ?? (origin === 'cli' ? 'owner' : null);

export const createTasksService = ({ repository, queue, events, clock, ids, kinds, secrets, vault, onEventError = () => {} }: TasksServiceOptions) => {
  const kindsByName = new Map(kinds.map((kind) => [kind.name, kind]));
  const now = () => clock.now().toISOString();

  const toTask = (row: TaskRow): Task => {
    const end = row.finishedAt ? Date.parse(row.finishedAt) : row.state === 'running' ? clock.now().getTime() : null;
    return {
      id: row.id,
      workspaceId: row.workspaceId,
      kind: row.kind,
      // Rows from before sealing may hold credential headers in plaintext: reads never show them.
      input: redactInput(row.kind, parseJson(row.input)),
      state: row.state as TaskState,
      attempts: row.attempts,
      maxAttempts: row.maxAttempts,
      progress: row.progressPercent === null ? null : { percent: row.progressPercent, message: row.progressMessage },
      output: parseJson(row.output),
      error: row.error,
      origin: { type: row.origin as Task['origin']['type'], id: row.originId },
      createdBy: row.createdBy,
      createdAt: row.createdAt,
      runAt: row.runAt,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
      durationMs: row.startedAt && end !== null ? Math.max(0, end - Date.parse(row.startedAt)) : null,
    };
  };

  const publish = (workspaceId: string, type: string, data: unknown): void => {
    events.publish({ type, workspaceId, data }).catch(onEventError);
  };
  const publishUpdate = async (id: string): Promise<void> => {
    const row = await repository.findById(id);
    if (row) publish(row.workspaceId, taskEventTypes.update, toTask(row));
  };

  const redactInput = (kindName: string, input: unknown): unknown => kindsByName.get(kindName)?.sealing?.redact(input) ?? input;

  /** Checks every workspace secret the input names against the user; nothing is revealed. */
  const checkSecrets = async (workspaceId: string, kind: TaskKind, input: unknown, user: TaskSecretUser): Promise<void> => {
    for (const name of kind.secretNames?.(input) ?? []) await secrets.check(workspaceId, name, user);
  };

  /** The input to store (credentials replaced by `[redacted]`) and the values moved out of it. */
  const seal = (kind: TaskKind, input: unknown, previous?: Record<string, string>) => kind.sealing?.seal(input, previous) ?? { input, sealed: {} };

  const kindOf = (name: string): TaskKind => {
    const kind = kindsByName.get(name);
    if (!kind) throw new SteadError('task_kind_unknown', `No task kind is called ${name}; known kinds: ${[...kindsByName.keys()].join(', ')}`);
    return kind;
  };

  const validate = (kindName: string, input: unknown): unknown => {
    const kind = kindOf(kindName);
    const parsed = kind.input.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: ['input', ...issue.path].join('.'), message: issue.message }));
      throw new SteadError('validation_failed', `Invalid input for ${kindName}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, { details: { issues } });
    }
    return parsed.data;
  };

  const enqueue = async (row: Pick<TaskRow, 'id' | 'maxAttempts' | 'kind'>, delayMs: number, keySuffix = '') => {
    const kind = kindOf(row.kind);
    return queue.enqueue('task.run', { taskId: row.id }, {
      queue: tasksQueue,
      delayMs,
      maxAttempts: row.maxAttempts,
      timeoutMs: kind.timeoutMs ?? defaultTimeoutMs,
      idempotencyKey: `task:${row.id}${keySuffix}`,
    });
  };

  const create = async (workspaceId: string, request: CreateTaskRequest, origin: TaskOrigin): Promise<Task> => {
    const kind = kindOf(request.kind);
    const input = validate(request.kind, request.input);
    if (request.idempotencyKey) {
      const existing = await repository.findByIdempotencyKey(workspaceId, request.idempotencyKey);
      if (existing) return toTask(existing);
    }
    const user: TaskSecretUser = { userId: origin.userId ?? null, role: origin.role ?? (origin.type === 'cli' ? 'owner' : null) };
    await checkSecrets(workspaceId, kind, input, user);
    const sealed = seal(kind, input);
    const at = clock.now();
    const delayMs = request.delayMs ?? 0;
    const row: TaskRow = {
      id: ids.next(),
      workspaceId,
      kind: kind.name,
      input: JSON.stringify(sealed.input),
      state: 'queued',
      jobId: null,
      attempts: 0,
      maxAttempts: request.maxAttempts ?? kind.maxAttempts ?? defaultMaxAttempts,
      progressPercent: null,
      progressMessage: null,
      output: null,
      error: null,
      origin: origin.type,
      originId: origin.id ?? null,
      idempotencyKey: request.idempotencyKey ?? null,
      createdBy: user.userId,
      createdByRole: user.role,
      createdAt: at.toISOString(),
      runAt: new Date(at.getTime() + delayMs).toISOString(),
      startedAt: null,
      finishedAt: null,
      updatedAt: at.toISOString(),
    };
    const hasSealed = Object.keys(sealed.sealed).length > 0;
    // Stored before the row, so a worker never finds the task without its values.
    if (hasSealed) await vault.store(workspaceId, taskInputSecretName(row.id), JSON.stringify(sealed.sealed));
    const discardSealed = async () => {
      if (hasSealed) await vault.remove(workspaceId, taskInputSecretName(row.id));
    };
    try {
      await repository.insert(row);
    } catch (error) {
      await discardSealed();
      // Two requests with one idempotency key raced: the unique index let one through; answer with it.
      const winner = request.idempotencyKey ? await repository.findByIdempotencyKey(workspaceId, request.idempotencyKey) : undefined;
      if (winner) return toTask(winner);
      throw error;
    }
    // Announced before the job exists: once enqueued, a worker may start it and announce `running` before this
    // request resumes, and a `queued` event after that would leave live views showing a finished task as queued.
    publish(workspaceId, taskEventTypes.update, toTask(row));
    try {
      const job = await enqueue(row, delayMs);
      await repository.update(row.id, { jobId: job.id });
      row.jobId = job.id;
    } catch (error) {
      // Nothing may be left behind for a request that failed.
      await repository.deleteById(row.id);
      await discardSealed();
      throw error;
    }
    return toTask(row);
  };

  const findOrThrow = async (workspaceId: string, id: string): Promise<TaskRow> => {
    const row = await repository.find(workspaceId, id);
    if (!row) throw new SteadError('task_not_found', `Task ${id} does not exist in this workspace`);
    return row;
  };

  /**
   * A job can end without its handler noticing: a worker killed during the last allowed attempt leaves the
   * task `running` while the queue has failed the job. Reading a task brings it in line with its job.
   */
  const reconcile = async (row: TaskRow): Promise<TaskRow> => {
    if (isFinished(row.state) || !row.jobId || row.state === 'queued') return row;
    const job = await queue.get(row.jobId);
    if (!job || !['failed', 'completed', 'cancelled'].includes(job.state)) return row;
    const at = job.finishedAt ?? now();
    const state: TaskState = job.state === 'completed' ? 'succeeded' : job.state === 'failed' ? 'failed' : 'cancelled';
    await repository.interruptRunningAttempts(row.id, at);
    await repository.updateUnfinished(row.id, { state, error: row.error ?? job.error, finishedAt: at, updatedAt: now() });
    return (await repository.findById(row.id)) ?? row;
  };

  /** Puts a task's sealed credential values back into its input, just before it runs. */
  const unseal = async (kind: TaskKind, workspaceId: string, taskId: string, input: unknown): Promise<unknown> => {
    if (!kind.sealing) return input;
    const stored = await vault.reveal(workspaceId, taskInputSecretName(taskId));
    try {
      return kind.sealing.unseal(input, stored === undefined ? {} : (JSON.parse(stored) as Record<string, string>));
    } catch (error) {
      throw new UnrecoverableJobError(errorMessage(error));
    }
  };

  const runJob = async (job: JobContext<{ taskId: string }>): Promise<null> => {
    const row = await repository.findById(job.payload.taskId);
    if (!row || isFinished(row.state)) return null;
    const kind = kindsByName.get(row.kind);
    const startedAt = now();
    await repository.interruptRunningAttempts(row.id, startedAt);
    await repository.insertAttempt({ id: ids.next(), taskId: row.id, number: job.attempt, startedAt, finishedAt: null, outcome: 'running', error: null });
    const claimed = await repository.updateUnfinished(row.id, { state: 'running', attempts: job.attempt, startedAt: row.startedAt ?? startedAt, error: null, updatedAt: startedAt });
    if (!claimed) return null;
    await publishUpdate(row.id);

    const user: TaskSecretUser = { userId: row.createdBy, role: roleOf(row.createdByRole, row.origin) };
    const context: TaskRunContext = {
      taskId: row.id,
      workspaceId: row.workspaceId,
      attempt: job.attempt,
      idempotencyKey: `task:${row.id}`,
      signal: job.signal,
      progress: async (percent, message) => {
        const clamped = Math.max(0, Math.min(100, Math.round(percent)));
        await repository.update(row.id, { progressPercent: clamped, progressMessage: message ?? null, updatedAt: now() });
        publish(row.workspaceId, taskEventTypes.progress, { taskId: row.id, percent: clamped, message: message ?? null });
      },
      log: async (line) => {
        const entry: TaskLogLine = { id: ids.next(), attempt: job.attempt, at: now(), line: line.slice(0, 10_000) };
        await repository.insertLog({ ...entry, taskId: row.id });
        publish(row.workspaceId, taskEventTypes.log, { taskId: row.id, ...entry });
      },
      // Checked again at run time: the secret may have changed, or the creator been demoted, since creation.
      secret: async (name) => {
        try {
          return await secrets.reveal(row.workspaceId, name, user);
        } catch (error) {
          if (isSteadError(error) && (error.code === 'secret_unknown' || error.code === 'secret_not_usable')) throw new UnrecoverableJobError(`[${error.code}] ${error.message}`);
          throw error;
        }
      },
    };

    try {
      if (!kind) throw new UnrecoverableJobError(`Task kind ${row.kind} is no longer available on this server`);
      const input = kind.input.safeParse(parseJson(row.input));
      if (!input.success) throw new UnrecoverableJobError(`The stored input no longer matches ${row.kind}: ${input.error.message}`);
      const output = await kind.run(await unseal(kind, row.workspaceId, row.id, input.data), context);
      const finishedAt = now();
      await repository.endAttempt(row.id, job.attempt, { outcome: 'succeeded', finishedAt, error: null });
      await repository.updateUnfinished(row.id, { state: 'succeeded', output: JSON.stringify(output ?? null), finishedAt, updatedAt: finishedAt });
      await publishUpdate(row.id);
      return null;
    } catch (error) {
      const at = now();
      const abort = job.signal.aborted && job.signal.reason instanceof JobAbortedError ? job.signal.reason.reason : undefined;
      const message = abort ? (job.signal.reason as Error).message : errorMessage(error);
      if (abort === 'cancelled' || abort === 'closing' || abort === 'lease-lost') {
        // Not this attempt's failure: the task was cancelled, or it runs again (elsewhere).
        await repository.endAttempt(row.id, job.attempt, { outcome: 'interrupted', finishedAt: at, error: message });
        if (abort !== 'cancelled') await repository.updateUnfinished(row.id, { state: 'queued', updatedAt: at });
      } else if (error instanceof DelayJobError || error instanceof RateLimitJobError) {
        await repository.endAttempt(row.id, job.attempt, { outcome: 'delayed', finishedAt: at, error: message });
        await repository.updateUnfinished(row.id, { state: 'queued', updatedAt: at });
      } else {
        const final = error instanceof UnrecoverableJobError || job.attempt >= row.maxAttempts;
        await repository.endAttempt(row.id, job.attempt, { outcome: 'failed', finishedAt: at, error: message });
        await repository.updateUnfinished(row.id, { state: final ? 'failed' : 'retrying', error: message, finishedAt: final ? at : null, updatedAt: at });
      }
      await publishUpdate(row.id);
      throw error;
    }
  };

  return {
    kinds(): TaskKindView[] {
      return [...kindsByName.values()].map((kind) => ({
        name: kind.name,
        description: kind.description,
        inputSchema: z.toJSONSchema(kind.input, { unrepresentable: 'any' }) as Record<string, unknown>,
        maxAttempts: kind.maxAttempts ?? defaultMaxAttempts,
        example: kind.example,
      }));
    },

    /**
     * For schedules: checks a kind and input as `user` would create it (`task_kind_unknown`, `validation_failed`,
     * `secret_unknown`, `secret_not_usable`) and returns the input to store, credentials moved into `sealed`
     * (`previous`: values sealed before, kept where the input says `[redacted]`). Creates nothing.
     */
    async prepare(workspaceId: string, kindName: string, input: unknown, user: TaskSecretUser, previous?: Record<string, string>): Promise<{ input: unknown; sealed: Record<string, string> }> {
      const kind = kindOf(kindName);
      const parsed = validate(kindName, input);
      await checkSecrets(workspaceId, kind, parsed, user);
      return seal(kind, parsed, previous);
    },

    /** A stored input as readers may see it. */
    redactInput,

    /** A stored input with its sealed values back, to start a task with. */
    unsealInput(kindName: string, input: unknown, sealed: Record<string, string>): unknown {
      const kind = kindsByName.get(kindName);
      return kind?.sealing ? kind.sealing.unseal(input, sealed) : input;
    },

    create,

    /** For schedules: creates (once per `idempotencyKey`) and enqueues a task. */
    async start(workspaceId: string, request: { kind: string; input: unknown }, origin: { type: 'schedule'; id: string; idempotencyKey: string } & TaskSecretUser): Promise<{ id: string }> {
      const task = await create(workspaceId, { kind: request.kind, input: request.input, idempotencyKey: origin.idempotencyKey }, { type: 'schedule', id: origin.id, userId: origin.userId, role: origin.role });
      return { id: task.id };
    },

    async list(workspaceId: string, query: TaskListQuery): Promise<{ tasks: Task[]; nextCursor: string | null }> {
      const rows = await repository.list(workspaceId, query);
      const page = rows.slice(0, query.limit);
      const reconciled = await Promise.all(page.map((row) => (row.state === 'running' || row.state === 'retrying' ? reconcile(row) : row)));
      return { tasks: reconciled.map(toTask), nextCursor: rows.length > query.limit ? page.at(-1)!.id : null };
    },

    async get(workspaceId: string, id: string): Promise<Task> {
      return toTask(await reconcile(await findOrThrow(workspaceId, id)));
    },

    async detail(workspaceId: string, id: string): Promise<TaskDetail> {
      const row = await reconcile(await findOrThrow(workspaceId, id));
      const [attempts, logs] = await Promise.all([repository.attempts(id), repository.logs(id, undefined, logPageSize)]);
      return {
        task: toTask(row),
        attempts: attempts.map((attempt): TaskAttempt => ({ number: attempt.number, startedAt: attempt.startedAt, finishedAt: attempt.finishedAt, outcome: attempt.outcome as TaskAttempt['outcome'], error: attempt.error })),
        logs: logs.map(({ id: lineId, attempt, at, line }) => ({ id: lineId, attempt, at, line })),
      };
    },

    async logs(workspaceId: string, id: string, after?: string): Promise<TaskLogLine[]> {
      await findOrThrow(workspaceId, id);
      const rows = await repository.logs(id, after, logPageSize);
      return rows.map(({ id: lineId, attempt, at, line }) => ({ id: lineId, attempt, at, line }));
    },

    async cancel(workspaceId: string, id: string): Promise<Task> {
      const row = await findOrThrow(workspaceId, id);
      if (isFinished(row.state)) throw new SteadError('task_state_conflict', `Task ${id} is already ${row.state}; only queued or running tasks can be cancelled`);
      if (row.jobId) await queue.cancel(row.jobId);
      const at = now();
      await repository.updateUnfinished(row.id, { state: 'cancelled', finishedAt: at, updatedAt: at });
      await publishUpdate(row.id);
      return toTask((await repository.findById(row.id))!);
    },

    async retry(workspaceId: string, id: string): Promise<Task> {
      const row = await findOrThrow(workspaceId, id);
      if (row.state !== 'failed' && row.state !== 'cancelled') throw new SteadError('task_state_conflict', `Task ${id} is ${row.state}; only failed or cancelled tasks can be retried`);
      const at = now();
      await repository.update(row.id, { state: 'queued', attempts: 0, error: null, output: null, finishedAt: null, progressPercent: null, progressMessage: null, runAt: at, updatedAt: at });
      // The job comes back with fresh attempts; a job the queue no longer has is replaced by a new one.
      const revived = row.jobId ? await queue.retry(row.jobId) : false;
      if (!revived) {
        const job = await enqueue(row, 0, `:${ids.next()}`);
        await repository.update(row.id, { jobId: job.id });
      }
      await publishUpdate(row.id);
      return toTask((await repository.findById(row.id))!);
    },

    /** Starts carrying out tasks in this process. */
    work(options: { concurrency: number }): Worker {
      return queue.work(tasksQueue, { 'task.run': runJob }, { concurrency: options.concurrency });
    },

    /** Hands tasks whose process died between creating them and enqueuing them to the queue. */
    async recoverUnqueued(): Promise<number> {
      const rows = await repository.listUnqueued(new Date(clock.now().getTime() - 60_000).toISOString());
      for (const row of rows) {
        const job = await enqueue(row, 0);
        await repository.update(row.id, { jobId: job.id });
      }
      return rows.length;
    },
  };
};

export type TasksService = ReturnType<typeof createTasksService>;
