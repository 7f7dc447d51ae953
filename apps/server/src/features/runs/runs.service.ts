import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import type { WorkspaceRole } from '../../platform/http/permissions.ts';
import { UnrecoverableJobError, type JobContext, type JobQueue, type JobQueueFailure, type Worker } from '../../platform/queue/queue.port.ts';
import { createRunExecution, type RunExecution } from './run-execution.ts';
import { createRunEnqueuer, runsQueue } from './run-enqueue.ts';
import { createRunKindRegistry } from './run-kind-registry.ts';
import type { RunKind } from './runs.kinds.ts';
import type { RunsRepository } from './runs.repository.ts';
import { isFinishedRunState, type Run, type RunDetail, type RunEndEvent, type RunListQuery, type RunLogLine, type RunOriginType } from './runs.schema.ts';

declare module '../../platform/queue/queue.port.ts' {
  interface JobPayloads {
    /** Carries out one attempt of a run; everything else about the run is in its row. */
    'run.execute': { runId: string };
    /** Jobs BullMQ installations enqueued before runs existed (a task's id is its run's id). */
    'task.run': { taskId: string };
  }
}

export { runsQueue } from './run-enqueue.ts';
/** Where `task.run` jobs enqueued before issue 12 still wait on BullMQ (the migration cannot reach Redis). */
const legacyTasksQueue = 'tasks';
const defaultMaxAttempts = 3;
const defaultMaxInterruptedAttempts = 5;
const defaultTimeoutMs = 5 * 60_000;
const logPageSize = 1_000;

/** Who a run acts for when it uses workspace secrets. */
export interface RunSecretUser {
  userId: string | null;
  role: WorkspaceRole | null;
}

/** The workspace secrets store, as runs use it: by name, checked against the run's creator. */
export interface RunSecrets {
  /** Throws `secret_unknown` / `secret_not_usable`. */
  check(workspaceId: string, name: string, user: RunSecretUser): Promise<void>;
  reveal(workspaceId: string, name: string, user: RunSecretUser): Promise<string>;
}

/** Encrypted storage for the credential values sealed out of run inputs. */
export interface RunVault {
  store(workspaceId: string | null, name: string, value: string): Promise<void>;
  reveal(workspaceId: string | null, name: string): Promise<string | undefined>;
  remove(workspaceId: string | null, name: string): Promise<void>;
}

/** The encrypted secret holding a run's sealed input values (named from tasks' time; no user-made name has a `:`). */
export const runInputSecretName = (runId: string): string => `task-input:${runId}`;

export interface RunOrigin {
  type: RunOriginType;
  /** The schedule (or other record) that started the run. */
  id?: string | null;
  /** The person who asked for it (API key owner for keys). */
  userId?: string | null;
  /** The role they acted with; the run may use the workspace secrets this role may use. Default: `owner` from the command line, else none. */
  role?: WorkspaceRole | null;
}

export interface CreateRunRequest {
  kind: string;
  input: unknown;
  /** The feature the run belongs to. */
  feature: string;
  origin: RunOrigin;
  /** Makes this run a step or part of another run (same workspace). */
  parentRunId?: string;
  /** A repeated create with the same key (per workspace) returns the first run. */
  idempotencyKey?: string;
  delayMs?: number;
  maxAttempts?: number;
}

/** Watches the runs of one feature (to show them live); called after each stored change. */
export interface RunObserver {
  update(run: Run): void;
  progress(run: Run, percent: number, message: string | null): void;
  log(run: Run, line: RunLogLine): void;
}

