import type { Transaction } from 'kysely';
import type { Clock, Ids } from '../../platform/clock/clock.ts';
import type { EnqueueOptions, JobQueue } from '../../platform/queue/queue.port.ts';
import { createRunOutbox, type RunOutbox } from './run-outbox.ts';
import type { RunInputs } from './run-inputs.ts';
import type { RunsRepository } from './runs.repository.ts';
import type { Run } from './runs.schema.ts';
import type { RunsTables } from './runs.tables.ts';

/** The queue every run waits in; concurrency is per worker process (`STEAD_WORKER_CONCURRENCY`). */
export const runsQueue = 'runs';
const defaultTimeoutMs = 5 * 60_000;

/** How a stored run gets its queue job, atomically with the write that stores or resets it. */
export interface RunEnqueue extends Pick<RunOutbox, 'handOver' | 'relay'> {
  /**
   * Makes the run's job exist in the transaction that writes the run: in the job table itself when the queue can
   * join the transaction, otherwise as an outbox row. True when it went to the outbox: then `handOver` after commit.
   */
  within(repository: RunsRepository, transaction: Transaction<RunsTables>, run: Run, key: string): Promise<boolean>;
  /** Relays every second until the returned function is called; for every node whose queue is not transactional. */
  startRelay(): () => void;
}

export interface RunEnqueueOptions {
  repository: RunsRepository;
  queue: JobQueue;
  clock: Clock;
  ids: Ids;
  inputs: RunInputs;
  onError(error: unknown, context: { component: string }): void;
}

export const createRunEnqueue = ({ repository, queue, clock, ids, inputs, onError }: RunEnqueueOptions): RunEnqueue => {
  const jobOptions = (run: Run, key: string): EnqueueOptions => ({
    queue: runsQueue,
    delayMs: Math.max(0, Date.parse(run.runAt) - clock.now().getTime()),
    maxAttempts: run.maxAttempts,
    timeoutMs: inputs.find(run.kind)?.timeoutMs ?? defaultTimeoutMs,
    idempotencyKey: key,
    // The queue's own stall ceiling stays above the run's, so the run's handler always decides (with its error).
    maxStalls: run.maxInterruptedAttempts + 2,
  });
  const outbox = createRunOutbox({ repository, queue, clock, jobOptions, onError });
  return {
    async within(tx, transaction, run, key) {
      if (queue.capabilities.transactional) {
        const job = await queue.enqueue('run.execute', { runId: run.id }, { ...jobOptions(run, key), transaction });
        await tx.update(run.id, { jobId: job.id, updatedAt: run.updatedAt });
        return false;
      }
      await tx.insertOutbox({ id: ids.next(), runId: run.id, jobKey: key, createdAt: clock.now().toISOString() });
      return true;
    },
    handOver: (runId, key) => outbox.handOver(runId, key),
    relay: () => outbox.relay(),
    startRelay: () => outbox.start(),
  };
};
