import type { JobHandlers, JobQueue, JobQueueCapabilities, JobRecord, JobState, QueueTransaction, Worker, WorkerOptions } from '../queue.port.ts';

declare module '../queue.port.ts' {
  interface JobPayloads {
    /** Contract-suite job: what it does is decided by each test's handler. */
    'test.echo': { value: string };
    /** Contract-suite job that no worker has a handler for. */
    'test.unhandled': { value: string };
  }
}

export interface JobQueueContractOptions {
  /** What the adapter under test claims; the suite checks the claim and runs the tests it implies. */
  capabilities: JobQueueCapabilities;
  /**
   * How long a test waits for an expected state before failing. Default 5,000 ms. The stall tests wait for a
   * lease to expire, so `create` must give queues a lease well below this (a few hundred ms).
   */
  waitTimeoutMs?: number;
  /** The lease `create` gives queues (a few hundred ms), so tests can run handlers for several lease lengths. */
  leaseMs: number;
  /**
   * For `capabilities.transactional` adapters: runs `work` in a transaction of the database the queue stores
   * jobs in, committing when it resolves and rolling back when it rejects.
   */
  inTransaction?: <T>(work: (transaction: QueueTransaction) => Promise<T>) => Promise<T>;
}

/** What `create` may be asked for beyond a plain queue. */
export interface JobQueueContractVariant {
  /**
   * `false`: workers of this queue never renew their leases, as in a process that hangs (a long GC pause, a
   * blocked event loop) but later wakes up and tries to finish its jobs. Default `true`.
   */
  renewLeases?: boolean;
}

export type Settled = { resolve: () => void; promise: Promise<void> };

export const gate = (): Settled => {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { resolve, promise };
};

export const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

export const untilAborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));

export const ms = (iso: string | null): number => Date.parse(iso ?? 'invalid');

/** What every topic of the contract gets: queues and workers closed after each test, and bounded waits. */
export interface ContractHarness {
  options: JobQueueContractOptions;
  /** How long a wait for an expected state lasts before the test fails. */
  timeout: number;
  open(variant?: JobQueueContractVariant): Promise<JobQueue>;
  work(queue: JobQueue, queueName: string, handlers: JobHandlers, workerOptions?: WorkerOptions): Worker;
  /** A random queue name, so tests on a shared backend never see each other's jobs. */
  newQueueName(): string;
  /** A gate released after the test at the latest (handlers still waiting on it let their worker close). */
  releasedAfterTest(): Settled;
  eventually(check: () => Promise<void> | void): Promise<void>;
  reaches(queue: JobQueue, id: string, state: JobState): Promise<JobRecord>;
  /** Runs a marker job through the worker: work enqueued before it, if it was going to run, has run. */
  marker(queue: JobQueue, queueName: string): Promise<void>;
}
