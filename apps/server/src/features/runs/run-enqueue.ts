import type { Transaction } from 'kysely';
import type { Clock, Ids } from '../../platform/clock/clock.ts';
import type { Database } from '../../platform/database/database.types.ts';
import type { EnqueueOptions, JobQueue } from '../../platform/queue/queue.port.ts';
import type { RunsRepository } from './runs.repository.ts';
import { isFinishedRunState, type Run } from './runs.schema.ts';

/** The queue every run waits in; concurrency is per worker process (`STEAD_WORKER_CONCURRENCY`). */
export const runsQueue = 'runs';
/** Outbox rows older than this are handed over by the relay (younger ones are still being handed over by their request). */
const outboxGraceMs = 1_500;
const relayIntervalMs = 1_000;

/**
 * Puts a run's job into the queue as part of the transaction that writes the run. On a queue that can join the
 * transaction (the database queue) the job is written in it. Otherwise (BullMQ) an outbox row is: it becomes a job
 * right after commit (`handOver`), or — when the process died in between — by the relay every node runs, a second or
 * two later. Enqueuing is idempotent by the row's key, so nodes relaying the same row make one job.
 */
export interface RunEnqueuer {
  /** Resolves to true when an outbox row was written: call `handOver` once the transaction has committed. */
  within(tx: RunsRepository, transaction: Transaction<Database>, run: Run, jobKey: string): Promise<boolean>;
  /** Enqueues one outbox row's job and deletes the row; failures are reported, the row stays for the relay. */
  handOver(runId: string, jobKey: string): Promise<void>;
  /** Hands over rows a moment old; resolves to how many. */
  relay(): Promise<number>;
  /** Relays every second until the returned function is called. */
  startRelay(): () => void;
}

export interface RunEnqueuerOptions {
  repository: RunsRepository;
  queue: JobQueue;
  clock: Clock;
  ids: Ids;
  timeoutMsOf(run: Run): number;
  onError(error: unknown, context: { component: string }): void;
}

export const createRunEnqueuer = ({ repository, queue, clock, ids, timeoutMsOf, onError }: RunEnqueuerOptions): RunEnqueuer => {
  const jobOptions = (run: Run, key: string): EnqueueOptions => ({
    queue: runsQueue,
    delayMs: Math.max(0, Date.parse(run.runAt) - clock.now().getTime()),
    maxAttempts: run.maxAttempts,
    timeoutMs: timeoutMsOf(run),
    idempotencyKey: key,
    // The queue's own stall ceiling stays above the run's, so the run's handler always decides (with its error).
    maxStalls: run.maxInterruptedAttempts + 2,
  });
  const enqueue = async (runId: string, jobKey: string): Promise<void> => {
    const run = await repository.findById(runId);
    if (run && !isFinishedRunState(run.state)) {
      const job = await queue.enqueue('run.execute', { runId }, jobOptions(run, jobKey));
      await repository.update(runId, { jobId: job.id, updatedAt: clock.now().toISOString() });
    }
    await repository.deleteOutbox(runId);
  };
  const relay = async (): Promise<number> => {
    const rows = await repository.pendingOutbox(new Date(clock.now().getTime() - outboxGraceMs).toISOString(), 200);
    for (const row of rows) await enqueue(row.runId, row.jobKey);
    return rows.length;
  };
  return {
    async within(tx, transaction, run, jobKey) {
      if (queue.capabilities.transactional) {
        const job = await queue.enqueue('run.execute', { runId: run.id }, { ...jobOptions(run, jobKey), transaction });
        await tx.update(run.id, { jobId: job.id, updatedAt: run.updatedAt });
        return false;
      }
      await tx.insertOutbox({ id: ids.next(), runId: run.id, jobKey, createdAt: clock.now().toISOString() });
      return true;
    },
    handOver: (runId, jobKey) => enqueue(runId, jobKey).catch((error: unknown) => onError(error, { component: 'runs.outbox' })),
    relay,
    startRelay() {
      let relaying = false;
      const timer = setInterval(() => {
        if (relaying) return;
        relaying = true;
        relay()
          .catch((error: unknown) => onError(error, { component: 'runs.outbox' }))
          .finally(() => (relaying = false));
      }, relayIntervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
};