export interface RunsService {
  kinds(): RunKind[];
  /** Throws `task_kind_unknown`. */
  kind(name: string): RunKind;
  /**
   * Checks a kind and input as `user` would create it (`task_kind_unknown`, `validation_failed`, `secret_unknown`,
   * `secret_not_usable`) and returns the input to store, credentials moved into `sealed` (`previous`: values sealed
   * before, kept where the input says `[redacted]`). Creates nothing.
   */
  prepare(workspaceId: string, kind: string, input: unknown, user: RunSecretUser, previous?: Record<string, string>): Promise<{ input: unknown; sealed: Record<string, string> }>;
  /** A stored input as readers may see it. */
  redactInput(kind: string, input: unknown): unknown;
  /** A stored input with its sealed values back. */
  unsealInput(kind: string, input: unknown, sealed: Record<string, string>): unknown;
  /** Stores the run and its queue job in one step: once this resolves, the run will be carried out. */
  create(workspaceId: string, request: CreateRunRequest): Promise<Run>;
  /** Throws `task_not_found`. */
  get(workspaceId: string, id: string): Promise<Run>;
  list(workspaceId: string, query: RunListQuery): Promise<{ runs: Run[]; nextCursor: string | null }>;
  detail(workspaceId: string, id: string): Promise<RunDetail>;
  logs(workspaceId: string, id: string, after?: string): Promise<RunLogLine[]>;
  /** The steps or parts of a run, oldest first. */
  children(runId: string): Promise<Run[]>;
  /** Throws `task_state_conflict` for a finished run. */
  cancel(workspaceId: string, id: string): Promise<Run>;
  /** Runs a failed or cancelled run again with fresh attempts; throws `task_state_conflict` otherwise. */
  retry(workspaceId: string, id: string): Promise<Run>;
  observe(feature: string, observer: RunObserver): void;
  /** Hands outbox rows a moment old to the queue (a process died between storing a run and enqueuing it). */
  relay(): Promise<number>;
  /** Relays every second until the returned function is called; for every node whose queue is not transactional. */
  startRelay(): () => void;
  /** Starts carrying out runs in this process. */
  work(options: { concurrency: number }): Worker;
}

export interface RunsServiceOptions {
  repository: RunsRepository;
  queue: JobQueue;
  clock: Clock;
  ids: Ids;
  kinds: RunKind[];
  secrets: RunSecrets;
  vault: RunVault;
  /** Receives `run-end` once a run is over (the domain events of the application). */
  domainEvents: { emit(event: RunEndEvent): Promise<void> };
  /** Failures of observers, domain event handlers and outbox hand-overs (the stored state stays right). */
  onError?: (error: unknown, context: { component: string }) => void;
}

/** A new run, `queued`, as `create` stores it. */
const newRun = (id: string, workspaceId: string, request: CreateRunRequest, kind: RunKind, input: unknown, user: RunSecretUser, at: Date): Run => ({
  id,
  workspaceId,
  kind: kind.name,
  feature: request.feature,
  input,
  state: 'queued',
  attempts: 0,
  maxAttempts: request.maxAttempts ?? kind.maxAttempts ?? defaultMaxAttempts,
  interruptedAttempts: 0,
  maxInterruptedAttempts: defaultMaxInterruptedAttempts,
  currentAttemptId: null,
  jobId: null,
  progress: null,
  output: null,
  error: null,
  parentRunId: request.parentRunId ?? null,
  idempotencyKey: request.idempotencyKey ?? null,
  origin: { type: request.origin.type, id: request.origin.id ?? null },
  createdBy: user.userId,
  createdByRole: user.role,
  createdAt: at.toISOString(),
  runAt: new Date(at.getTime() + (request.delayMs ?? 0)).toISOString(),
  startedAt: null,
  finishedAt: null,
  updatedAt: at.toISOString(),
});

/** Puts a run's sealed credential values back into its input, just before it executes. */
const unsealFromVault = async (vault: RunVault, kind: RunKind, run: Run): Promise<unknown> => {
  if (!kind.sealing) return run.input;
  const stored = await vault.reveal(run.workspaceId, runInputSecretName(run.id));
  try {
    return kind.sealing.unseal(run.input, stored === undefined ? {} : (JSON.parse(stored) as Record<string, string>));
  } catch (error) {
    throw new UnrecoverableJobError(error instanceof Error ? error.message : String(error));
  }
};

/** Workers for runs; on BullMQ also for the `task.run` jobs enqueued before runs existed. */
const startWorkers = (queue: JobQueue, execution: RunExecution, concurrency: number): Worker => {
  const onQueueFailure = async (failure: JobQueueFailure) => {
    const payload = failure.payload as { runId?: string; taskId?: string };
    const runId = payload.runId ?? payload.taskId;
    if (runId) await execution.failedByQueue(runId, failure.error);
  };
  const workers = [queue.work(runsQueue, { 'run.execute': execution.execute }, { concurrency, onQueueFailure })];
  if (!queue.capabilities.transactional) {
    const legacy = (job: JobContext<{ taskId: string }>) => execution.execute({ ...job, payload: { runId: job.payload.taskId } });
    workers.push(queue.work(legacyTasksQueue, { 'task.run': legacy }, { concurrency, onQueueFailure }));
  }
  return { close: async (graceMs) => void (await Promise.all(workers.map((worker) => worker.close(graceMs)))) };
};

