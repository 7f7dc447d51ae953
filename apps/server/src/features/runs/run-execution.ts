import { isSteadError } from '../../platform/errors/stead-error.ts';
import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { DelayJobError, JobAbortedError, RateLimitJobError, UnrecoverableJobError, type JobContext } from '../../platform/queue/queue.port.ts';
import type { RunContext, RunKind } from './runs.kinds.ts';
import type { RunsRepository } from './runs.repository.ts';
import { isFinishedRunState, type Run, type RunAttempt, type RunAttemptOutcome, type RunLogLine } from './runs.schema.ts';
import type { RunSecrets, RunSecretUser } from './runs.service.ts';

/** The error an attempt gets when a later attempt finds it still `running`: its worker was killed or stalled. */
export const interruptedByDeath = 'The worker stopped before the attempt finished';

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export interface RunExecutionOptions {
  repository: RunsRepository;
  clock: Clock;
  ids: Ids;
  kindOf(name: string): RunKind | undefined;
  secrets: RunSecrets;
  /** Puts the sealed credential values back into a run's input; throws when they are gone. */
  unseal(kind: RunKind, run: Run): Promise<unknown>;
  /** The key external side effects of this run carry (stable across attempts and retries). */
  sideEffectKey(run: Run): string;
  /** Told after every change others may watch; `ended` once the run reached a final state. */
  changed(runId: string, ended: boolean): Promise<void>;
  progressed(run: Run, percent: number, message: string | null): void;
  logged(run: Run, line: RunLogLine): void;
}

/** The attempt begun, or why none was: the run had ended, or it ended now at its crash-cut ceiling. */
export interface RunExecution {
  /** The handler of `run.execute` jobs. */
  execute(job: JobContext<{ runId: string }>): Promise<null>;
  /** For `WorkerOptions.onQueueFailure`: the queue gave up on the run's job without its handler deciding. */
  failedByQueue(runId: string, error: string): Promise<void>;
}

type Started = { run: Run; attempt: RunAttempt } | { run: undefined; attempt: undefined; failed: boolean };

/**
 * Carries out one attempt of a run for its queue job. Every write of the attempt is fenced to it being the run's
 * current attempt, so a process that stalled past its lease and woke up cannot overwrite the attempt that
 * replaced it. Attempts found still `running` when a new one starts were cut off by a crash or a lost lease: they
 * are counted apart (`interruptedAttempts`) and fail the run with an error of their own past its ceiling.
 */
/** What a kind's `run` gets: every write fenced to this attempt being the run's current one. */
const contextFor = (options: RunExecutionOptions, run: Run, attempt: RunAttempt, job: JobContext<unknown>): RunContext => {
  const { repository, clock, ids } = options;
  const now = () => clock.now().toISOString();
  const user: RunSecretUser = { userId: run.createdBy, role: run.createdByRole ?? (run.origin.type === 'cli' ? 'owner' : null) };
  return {
    runId: run.id,
    workspaceId: run.workspaceId,
    attempt: attempt.number,
    idempotencyKey: options.sideEffectKey(run),
    signal: job.signal,
    progress: async (percent, message) => {
      const clamped = Math.max(0, Math.min(100, Math.round(percent)));
      const written = await repository.updateCurrent(run.id, attempt.id, { progress: { percent: clamped, message: message ?? null }, updatedAt: now() });
      if (written) options.progressed(run, clamped, message ?? null);
    },
    log: async (text) => {
      const line: RunLogLine = { id: ids.next(), attempt: attempt.number, at: now(), line: text.slice(0, 10_000) };
      const written = await repository.transaction(async (tx) => {
        if (!(await tx.updateCurrent(run.id, attempt.id, { updatedAt: line.at }))) return false;
        await tx.insertLog(run.id, line);
        return true;
      });
      if (written) options.logged(run, line);
    },
    // Checked again at run time: the secret may have changed, or the creator been demoted, since creation.
    secret: async (name) => {
      try {
        return await options.secrets.reveal(run.workspaceId, name, user);
      } catch (error) {
        if (isSteadError(error) && (error.code === 'secret_unknown' || error.code === 'secret_not_usable')) throw new UnrecoverableJobError(`[${error.code}] ${error.message}`);
        throw error;
      }
    },
  };
};

