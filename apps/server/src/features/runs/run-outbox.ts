import type { Clock } from '../../platform/clock/clock.ts';
import type { EnqueueOptions, JobQueue } from '../../platform/queue/queue.port.ts';
import type { RunsRepository } from './runs.repository.ts';
import { isFinishedRunState, type Run } from './runs.schema.ts';

/** Outbox rows older than this are handed over by the relay (younger ones are still being handed over by their request). */
const outboxGraceMs = 1_500;
const relayIntervalMs = 1_000;

/**
 * The way into a queue that cannot join the database's transaction (BullMQ): a run is written with an outbox
 * row, and the row becomes a job right after commit, or — when the process died in between — by the relay that
 * every node runs, a second or two later. Enqueuing is idempotent by the row's key, so nodes relaying the same row
 * make one job.
 */
export interface RunOutbox {
  /** Enqueues one row's job and deletes the row; failures are reported, the row stays for the relay. */
  handOver(runId: string, jobKey: string): Promise<void>;
  /** Hands over rows a moment old; resolves to how many. */
  relay(): Promise<number>;
  /** Relays every second until the returned function is called. */
  start(): () => void;
}

export interface RunOutboxOptions {
  repository: RunsRepository;
  queue: JobQueue;
  clock: Clock;
  jobOptions(run: Run, key: string): EnqueueOptions;
  onError(error: unknown, context: { component: string }): void;
}

export const createRunOutbox = ({ repository, queue, clock, jobOptions, onError }: RunOutboxOptions): RunOutbox => {
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
    handOver: (runId, jobKey) => enqueue(runId, jobKey).catch((error: unknown) => onError(error, { component: 'runs.outbox' })),
    relay,
    start() {
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