/** Runs a synchronous callback of someone else's (an observer), reporting what it throws instead of passing it on. */
const guarded = (onError: NonNullable<RunsServiceOptions['onError']>) => (component: string, work: () => void) => {
  try {
    work();
  } catch (error) {
    onError(error, { component });
  }
};

export const createRunsService = ({ repository, queue, clock, ids, kinds: declared, secrets, vault, domainEvents, onError = () => {} }: RunsServiceOptions): RunsService => {
  const kinds = createRunKindRegistry(declared, secrets);
  const observers = new Map<string, RunObserver>();
  const now = () => clock.now().toISOString();
  const shown = (run: Run): Run => ({ ...run, input: kinds.redact(run.kind, run.input) });

  const guard = guarded(onError);
  const changed = async (id: string, ended: boolean): Promise<void> => {
    const run = await repository.findById(id);
    if (!run) return;
    const observer = observers.get(run.feature);
    if (observer) guard('runs.observer', () => observer.update(run));
    if (ended && isFinishedRunState(run.state)) {
      const event: RunEndEvent = { type: 'run-end', runId: run.id, workspaceId: run.workspaceId, kind: run.kind, feature: run.feature, parentRunId: run.parentRunId, state: run.state as RunEndEvent['state'], error: run.error };
      await domainEvents.emit(event).catch((error: unknown) => onError(error, { component: 'runs.run-end' }));
    }
  };
  const enqueuer = createRunEnqueuer({ repository, queue, clock, ids, timeoutMsOf: (run) => kinds.get(run.kind)?.timeoutMs ?? defaultTimeoutMs, onError });

  const notFound = (id: string) => new SteadError('task_not_found', `Task ${id} does not exist in this workspace`);
  const findOrThrow = async (workspaceId: string, id: string): Promise<Run> => {
    const run = await repository.find(workspaceId, id);
    if (!run) throw notFound(id);
    return run;
  };

  const execution = createRunExecution({
    repository,
    clock,
    ids,
    kindOf: kinds.get,
    secrets,
    unseal: (kind, run) => unsealFromVault(vault, kind, run),
    // Receivers have deduplicated tasks by `task:<id>` since before runs existed; tasks keep that key.
    sideEffectKey: (run) => `${run.feature === 'tasks' ? 'task' : 'run'}:${run.id}`,
    changed: (id, ended) => changed(id, ended).catch((error: unknown) => onError(error, { component: 'runs.observer' })),
    progressed: (run, percent, message) => guard('runs.observer', () => observers.get(run.feature)?.progress(run, percent, message)),
    logged: (run, line) => guard('runs.observer', () => observers.get(run.feature)?.log(run, line)),
  });

  /** Writes the run with its job (or outbox row) in one transaction, announcing it before commit. */
  const store = async (run: Run, jobKey: string, write: (tx: RunsRepository) => Promise<void>): Promise<void> => {
    const outboxed = await repository.transaction(async (tx, transaction) => {
      await write(tx);
      const viaOutbox = await enqueuer.within(tx, transaction, run, jobKey);
      // Announced before commit: once committed a worker may announce `running` before this request resumes,
      // and a later `queued` would leave live views showing a finished run as queued.
      guard('runs.observer', () => observers.get(run.feature)?.update(shown(run)));
      return viaOutbox;
    });
    // Committed: the run will be carried out. A failed hand-over is left to the relay, never to the caller.
    if (outboxed) await enqueuer.handOver(run.id, jobKey);
  };

  const create = async (workspaceId: string, request: CreateRunRequest): Promise<Run> => {
    const { origin } = request;
    const user: RunSecretUser = { userId: origin.userId ?? null, role: origin.role ?? (origin.type === 'cli' ? 'owner' : null) };
    const valid = kinds.validate(request.kind, request.input);
    if (request.idempotencyKey) {
      const existing = await repository.findByIdempotencyKey(workspaceId, request.idempotencyKey);
      if (existing) return shown(existing);
    }
    if (request.parentRunId) await findOrThrow(workspaceId, request.parentRunId);
    const { input, sealed } = await kinds.seal(workspaceId, valid.kind, valid.input, user);
    const run = newRun(ids.next(), workspaceId, request, valid.kind, input, user, clock.now());
    const hasSealed = Object.keys(sealed).length > 0;
    // Stored before the row, so a worker never finds the run without its values.
    if (hasSealed) await vault.store(workspaceId, runInputSecretName(run.id), JSON.stringify(sealed));
    try {
      await store(run, `run:${run.id}`, (tx) => tx.insert(run));
    } catch (error) {
      if (hasSealed) await vault.remove(workspaceId, runInputSecretName(run.id));
      // Two requests with one idempotency key raced: the unique index let one through; answer with it.
      const winner = request.idempotencyKey ? await repository.findByIdempotencyKey(workspaceId, request.idempotencyKey) : undefined;
      if (winner) return shown(winner);
      throw error;
    }
    return shown(run);
  };

  return {
    kinds: () => kinds.all(),
    kind: (name) => kinds.require(name),
    prepare: (workspaceId, kindName, input, user, previous) => kinds.prepare(workspaceId, kindName, input, user, previous),
    redactInput: (kindName, input) => kinds.redact(kindName, input),
    unsealInput: (kindName, input, sealed) => kinds.unseal(kindName, input, sealed),
    create,
    get: async (workspaceId, id) => shown(await findOrThrow(workspaceId, id)),
    async list(workspaceId, query) {
      const runs = await repository.list(workspaceId, query);
      const page = runs.slice(0, query.limit);
      return { runs: page.map(shown), nextCursor: runs.length > query.limit ? page.at(-1)!.id : null };
    },
    async detail(workspaceId, id) {
      const run = await findOrThrow(workspaceId, id);
      const [attempts, logs] = await Promise.all([repository.attempts(id), repository.logs(id, undefined, logPageSize)]);
      return { run: shown(run), attempts, logs };
    },
    async logs(workspaceId, id, after) {
      await findOrThrow(workspaceId, id);
      return repository.logs(id, after, logPageSize);
    },
    children: async (runId) => (await repository.children(runId)).map(shown),

    async cancel(workspaceId, id) {
      const run = await repository.transaction(async (tx) => {
        const current = await tx.lock(id);
        if (!current || current.workspaceId !== workspaceId) throw notFound(id);
        if (isFinishedRunState(current.state)) throw new SteadError('task_state_conflict', `Task ${id} is already ${current.state}; only queued or running tasks can be cancelled`);
        const at = now();
        await tx.update(id, { state: 'cancelled', finishedAt: at, updatedAt: at });
        await tx.deleteOutbox(id);
        return current;
      });
      // A job that starts anyway finds its run cancelled and ends at once; this stops one already running.
      if (run.jobId) await queue.cancel(run.jobId);
      await changed(id, true);
      return shown((await repository.findById(id))!);
    },

    async retry(workspaceId, id) {
      // Read outside the transaction to build the fresh run; the transaction checks the state again under the lock.
      const current = await findOrThrow(workspaceId, id);
      const at = now();
      const fresh = { state: 'queued', attempts: 0, interruptedAttempts: 0, currentAttemptId: null, jobId: null, error: null, output: null, finishedAt: null, progress: null, runAt: at, updatedAt: at } as const;
      const retried: Run = shown({ ...current, ...fresh });
      await store(retried, `run:${id}:${ids.next()}`, async (tx) => {
        const locked = await tx.lock(id);
        if (!locked) throw notFound(id);
        if (locked.state !== 'failed' && locked.state !== 'cancelled') throw new SteadError('task_state_conflict', `Task ${id} is ${locked.state}; only failed or cancelled tasks can be retried`);
        await tx.update(id, fresh);
      });
      return retried;
    },

    observe(feature, observer) {
      observers.set(feature, observer);
    },
    relay: () => enqueuer.relay(),
    startRelay: () => enqueuer.startRelay(),

    work: ({ concurrency }) => startWorkers(queue, execution, concurrency),
  };
};
