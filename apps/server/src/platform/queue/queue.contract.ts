import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DelayJobError,
  RateLimitJobError,
  UnrecoverableJobError,
  type JobContext,
  type JobHandlers,
  type JobQueue,
  type JobQueueCapabilities,
  type JobQueueFailure,
  type JobRecord,
  type QueueTransaction,
  type JobState,
  type Worker,
  type WorkerOptions,
} from './queue.port.ts';

declare module './queue.port.ts' {
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

type Settled = { resolve: () => void; promise: Promise<void> };

const gate = (): Settled => {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { resolve, promise };
};

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

const untilAborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));

const ms = (iso: string | null): number => Date.parse(iso ?? 'invalid');

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

    it('enqueues a waiting job with the defaults, and get() returns it', async () => {
      const queue = await open();
      const job = await queue.enqueue('test.echo', { value: 'hello' });
      expect(job).toMatchObject({
        queue: 'test.echo',
        name: 'test.echo',
        payload: { value: 'hello' },
        state: 'waiting',
        priority: 0,
        attempts: 0,
        maxAttempts: 3,
        stalls: 0,
        maxStalls: 5,
        idempotencyKey: null,
        startedAt: null,
        finishedAt: null,
        progress: null,
        error: null,
      });
      expect(job.id).toEqual(expect.any(String));
      expect(new Date(job.createdAt).toISOString()).toBe(job.createdAt);
      expect(ms(job.runAt)).toBeLessThanOrEqual(ms(job.createdAt) + 5);
      expect(await queue.get(job.id)).toEqual(job);
      expect(await queue.get('no-such-job')).toBeUndefined();
      // Cancel it so that no later run of the suite on a shared backend finds it.
      await queue.cancel(job.id);
    });

    it('rejects invalid options with validation_failed and creates nothing', async () => {
      const queue = await open();
      const queueName = newQueueName();
      for (const invalid of [{ priority: 101 }, { priority: 1.5 }, { maxAttempts: 0 }, { maxStalls: -1 }, { delayMs: -1 }, { timeoutMs: 0 }, { backoff: { jitter: 2 } }]) {
        await expect(queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, ...invalid })).rejects.toMatchObject({ code: 'validation_failed' });
      }
      const ran: string[] = [];
      work(queue, queueName, { 'test.echo': async (job) => void ran.push(job.payload.value) });
      await marker(queue, queueName);
      expect(ran).toEqual(['marker']);
    });

    it('runs a job and stores its JSON result', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const contexts: JobContext<{ value: string }>[] = [];
      work(queue, queueName, {
        'test.echo': async (job) => {
          contexts.push(job);
          return { echoed: job.payload.value, at: new Date('2024-01-02T03:04:05.000Z') };
        },
      });
      const job = await queue.enqueue('test.echo', { value: 'hello' }, { queue: queueName });
      const done = await reaches(queue, job.id, 'completed');
      expect(done).toMatchObject({ id: job.id, queue: queueName, attempts: 1, error: null, result: { echoed: 'hello', at: '2024-01-02T03:04:05.000Z' } });
      expect(ms(done.startedAt)).toBeGreaterThanOrEqual(ms(done.createdAt));
      expect(ms(done.finishedAt)).toBeGreaterThanOrEqual(ms(done.startedAt));
      expect(contexts).toHaveLength(1);
      expect(contexts[0]).toMatchObject({ id: job.id, name: 'test.echo', payload: { value: 'hello' }, attempt: 1, stalls: 0 });
      expect(contexts[0]!.idempotencyKey).toEqual(expect.any(String));
      expect(contexts[0]!.signal.aborted).toBe(false);
    });

    it('runs higher priority first', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const order: string[] = [];
      for (const [value, priority] of [['low', -5], ['high', 10], ['middle', 0], ['highest', 100]] as const) {
        await queue.enqueue('test.echo', { value }, { queue: queueName, priority });
      }
      work(queue, queueName, { 'test.echo': async (job) => void order.push(job.payload.value) });
      await eventually(() => expect(order).toHaveLength(4));
      expect(order).toEqual(['highest', 'high', 'middle', 'low']);
    });

    it('does not start a delayed job before its time', async () => {
      const queue = await open();
      const queueName = newQueueName();
      work(queue, queueName, { 'test.echo': async () => 'ran' });
      const job = await queue.enqueue('test.echo', { value: 'later' }, { queue: queueName, delayMs: 300 });
      expect(job.state).toBe('delayed');
      expect(ms(job.runAt) - ms(job.createdAt)).toBeGreaterThanOrEqual(300);
      expect((await queue.get(job.id))?.state).toBe('delayed');
      const done = await reaches(queue, job.id, 'completed');
      expect(ms(done.startedAt) - ms(done.createdAt)).toBeGreaterThanOrEqual(295);
    });

    it('retries with exponential backoff until an attempt succeeds', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const starts: number[] = [];
      work(queue, queueName, {
        'test.echo': async (job) => {
          starts.push(Date.now());
          if (job.attempt < 3) throw new Error(`flaky ${job.attempt}`);
          return job.attempt;
        },
      });
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 5, backoff: { type: 'exponential', delayMs: 60, jitter: 0 } });
      const done = await reaches(queue, job.id, 'completed');
      expect(done).toMatchObject({ attempts: 3, result: 3 });
      expect(starts).toHaveLength(3);
      // Without jitter the waits are 60 ms, then 120 ms (a few ms of slack for timer and clock granularity).
      expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(55);
      expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(115);
    });

    it('keeps fixed backoff within its jitter', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const starts: number[] = [];
      work(queue, queueName, {
        'test.echo': async (job) => {
          starts.push(Date.now());
          if (job.attempt < 3) throw new Error('flaky');
        },
      });
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, backoff: { type: 'fixed', delayMs: 80, jitter: 0.5 } });
      await reaches(queue, job.id, 'completed');
      // Jitter only shortens a wait: each is within 40–80 ms (plus scheduling slack), never doubled.
      for (const gap of [starts[1]! - starts[0]!, starts[2]! - starts[1]!]) {
        expect(gap).toBeGreaterThanOrEqual(35);
        expect(gap).toBeLessThan(80 + 1_000);
      }
    });

    it('moves a job to failed after maxAttempts with the last error, and retry() revives it with fresh attempts', async () => {
      const queue = await open();
      const queueName = newQueueName();
      let healed = false;
      work(queue, queueName, {
        'test.echo': async (job) => {
          if (!healed) throw new Error(`boom ${job.attempt}`);
          return 'healed';
        },
      });
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 2, backoff: { delayMs: 10, jitter: 0 } });
      const failed = await reaches(queue, job.id, 'failed');
      expect(failed).toMatchObject({ attempts: 2, maxAttempts: 2, error: 'boom 2' });
      expect(failed.finishedAt).not.toBeNull();

      healed = true;
      expect(await queue.retry(job.id)).toBe(true);
      const done = await reaches(queue, job.id, 'completed');
      expect(done).toMatchObject({ attempts: 1, result: 'healed' });
      expect(await queue.retry(job.id)).toBe(false);
      expect(await queue.retry('no-such-job')).toBe(false);
    });

    it('fails at once on UnrecoverableJobError', async () => {
      const queue = await open();
      const queueName = newQueueName();
      let calls = 0;
      work(queue, queueName, {
        'test.echo': async () => {
          calls += 1;
          throw new UnrecoverableJobError('bad input');
        },
      });
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 5, backoff: { delayMs: 10 } });
      expect(await reaches(queue, job.id, 'failed')).toMatchObject({ attempts: 1, error: 'bad input' });
      expect(calls).toBe(1);
    });

    it('runs a job again after DelayJobError without counting the attempt', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const calls: { attempt: number; at: number }[] = [];
      work(queue, queueName, {
        'test.echo': async (job) => {
          calls.push({ attempt: job.attempt, at: Date.now() });
          if (calls.length < 3) throw new DelayJobError(50);
          return 'done';
        },
      });
      // One attempt allowed: if a delay counted, the second call would never happen.
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 1 });
      expect(await reaches(queue, job.id, 'completed')).toMatchObject({ result: 'done', attempts: 1 });
      expect(calls.map((call) => call.attempt)).toEqual([1, 1, 1]);
      expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(45);
      expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(45);
    });

    it('pauses the whole queue on RateLimitJobError without counting the attempt', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const starts: { value: string; at: number }[] = [];
      let limited = false;
      work(queue, queueName, {
        'test.echo': async (job) => {
          starts.push({ value: job.payload.value, at: Date.now() });
          if (!limited) {
            limited = true;
            throw new RateLimitJobError(250);
          }
        },
      });
      const first = await queue.enqueue('test.echo', { value: 'first' }, { queue: queueName, priority: 10, maxAttempts: 1 });
      const others = [await queue.enqueue('test.echo', { value: 'second' }, { queue: queueName, maxAttempts: 1 }), await queue.enqueue('test.echo', { value: 'third' }, { queue: queueName, maxAttempts: 1 })];
      for (const job of [first, ...others]) expect(await reaches(queue, job.id, 'completed')).toMatchObject({ attempts: 1 });
      expect(starts).toHaveLength(4);
      // Nothing of the queue started during the pause, not only the job that hit the limit.
      for (const start of starts.slice(1)) expect(start.at - starts[0]!.at).toBeGreaterThanOrEqual(245);
    });

    it('aborts an attempt that runs past timeoutMs, fires its signal, and counts it as failed', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const aborted: string[] = [];
      work(
        queue,
        queueName,
        {
          'test.echo': async (job) => {
            if (job.payload.value === 'recovers' && job.attempt > 1) return 'second attempt';
            await untilAborted(job.signal);
            aborted.push(job.payload.value);
            // A handler that keeps going after its signal fired: the late result must not count.
            return 'too late';
          },
        },
        { concurrency: 2 },
      );
      const once = await queue.enqueue('test.echo', { value: 'once' }, { queue: queueName, timeoutMs: 50, maxAttempts: 1 });
      const recovers = await queue.enqueue('test.echo', { value: 'recovers' }, { queue: queueName, timeoutMs: 50, maxAttempts: 2, backoff: { delayMs: 10 } });
      const failed = await reaches(queue, once.id, 'failed');
      expect(failed.attempts).toBe(1);
      expect(failed.error).toMatch(/time/i);
      expect(await reaches(queue, recovers.id, 'completed')).toMatchObject({ attempts: 2, result: 'second attempt' });
      expect(aborted.sort()).toEqual(['once', 'recovers']);
    });

    it('cancels waiting and delayed jobs; they never run, and retry() brings one back', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const waiting = await queue.enqueue('test.echo', { value: 'waiting' }, { queue: queueName });
      const delayed = await queue.enqueue('test.echo', { value: 'delayed' }, { queue: queueName, delayMs: 60_000 });
      expect(await queue.cancel(waiting.id)).toBe(true);
      expect(await queue.cancel(delayed.id)).toBe(true);
      expect(await queue.cancel(waiting.id)).toBe(false);
      expect(await queue.cancel('no-such-job')).toBe(false);
      const cancelled = await queue.get(waiting.id);
      expect(cancelled?.state).toBe('cancelled');
      expect(cancelled?.finishedAt).not.toBeNull();

      const ran: string[] = [];
      work(queue, queueName, { 'test.echo': async (job) => void ran.push(job.payload.value) });
      await marker(queue, queueName);
      expect(ran).toEqual(['marker']);
      expect((await queue.get(delayed.id))?.state).toBe('cancelled');

      expect(await queue.retry(waiting.id)).toBe(true);
      await reaches(queue, waiting.id, 'completed');
      expect(ran).toEqual(['marker', 'waiting']);
      expect(await queue.cancel(waiting.id)).toBe(false);
    });

    it('cancels an active job: its signal fires and its late result is discarded', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const started = gate();
      let returned = false;
      work(queue, queueName, {
        'test.echo': async (job) => {
          if (job.payload.value === 'marker') return;
          started.resolve();
          await untilAborted(job.signal);
          returned = true;
          return 'late';
        },
      });
      const job = await queue.enqueue('test.echo', { value: 'long' }, { queue: queueName });
      await started.promise;
      expect(await queue.cancel(job.id)).toBe(true);
      await eventually(() => expect(returned).toBe(true));
      await marker(queue, queueName);
      expect(await queue.get(job.id)).toMatchObject({ state: 'cancelled', result: null });
    });

    it('returns the first job for a second enqueue with the same idempotency key, until that job is cancelled', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const keys: string[] = [];
      const key = `key-${randomUUID()}`;
      const first = await queue.enqueue('test.echo', { value: 'first' }, { queue: queueName, idempotencyKey: key });
      const again = await queue.enqueue('test.echo', { value: 'second' }, { queue: queueName, idempotencyKey: key });
      expect(again.id).toBe(first.id);
      expect(again.payload).toEqual({ value: 'first' });
      expect(again.idempotencyKey).toBe(key);
      const racing = await Promise.all(Array.from({ length: 5 }, () => queue.enqueue('test.echo', { value: 'race' }, { queue: queueName, idempotencyKey: `${key}-race` })));
      expect(new Set(racing.map((job) => job.id)).size).toBe(1);

      work(queue, queueName, { 'test.echo': async (job) => void keys.push(job.idempotencyKey) });
      await reaches(queue, first.id, 'completed');
      await reaches(queue, racing[0]!.id, 'completed');
      expect(keys).toContain(key);
      // A finished job still holds its key.
      expect((await queue.enqueue('test.echo', { value: 'after' }, { queue: queueName, idempotencyKey: key })).id).toBe(first.id);

      const cancelledKey = `key-${randomUUID()}`;
      const doomed = await queue.enqueue('test.echo', { value: 'doomed' }, { queue: queueName, idempotencyKey: cancelledKey, delayMs: 60_000 });
      await queue.cancel(doomed.id);
      const fresh = await queue.enqueue('test.echo', { value: 'fresh' }, { queue: queueName, idempotencyKey: cancelledKey });
      expect(fresh.id).not.toBe(doomed.id);
      await reaches(queue, fresh.id, 'completed');
    });

    it('gives a job a stable idempotency key across attempts when none was set', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const keys: string[] = [];
      work(queue, queueName, {
        'test.echo': async (job) => {
          keys.push(job.idempotencyKey);
          if (job.attempt === 1) throw new Error('again');
        },
      });
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, backoff: { delayMs: 10 } });
      await reaches(queue, job.id, 'completed');
      expect(keys).toHaveLength(2);
      expect(keys[0]).toBe(keys[1]);
      expect(keys[0]!.length).toBeGreaterThan(0);
    });

    it('runs a stalled job again once its lease expires, and ignores the stale holder when it finishes late', async () => {
      const queue = await open({ renewLeases: false });
      const queueName = newQueueName();
      const stale = releasedAfterTest();
      const firstStarted = gate();
      let staleReturned = false;
      const worker = work(
        queue,
        queueName,
        {
          'test.echo': async (job) => {
            if (job.stalls > 0) return 'fresh';
            firstStarted.resolve();
            await stale.promise;
            staleReturned = true;
            return 'stale';
          },
        },
        { concurrency: 2 },
      );
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 3 });
      await firstStarted.promise;
      const recovered = await reaches(queue, job.id, 'completed');
      // The cut-off attempt is a stall, not a counted attempt.
      expect(recovered).toMatchObject({ attempts: 1, stalls: 1, result: 'fresh' });

      stale.resolve();
      // close() waits for the stale attempt, so its completion has been tried when it resolves.
      await worker.close(timeout);
      expect(staleReturned).toBe(true);
      expect(await queue.get(job.id)).toMatchObject({ state: 'completed', attempts: 1, stalls: 1, result: 'fresh' });
    });

    it('ignores a stale holder that fails late', async () => {
      const queue = await open({ renewLeases: false });
      const queueName = newQueueName();
      const stale = releasedAfterTest();
      const firstStarted = gate();
      const worker = work(
        queue,
        queueName,
        {
          'test.echo': async (job) => {
            if (job.stalls > 0) return 'fresh';
            firstStarted.resolve();
            await stale.promise;
            throw new UnrecoverableJobError('stale failure');
          },
        },
        { concurrency: 2 },
      );
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName });
      await firstStarted.promise;
      await reaches(queue, job.id, 'completed');
      stale.resolve();
      await worker.close(timeout);
      expect(await queue.get(job.id)).toMatchObject({ state: 'completed', result: 'fresh', error: null });
    });

    it('runs a job stalled on its only attempt again: a lost lease does not count against maxAttempts', async () => {
      const queue = await open({ renewLeases: false });
      const queueName = newQueueName();
      const stale = releasedAfterTest();
      const seen: { attempt: number; stalls: number }[] = [];
      work(
        queue,
        queueName,
        {
          'test.echo': async (job) => {
            seen.push({ attempt: job.attempt, stalls: job.stalls });
            if (job.stalls === 0) await stale.promise;
            return 'resumed';
          },
        },
        { concurrency: 2 },
      );
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 1 });
      expect(await reaches(queue, job.id, 'completed')).toMatchObject({ attempts: 1, maxAttempts: 1, stalls: 1, result: 'resumed', error: null });
      expect(seen).toEqual([
        { attempt: 1, stalls: 0 },
        { attempt: 1, stalls: 1 },
      ]);
    });

    it('fails a job cut off by lost leases more than maxStalls times, telling onQueueFailure first', async () => {
      const queue = await open({ renewLeases: false });
      const queueName = newQueueName();
      const stale = releasedAfterTest();
      const seen: number[] = [];
      const failures: JobQueueFailure[] = [];
      work(
        queue,
        queueName,
        {
          'test.echo': async (job) => {
            seen.push(job.stalls);
            await stale.promise;
          },
        },
        {
          concurrency: 3,
          onQueueFailure: async (failure) => {
            // The job is not failed yet while its owner records the end.
            expect((await queue.get(failure.id))?.state).toBe('active');
            failures.push(failure);
          },
        },
      );
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 5, maxStalls: 1 });
      const failed = await reaches(queue, job.id, 'failed');
      expect(failed).toMatchObject({ stalls: 2, maxStalls: 1, error: expect.stringMatching(/lost lease 2 times/) });
      expect(failed.attempts).toBeLessThanOrEqual(1);
      expect(seen).toEqual([0, 1]);
      expect(failures).toEqual([{ id: job.id, name: 'test.echo', payload: { value: 'x' }, attempt: 1, stalls: 2, error: failed.error }]);
      // retry() gives the job fresh attempts and stalls.
      stale.resolve();
      expect(await queue.retry(job.id)).toBe(true);
      expect(await reaches(queue, job.id, 'completed')).toMatchObject({ attempts: 1, stalls: 0 });
    });

    it('never takes over a handler that runs for several leases while its heartbeat renews the lease', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const seen: { attempt: number; stalls: number }[] = [];
      let aborted = false;
      work(
        queue,
        queueName,
        {
          'test.echo': async (job) => {
            seen.push({ attempt: job.attempt, stalls: job.stalls });
            await sleep(options.leaseMs * 5);
            aborted = job.signal.aborted;
            return 'long';
          },
        },
        { concurrency: 2 },
      );
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName });
      expect(await reaches(queue, job.id, 'completed')).toMatchObject({ attempts: 1, stalls: 0, result: 'long' });
      expect(seen).toEqual([{ attempt: 1, stalls: 0 }]);
      expect(aborted).toBe(false);
    });

    if (options.capabilities.transactional) {
      it('writes a job inside the caller’s transaction: it exists if and only if the transaction commits', async () => {
        const inTransaction = options.inTransaction;
        if (!inTransaction) throw new Error('a transactional adapter must give the contract inTransaction');
        const queue = await open();
        const queueName = newQueueName();
        const ran: string[] = [];
        work(queue, queueName, { 'test.echo': async (job) => void ran.push(job.payload.value) });

        const key = `run:${randomUUID()}`;
        let abandonedId = '';
        await expect(
          inTransaction(async (transaction) => {
            abandonedId = (await queue.enqueue('test.echo', { value: 'rolled back' }, { queue: queueName, idempotencyKey: key, transaction })).id;
            throw new Error('roll back');
          }),
        ).rejects.toThrow('roll back');
        expect(await queue.get(abandonedId)).toBeUndefined();

        const committed = await inTransaction((transaction) => queue.enqueue('test.echo', { value: 'committed' }, { queue: queueName, idempotencyKey: key, transaction }));
        expect(committed.id).not.toBe(abandonedId);
        // The same key after a transactional enqueue names the first job.
        expect((await queue.enqueue('test.echo', { value: 'again' }, { queue: queueName, idempotencyKey: key })).id).toBe(committed.id);
        await reaches(queue, committed.id, 'completed');
        await marker(queue, queueName);
        expect(ran.sort()).toEqual(['committed', 'marker']);
      });
    } else {
      it('rejects a transaction in enqueue and creates nothing', async () => {
        const queue = await open();
        const queueName = newQueueName();
        const transaction: QueueTransaction = { isTransaction: true };
        await expect(queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, transaction })).rejects.toMatchObject({ code: 'internal_error' });
        const ran: string[] = [];
        work(queue, queueName, { 'test.echo': async (job) => void ran.push(job.payload.value) });
        await marker(queue, queueName);
        expect(ran).toEqual(['marker']);
      });
    }

    it('never runs more jobs of a queue at once than the worker concurrency', async () => {
      const queue = await open();
      const queueName = newQueueName();
      let running = 0;
      let most = 0;
      const jobs = [];
      for (let index = 0; index < 9; index += 1) jobs.push(await queue.enqueue('test.echo', { value: `${index}` }, { queue: queueName }));
      work(
        queue,
        queueName,
        {
          'test.echo': async () => {
            running += 1;
            most = Math.max(most, running);
            await sleep(30);
            running -= 1;
          },
        },
        { concurrency: 3 },
      );
      for (const job of jobs) await reaches(queue, job.id, 'completed');
      expect(most).toBeLessThanOrEqual(3);
      expect(most).toBeGreaterThan(1);
    });

    it('starts at most rateLimit.max jobs of a queue per rateLimit.durationMs', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const jobs = [];
      for (let index = 0; index < 5; index += 1) jobs.push(await queue.enqueue('test.echo', { value: `${index}` }, { queue: queueName }));
      work(queue, queueName, { 'test.echo': async () => 'ran' }, { concurrency: 5, rateLimit: { max: 2, durationMs: 300 } });
      // The limit governs starts as the queue records them (claims), not when a loaded event loop got to each handler.
      const starts: number[] = [];
      for (const job of jobs) starts.push(ms((await reaches(queue, job.id, 'completed')).startedAt));
      starts.sort((left, right) => left - right);
      for (let index = 2; index < starts.length; index += 1) expect(starts[index]! - starts[index - 2]!).toBeGreaterThanOrEqual(290);
    });

    it('records progress while a job runs', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const proceed = releasedAfterTest();
      work(queue, queueName, {
        'test.echo': async (job) => {
          await job.progress(40, 'reading');
          await proceed.promise;
          await job.progress(100);
          return 'ok';
        },
      });
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName });
      await eventually(async () => expect((await queue.get(job.id))?.progress).toEqual({ percent: 40, message: 'reading' }));
      expect((await queue.get(job.id))?.state).toBe('active');
      proceed.resolve();
      expect(await reaches(queue, job.id, 'completed')).toMatchObject({ progress: { percent: 100, message: null }, result: 'ok' });
    });

    it('fails a job whose name has no handler in the worker', async () => {
      const queue = await open();
      const queueName = newQueueName();
      work(queue, queueName, { 'test.echo': async () => 'ok' });
      const job = await queue.enqueue('test.unhandled', { value: 'x' }, { queue: queueName, backoff: { delayMs: 10 } });
      const failed = await reaches(queue, job.id, 'failed');
      expect(failed.error).toContain('test.unhandled');
      expect(failed.attempts).toBe(1);
      await marker(queue, queueName);
    });

    it('lets running jobs finish within the close() grace period', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const started = gate();
      const worker = work(queue, queueName, {
        'test.echo': async () => {
          started.resolve();
          await sleep(100);
          return 'finished';
        },
      });
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName });
      await started.promise;
      await worker.close(timeout);
      expect(await queue.get(job.id)).toMatchObject({ state: 'completed', result: 'finished' });
    });

    it('aborts jobs still running after the grace period and gives them back, and a closed worker takes nothing more', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const started = gate();
      const seenByFirst: string[] = [];
      let aborted = false;
      const first = work(queue, queueName, {
        'test.echo': async (job) => {
          seenByFirst.push(job.payload.value);
          started.resolve();
          await untilAborted(job.signal);
          aborted = true;
        },
      });
      const job = await queue.enqueue('test.echo', { value: 'long' }, { queue: queueName, maxAttempts: 1 });
      await started.promise;
      await first.close(50);
      expect(aborted).toBe(true);
      const afterClose = await queue.enqueue('test.echo', { value: 'after close' }, { queue: queueName });

      const seenBySecond: string[] = [];
      work(queue, queueName, { 'test.echo': async (next) => void seenBySecond.push(next.payload.value) });
      // The aborted attempt was the job's only one, yet it runs again: shutdown is not the job's failure.
      await reaches(queue, job.id, 'completed');
      await reaches(queue, afterClose.id, 'completed');
      expect(seenByFirst).toEqual(['long']);
      expect(seenBySecond.sort()).toEqual(['after close', 'long']);
    });

    it('closes idempotently, draining its workers, and rejects enqueues afterwards', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const started = gate();
      let finished = false;
      work(queue, queueName, {
        'test.echo': async () => {
          started.resolve();
          await sleep(50);
          finished = true;
        },
      });
      await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName });
      await started.promise;
      await Promise.all([queue.close(), queue.close()]);
      expect(finished).toBe(true);
      await expect(queue.close()).resolves.toBeUndefined();
      await expect(queue.enqueue('test.echo', { value: 'late' }, { queue: queueName })).rejects.toThrow();
      expect(() => queue.work(queueName, {})).toThrow();
    });

    it('declares the capabilities the suite was told to expect', async () => {
      expect((await open()).capabilities).toEqual(options.capabilities);
    });

    // Registered only for cross-process adapters, so a run that must not skip anything has nothing to skip.
    if (options.capabilities.crossProcess) {
      it('runs a job enqueued on one instance on a worker of another', async () => {
        const producer = await open();
        const consumer = await open();
        const queueName = newQueueName();
        work(consumer, queueName, { 'test.echo': async (job) => `consumed ${job.payload.value}` });
        const job = await producer.enqueue('test.echo', { value: 'x' }, { queue: queueName });
        expect(await reaches(producer, job.id, 'completed')).toMatchObject({ result: 'consumed x' });
      });

      it('moves a hung instance’s job to another instance once the lease expires', async () => {
        const hung = await open({ renewLeases: false });
        const healthy = await open();
        const queueName = newQueueName();
        const stale = releasedAfterTest();
        const firstStarted = gate();
        const hungWorker = work(hung, queueName, {
          'test.echo': async () => {
            firstStarted.resolve();
            await stale.promise;
            return 'stale';
          },
        });
        const job = await healthy.enqueue('test.echo', { value: 'x' }, { queue: queueName });
        await firstStarted.promise;
        work(healthy, queueName, { 'test.echo': async () => 'taken over' });
        expect(await reaches(healthy, job.id, 'completed')).toMatchObject({ result: 'taken over', attempts: 1, stalls: 1 });
        stale.resolve();
        await hungWorker.close(timeout);
        expect(await healthy.get(job.id)).toMatchObject({ state: 'completed', result: 'taken over' });
      });

      it('fires the signal of a job cancelled from another instance', async () => {
        const runner = await open();
        const canceller = await open();
        const queueName = newQueueName();
        const started = gate();
        let aborted = false;
        work(runner, queueName, {
          'test.echo': async (job) => {
            started.resolve();
            await untilAborted(job.signal);
            aborted = true;
          },
        });
        const job = await canceller.enqueue('test.echo', { value: 'x' }, { queue: queueName });
        await started.promise;
        expect(await canceller.cancel(job.id)).toBe(true);
        await eventually(() => expect(aborted).toBe(true));
        expect((await runner.get(job.id))?.state).toBe('cancelled');
      });
    }
  });
};
