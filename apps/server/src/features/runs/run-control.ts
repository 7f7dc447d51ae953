import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import type { JobQueue } from '../../platform/queue/queue.port.ts';
import type { RunEnqueue } from './run-enqueue.ts';
import type { RunReads } from './run-reads.ts';
import type { RunsRepository } from './runs.repository.ts';
import { isFinishedRunState, type Run } from './runs.schema.ts';

/** Steering a run people started: cancel it, or run it again. */
export interface RunControl {
  /** Throws `task_state_conflict` for a finished run. */
  cancel(workspaceId: string, id: string): Promise<Run>;
  /** Runs a failed or cancelled run again with fresh attempts; throws `task_state_conflict` otherwise. */
  retry(workspaceId: string, id: string): Promise<Run>;
}

export interface RunControlOptions {
  repository: RunsRepository;
  queue: JobQueue;
  clock: Clock;
  ids: Ids;
  enqueue: RunEnqueue;
  reads: RunReads;
  /** Tells the run's observer, before commit (see `create`). */
  announce(run: Run): void;
  /** Tells the observer and, once the run is over, `run-end` subscribers. */
  changed(id: string, ended: boolean): Promise<void>;
}

export const createRunControl = ({ repository, queue, clock, ids, enqueue, reads, announce, changed }: RunControlOptions): RunControl => ({
  async cancel(workspaceId, id) {
    const run = await repository.transaction(async (tx) => {
      const current = await tx.lock(id);
      if (!current || current.workspaceId !== workspaceId) throw new SteadError('task_not_found', `Task ${id} does not exist in this workspace`);
      if (isFinishedRunState(current.state)) throw new SteadError('task_state_conflict', `Task ${id} is already ${current.state}; only queued or running tasks can be cancelled`);
      const at = clock.now().toISOString();
      await tx.update(id, { state: 'cancelled', finishedAt: at, updatedAt: at });
      await tx.deleteOutbox(id);
      return current;
    });
    // A job that starts anyway finds its run cancelled and ends at once; this stops one already running.
    if (run.jobId) await queue.cancel(run.jobId);
    await changed(id, true);
    return reads.shown((await repository.findById(id))!);
  },

  async retry(workspaceId, id) {
    const key = `run:${id}:${ids.next()}`;
    const { run, outboxed } = await repository.transaction(async (tx, transaction) => {
      const current = await tx.lock(id);
      if (!current || current.workspaceId !== workspaceId) throw new SteadError('task_not_found', `Task ${id} does not exist in this workspace`);
      if (current.state !== 'failed' && current.state !== 'cancelled') throw new SteadError('task_state_conflict', `Task ${id} is ${current.state}; only failed or cancelled tasks can be retried`);
      const at = clock.now().toISOString();
      const fresh = { state: 'queued', attempts: 0, interruptedAttempts: 0, currentAttemptId: null, jobId: null, error: null, output: null, finishedAt: null, progress: null, runAt: at, updatedAt: at } as const;
      await tx.update(id, fresh);
      const retried: Run = reads.shown({ ...current, ...fresh });
      const viaOutbox = await enqueue.within(tx, transaction, retried, key);
      // Before commit, for the same reason as in `create`.
      announce(retried);
      return { run: retried, outboxed: viaOutbox };
    });
    if (outboxed) await enqueue.handOver(id, key);
    return run;
  },
});
