import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, vi } from 'vitest';
import type { JobHandlers, JobQueue, JobRecord, JobState, Worker, WorkerOptions } from './queue.port.ts';
import { cancelAndKeysContract } from './contract/cancel-and-keys.contract.ts';
import { crossProcessContract } from './contract/cross-process.contract.ts';
import { gate, type ContractHarness, type JobQueueContractOptions, type JobQueueContractVariant, type Settled } from './contract/harness.ts';
import { jobsContract } from './contract/jobs.contract.ts';
import { leasesContract } from './contract/leases.contract.ts';
import { retriesContract } from './contract/retries.contract.ts';
import { transactionsContract } from './contract/transactions.contract.ts';
import { workersContract } from './contract/workers.contract.ts';

export type { JobQueueContractOptions, JobQueueContractVariant } from './contract/harness.ts';

/**
 * The definition of the JobQueue port: every adapter runs this suite unchanged. `create` returns a fresh queue
 * on each call; for an adapter with `capabilities.crossProcess`, queues returned by the same `create` share one
 * backend, standing in for processes. Every test works its own randomly named queue, so a backend shared across
 * tests (or runs) does not let them see each other's jobs.
 *
 * Time is real: options use delays of tens of milliseconds and every wait polls with a bound, so the suite runs
 * in seconds and never sleeps for a fixed time to prove something happened. Negative checks ("the cancelled job
 * never ran") lean on ordering instead: once a marker job enqueued later has completed on the same worker, the
 * earlier job would have run if it were going to.
 */
export const runJobQueueContract = (
  name: string,
  create: (variant?: JobQueueContractVariant) => Promise<JobQueue>,
  options: JobQueueContractOptions,
): void => {
  const timeout = options.waitTimeoutMs ?? 5_000;

  describe(`JobQueue contract: ${name}`, () => {
    const queues: JobQueue[] = [];
    const workers: Worker[] = [];
    const cleanups: (() => void)[] = [];

    const open = async (variant?: JobQueueContractVariant): Promise<JobQueue> => {
      const queue = await create(variant);
      queues.push(queue);
      return queue;
    };
    const work = (queue: JobQueue, queueName: string, handlers: JobHandlers, workerOptions?: WorkerOptions): Worker => {
      const worker = queue.work(queueName, handlers, workerOptions);
      workers.push(worker);
      return worker;
    };

    afterEach(async () => {
      // Release handlers still waiting on a test's gate, then stop without a long grace period.
      for (const cleanup of cleanups.splice(0)) cleanup();
      await Promise.all(workers.splice(0).map((worker) => worker.close(100)));
      await Promise.all(queues.splice(0).map((queue) => queue.close()));
    });

    const newQueueName = (): string => `contract-${randomUUID().slice(0, 8)}`;
    const releasedAfterTest = (): Settled => {
      const created = gate();
      cleanups.push(created.resolve);
      return created;
    };

    const eventually = async (check: () => Promise<void> | void): Promise<void> => {
      await vi.waitFor(check, { timeout, interval: 10 });
    };
    const reaches = async (queue: JobQueue, id: string, state: JobState): Promise<JobRecord> => {
      let record: JobRecord | undefined;
      await eventually(async () => {
        record = await queue.get(id);
        expect(record?.state).toBe(state);
      });
      return record!;
    };
    /** Runs a marker job through the worker: work enqueued before it, if it was going to run, has run. */
    const marker = async (queue: JobQueue, queueName: string): Promise<void> => {
      const job = await queue.enqueue('test.echo', { value: 'marker' }, { queue: queueName, priority: -100 });
      await reaches(queue, job.id, 'completed');
    };

    const harness: ContractHarness = { options, timeout, open, work, newQueueName, releasedAfterTest, eventually, reaches, marker };
    jobsContract(harness);
    retriesContract(harness);
    cancelAndKeysContract(harness);
    leasesContract(harness);
    transactionsContract(harness);
    workersContract(harness);
    crossProcessContract(harness);
  });
};
