import type { Transaction } from 'kysely';
import type { Clock, Ids } from '../../platform/clock/clock.ts';
import type { Database } from '../../platform/database/database.types.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import type { WorkspaceRole } from '../../platform/http/permissions.ts';
import { UnrecoverableJobError, type EnqueueOptions, type JobContext, type JobQueue, type JobQueueFailure, type Worker } from '../../platform/queue/queue.port.ts';
import { createRunExecution } from './run-execution.ts';
import { createRunOutbox } from './run-outbox.ts';
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

/** The queue every run waits in; concurrency is per worker process (`STEAD_WORKER_CONCURRENCY`). */
export const runsQueue = 'runs';
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

export const createRunsService = ({ repository, queue, clock, ids, kinds, secrets, vault, domainEvents, onError = () => {} }: RunsServiceOptions): RunsService => {
  const kindsByName = new Map(kinds.map((kind) => [kind.name, kind]));
  const observers = new Map<string, RunObserver>();
  const now = () => clock.now().toISOString();

  const kindOf = (name: string): RunKind => {
    const kind = kindsByName.get(name);
    if (!kind) throw new SteadError('task_kind_unknown', `No task kind is called ${name}; known kinds: ${[...kindsByName.keys()].join(', ')}`);
    return kind;
  };
  const validate = (kind: RunKind, input: unknown): unknown => {
    const parsed = kind.input.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: ['input', ...issue.path].join('.'), message: issue.message }));
      throw new SteadError('validation_failed', `Invalid input for ${kind.name}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, { details: { issues } });
    }
    return parsed.data;
  };
  const checkSecrets = async (workspaceId: string, kind: RunKind, input: unknown, user: RunSecretUser): Promise<void> => {
    for (const name of kind.secretNames?.(input) ?? []) await secrets.check(workspaceId, name, user);
  };
  const seal = (kind: RunKind, input: unknown, previous?: Record<string, string>) => kind.sealing?.seal(input, previous) ?? { input, sealed: {} };
  const redactInput = (kindName: string, input: unknown): unknown => kindsByName.get(kindName)?.sealing?.redact(input) ?? input;

  const guard = (component: string, work: () => void) => {
    try {
      work();
    } catch (error) {
      onError(error, { component });
    }
  };
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

  const jobOptions = (run: Run, key: string): EnqueueOptions => ({
    queue: runsQueue,
    delayMs: Math.max(0, Date.parse(run.runAt) - clock.now().getTime()),
    maxAttempts: run.maxAttempts,
    timeoutMs: kindsByName.get(run.kind)?.timeoutMs ?? defaultTimeoutMs,
    idempotencyKey: key,
    // The queue's own stall ceiling stays above the run's, so the run's handler always decides (with its error).
    maxStalls: run.maxInterruptedAttempts + 2,
  });

  /**
   * Makes the run's job exist in the same transaction that writes the run: in the job table itself when the queue
   * can join the transaction, otherwise as an outbox row handed over after commit (`handOver`) or by the relay.
   */
  const enqueueWithin = async (tx: RunsRepository, transaction: Transaction<Database>, run: Run, key: string): Promise<boolean> => {
    if (queue.capabilities.transactional) {
      const job = await queue.enqueue('run.execute', { runId: run.id }, { ...jobOptions(run, key), transaction });
      await tx.update(run.id, { jobId: job.id, updatedAt: run.updatedAt });
      return false;
    }
    await tx.insertOutbox({ id: ids.next(), runId: run.id, jobKey: key, createdAt: now() });
    return true;
  };

  const outbox = createRunOutbox({ repository, queue, clock, jobOptions, onError });

  const findOrThrow = async (workspaceId: string, id: string): Promise<Run> => {
    const run = await repository.find(workspaceId, id);
    if (!run) throw new SteadError('task_not_found', `Task ${id} does not exist in this workspace`);
    return run;
  };
  const shown = (run: Run): Run => ({ ...run, input: redactInput(run.kind, run.input) });

  const unseal = async (kind: RunKind, run: Run): Promise<unknown> => {
    if (!kind.sealing) return run.input;
    const stored = await vault.reveal(run.workspaceId, runInputSecretName(run.id));
    try {
      return kind.sealing.unseal(run.input, stored === undefined ? {} : (JSON.parse(stored) as Record<string, string>));
    } catch (error) {
      throw new UnrecoverableJobError(error instanceof Error ? error.message : String(error));
    }
  };

  const execution = createRunExecution({
    repository,
    clock,
    ids,
    kindOf: (name) => kindsByName.get(name),
    secrets,
    unseal,
    // Receivers have deduplicated tasks by `task:<id>` since before runs existed; tasks keep that key.
    sideEffectKey: (run) => `${run.feature === 'tasks' ? 'task' : 'run'}:${run.id}`,
    changed: (id, ended) => changed(id, ended).catch((error: unknown) => onError(error, { component: 'runs.observer' })),
    progressed: (run, percent, message) => guard('runs.observer', () => observers.get(run.feature)?.progress(run, percent, message)),
    logged: (run, line) => guard('runs.observer', () => observers.get(run.feature)?.log(run, line)),
  });

  const create = async (workspaceId: string, request: CreateRunRequest): Promise<Run> => {
    const kind = kindOf(request.kind);
    const input = validate(kind, request.input);
    if (request.idempotencyKey) {
      const existing = await repository.findByIdempotencyKey(workspaceId, request.idempotencyKey);
      if (existing) return shown(existing);
    }
    if (request.parentRunId) await findOrThrow(workspaceId, request.parentRunId);
    const { origin } = request;
    const user: RunSecretUser = { userId: origin.userId ?? null, role: origin.role ?? (origin.type === 'cli' ? 'owner' : null) };
    await checkSecrets(workspaceId, kind, input, user);
    const sealed = seal(kind, input);
    const at = clock.now();
    const run: Run = {
      id: ids.next(),
      workspaceId,
      kind: kind.name,
      feature: request.feature,
      input: sealed.input,
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
      origin: { type: origin.type, id: origin.id ?? null },
      createdBy: user.userId,
      createdByRole: user.role,
      createdAt: at.toISOString(),
      runAt: new Date(at.getTime() + (request.delayMs ?? 0)).toISOString(),
      startedAt: null,
      finishedAt: null,
      updatedAt: at.toISOString(),
    };
    const hasSealed = Object.keys(sealed.sealed).length > 0;
    // Stored before the row, so a worker never finds the run without its values.
    if (hasSealed) await vault.store(workspaceId, runInputSecretName(run.id), JSON.stringify(sealed.sealed));
    const key = `run:${run.id}`;
    let outboxed: boolean;
    try {
      outboxed = await repository.transaction(async (tx, transaction) => {
        await tx.insert(run);
        const viaOutbox = await enqueueWithin(tx, transaction, run, key);
        // Announced before commit: once committed a worker may announce `running` before this request resumes,
        // and a later `queued` would leave live views showing a finished run as queued.
        guard('runs.observer', () => observers.get(run.feature)?.update(shown(run)));
        return viaOutbox;
      });
    } catch (error) {
      if (hasSealed) await vault.remove(workspaceId, runInputSecretName(run.id));
      // Two requests with one idempotency key raced: the unique index let one through; answer with it.
      const winner = request.idempotencyKey ? await repository.findByIdempotencyKey(workspaceId, request.idempotencyKey) : undefined;
      if (winner) return shown(winner);
      throw error;
    }
    // Committed: the run will be carried out. A failed hand-over is left to the relay, never to the caller.
    if (outboxed) await outbox.handOver(run.id, key);
    return shown(run);
  };

  return {
    kinds: () => [...kindsByName.values()],
    kind: kindOf,
    async prepare(workspaceId, kindName, input, user, previous) {
      const kind = kindOf(kindName);
      const parsed = validate(kind, input);
      await checkSecrets(workspaceId, kind, parsed, user);
      return seal(kind, parsed, previous);
    },
    redactInput,
    unsealInput(kindName, input, sealed) {
      const kind = kindsByName.get(kindName);
      return kind?.sealing ? kind.sealing.unseal(input, sealed) : input;
    },
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
        if (!current || current.workspaceId !== workspaceId) throw new SteadError('task_not_found', `Task ${id} does not exist in this workspace`);
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
      const key = `run:${id}:${ids.next()}`;
      const { run, outboxed } = await repository.transaction(async (tx, transaction) => {
        const current = await tx.lock(id);
        if (!current || current.workspaceId !== workspaceId) throw new SteadError('task_not_found', `Task ${id} does not exist in this workspace`);
        if (current.state !== 'failed' && current.state !== 'cancelled') throw new SteadError('task_state_conflict', `Task ${id} is ${current.state}; only failed or cancelled tasks can be retried`);
        const at = now();
        const fresh = { state: 'queued', attempts: 0, interruptedAttempts: 0, currentAttemptId: null, jobId: null, error: null, output: null, finishedAt: null, progress: null, runAt: at, updatedAt: at } as const;
        await tx.update(id, fresh);
        const retried: Run = shown({ ...current, ...fresh });
        const viaOutbox = await enqueueWithin(tx, transaction, retried, key);
        // Before commit, for the same reason as in `create`.
        guard('runs.observer', () => observers.get(retried.feature)?.update(retried));
        return { run: retried, outboxed: viaOutbox };
      });
      if (outboxed) await outbox.handOver(id, key);
      return run;
    },

    observe(feature, observer) {
      observers.set(feature, observer);
    },

    relay: () => outbox.relay(),
    startRelay: () => outbox.start(),

    work({ concurrency }) {
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
    },
  };
};