export const createRunExecution = (options: RunExecutionOptions): RunExecution => {
  const { repository, clock, ids } = options;
  const now = () => clock.now().toISOString();

  const crashCeilingError = (run: Pick<Run, 'interruptedAttempts' | 'maxInterruptedAttempts'>, cut: number): string =>
    `Cut off ${run.interruptedAttempts + cut} times by a stopped worker or a lost lease (at most ${run.maxInterruptedAttempts} allowed)`;

  const start = (runId: string): Promise<Started> =>
    repository.transaction(async (tx): Promise<Started> => {
      const run = await tx.lock(runId);
      if (!run || isFinishedRunState(run.state)) return { run: undefined, attempt: undefined, failed: false };
      const at = now();
      // Attempts still running were counted in `attempts` when they started; they move to the crash-cut count.
      const cut = await tx.interruptRunningAttempts(runId, at, interruptedByDeath);
      const attempts = run.attempts - cut;
      const interruptedAttempts = run.interruptedAttempts + cut;
      if (cut > 0 && interruptedAttempts > run.maxInterruptedAttempts) {
        await tx.update(runId, { state: 'failed', attempts, interruptedAttempts, currentAttemptId: null, error: crashCeilingError(run, cut), finishedAt: at, updatedAt: at });
        return { run: undefined, attempt: undefined, failed: true };
      }
      const attempt: RunAttempt = { id: ids.next(), number: (await tx.attemptCount(runId)) + 1, startedAt: at, finishedAt: null, outcome: 'running', error: null };
      await tx.insertAttempt(runId, attempt);
      const changes = { state: 'running' as const, attempts: attempts + 1, interruptedAttempts, currentAttemptId: attempt.id, startedAt: run.startedAt ?? at, error: null, updatedAt: at };
      await tx.update(runId, changes);
      return { run: { ...run, ...changes }, attempt };
    });

  /**
   * Ends the attempt if it is still the run's current one. `counted: false` gives the attempt back (a delay, a
   * shutdown, a lost lease); `crashCut` moves it to the crash-cut count. Resolves to the run's state after it, or
   * undefined when another attempt had replaced this one (nothing was written).
   */
  const end = (run: Run, attempt: RunAttempt, outcome: RunAttemptOutcome, error: string | null, next: { state: Run['state']; output?: unknown; counted: boolean; crashCut?: boolean }) =>
    repository.transaction(async (tx) => {
      const current = await tx.lock(run.id);
      if (!current || current.currentAttemptId !== attempt.id) return undefined;
      const at = now();
      if (!(await tx.endAttempt(attempt.id, { outcome, finishedAt: at, error }))) return undefined;
      if (isFinishedRunState(current.state)) return undefined; // cancelled meanwhile: the attempt is recorded, the run stays as it is
      const attempts = current.attempts - (next.counted ? 0 : 1);
      const interruptedAttempts = current.interruptedAttempts + (next.crashCut ? 1 : 0);
      if (next.crashCut && interruptedAttempts > current.maxInterruptedAttempts) {
        await tx.update(run.id, { state: 'failed', attempts, interruptedAttempts, currentAttemptId: null, error: crashCeilingError(current, 1), finishedAt: at, updatedAt: at });
        return 'failed' as const;
      }
      const final = isFinishedRunState(next.state);
      await tx.update(run.id, {
        state: next.state,
        attempts,
        interruptedAttempts,
        ...(next.output !== undefined ? { output: next.output } : {}),
        ...(next.state === 'failed' || next.state === 'retrying' ? { error } : {}),
        ...(final ? { finishedAt: at, currentAttemptId: null } : {}),
        updatedAt: at,
      });
      return next.state;
    });

  /**
   * The queue failed the run's job itself (past its stall ceiling, which sits above the run's own, or with no
   * handler): the run ends with the queue's error instead of waiting for a job that will not come.
   */
  const failedByQueue = async (runId: string, error: string): Promise<void> => {
    const failed = await repository.transaction(async (tx) => {
      const run = await tx.lock(runId);
      if (!run || isFinishedRunState(run.state)) return false;
      const at = now();
      const cut = await tx.interruptRunningAttempts(runId, at, interruptedByDeath);
      await tx.update(runId, { state: 'failed', attempts: run.attempts - cut, interruptedAttempts: run.interruptedAttempts + cut, currentAttemptId: null, error, finishedAt: at, updatedAt: at });
      return true;
    });
    if (failed) await options.changed(runId, true);
  };

  /** The handler of `run.execute` jobs. */
  const execute = async (job: JobContext<{ runId: string }>): Promise<null> => {
    const started = await start(job.payload.runId);
    if (!started.run) {
      if (started.failed) await options.changed(job.payload.runId, true);
      return null;
    }
    const { run, attempt } = started;
    await options.changed(run.id, false);
    const kind = options.kindOf(run.kind);
    try {
      if (!kind) throw new UnrecoverableJobError(`Run kind ${run.kind} is no longer available on this server`);
      const parsed = kind.input.safeParse(run.input);
      if (!parsed.success) throw new UnrecoverableJobError(`The stored input no longer matches ${run.kind}: ${parsed.error.message}`);
      const output = await kind.run(await options.unseal(kind, { ...run, input: parsed.data }), contextFor(options, run, attempt, job));
      const state = await end(run, attempt, 'succeeded', null, { state: 'succeeded', output: output ?? null, counted: true });
      if (state) await options.changed(run.id, true);
      return null;
    } catch (error) {
      const abort = job.signal.aborted && job.signal.reason instanceof JobAbortedError ? job.signal.reason.reason : undefined;
      const message = abort ? (job.signal.reason as Error).message : errorMessage(error);
      let thrown = error;
      let state: Run['state'] | undefined;
      if (abort === 'cancelled' || abort === 'closing' || abort === 'lease-lost') {
        // Not this attempt's failure: the run was cancelled, or it runs again (elsewhere).
        state = await end(run, attempt, 'interrupted', message, { state: abort === 'cancelled' ? 'cancelled' : 'queued', counted: false, crashCut: abort === 'lease-lost' });
      } else if (error instanceof DelayJobError || error instanceof RateLimitJobError) {
        state = await end(run, attempt, 'delayed', message, { state: 'queued', counted: false });
      } else {
        const final = error instanceof UnrecoverableJobError || Math.max(run.attempts, job.attempt) >= run.maxAttempts;
        state = await end(run, attempt, 'failed', message, { state: final ? 'failed' : 'retrying', counted: true });
        // The run is over: the queue must not try again whatever it counted.
        if (final && !(error instanceof UnrecoverableJobError)) thrown = new UnrecoverableJobError(message);
      }
      if (state) await options.changed(run.id, isFinishedRunState(state));
      throw thrown;
    }
  };

  return { execute, failedByQueue };
};
