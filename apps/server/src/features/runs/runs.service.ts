import type { Clock, Ids } from '../../platform/clock/clock.ts';
import type { WorkspaceRole } from '../../platform/http/permissions.ts';
import type { JobContext, JobQueue, JobQueueFailure, Worker } from '../../platform/queue/queue.port.ts';
import { createRunControl } from './run-control.ts';
import { createRunCreation } from './run-creation.ts';
import { createRunEnqueue, runsQueue } from './run-enqueue.ts';
import { createRunExecution } from './run-execution.ts';
import { createRunInputs } from './run-inputs.ts';
import { createRunReads } from './run-reads.ts';
import type { RunKind } from './runs.kinds.ts';
import type { RunsRepository } from './runs.repository.ts';
import { isFinishedRunState, type Run, type RunDetail, type RunEndEvent, type RunListQuery, type RunLogLine, type RunOriginType } from './runs.schema.ts';

export { runsQueue } from './run-enqueue.ts';
export { runInputSecretName } from './run-inputs.ts';

declare module '../../platform/queue/queue.port.ts' {
  interface JobPayloads {
    /** Carries out one attempt of a run; everything else about the run is in its row. */
    'run.execute': { runId: string };
    /** Jobs BullMQ installations enqueued before runs existed (a task's id is its run's id). */
    'task.run': { taskId: string };
  }
}

/** Where `task.run` jobs enqueued before issue 12 still wait on BullMQ (the migration cannot reach Redis). */
const legacyTasksQueue = 'tasks';

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
  /** Every feature's run kinds, asked on first use (the composition collects them once every feature exists). */
  kinds: () => readonly RunKind[];
  secrets: RunSecrets;
  vault: RunVault;
  /** Receives `run-end` once a run is over (the domain events of the application). */
  domainEvents: { emit(event: RunEndEvent): Promise<void> };
  /** Failures of observers, domain event handlers and outbox hand-overs (the stored state stays right). */
  onError?: (error: unknown, context: { component: string }) => void;
}

export const createRunsService = ({ repository, queue, clock, ids, kinds, secrets, vault, domainEvents, onError = () => {} }: RunsServiceOptions): RunsService => {
  const observers = new Map<string, RunObserver>();
  const guard = (component: string, work: () => void) => {
    try {
      work();
    } catch (error) {
      onError(error, { component });
    }
  };
  const announce = (run: Run) => guard('runs.observer', () => observers.get(run.feature)?.update(run));
  const changed = async (id: string, ended: boolean): Promise<void> => {
    const run = await repository.findById(id);
    if (!run) return;
    announce(run);
    if (ended && isFinishedRunState(run.state)) {
      const event: RunEndEvent = { type: 'run-end', runId: run.id, workspaceId: run.workspaceId, kind: run.kind, feature: run.feature, parentRunId: run.parentRunId, state: run.state as RunEndEvent['state'], error: run.error };
      await domainEvents.emit(event).catch((error: unknown) => onError(error, { component: 'runs.run-end' }));
    }
  };

  const inputs = createRunInputs({ kinds, secrets, vault });
  const reads = createRunReads({ repository, inputs });
  const enqueue = createRunEnqueue({ repository, queue, clock, ids, inputs, onError });
  const control = createRunControl({ repository, queue, clock, ids, enqueue, reads, announce, changed });
  const execution = createRunExecution({
    repository,
    clock,
    ids,
    kindOf: inputs.find,
    secrets,
    unseal: inputs.unsealStored,
    // Receivers have deduplicated tasks by `task:<id>` since before runs existed; tasks keep that key.
    sideEffectKey: (run) => `${run.feature === 'tasks' ? 'task' : 'run'}:${run.id}`,
    changed: (id, ended) => changed(id, ended).catch((error: unknown) => onError(error, { component: 'runs.observer' })),
    progressed: (run, percent, message) => guard('runs.observer', () => observers.get(run.feature)?.progress(run, percent, message)),
    logged: (run, line) => guard('runs.observer', () => observers.get(run.feature)?.log(run, line)),
  });

  return {
    kinds: inputs.kinds,
    kind: inputs.kind,
    async prepare(workspaceId, kindName, input, user, previous) {
      const kind = inputs.kind(kindName);
      const parsed = inputs.validate(kind, input);
      await inputs.checkSecrets(workspaceId, kind, parsed, user);
      return inputs.seal(kind, parsed, previous);
    },
    redactInput: inputs.redact,
    unsealInput: inputs.unseal,
    create: createRunCreation({ repository, clock, ids, inputs, vault, enqueue, reads, announce }),
    get: reads.get,
    list: reads.list,
    detail: reads.detail,
    logs: reads.logs,
    children: reads.children,
    cancel: control.cancel,
    retry: control.retry,
    observe(feature, observer) {
      observers.set(feature, observer);
    },
    relay: enqueue.relay,
    startRelay: enqueue.startRelay,
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
