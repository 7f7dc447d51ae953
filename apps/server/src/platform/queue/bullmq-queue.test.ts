import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { serviceUrl } from '../../../test/support/services.ts';
import type { Clock, Ids } from '../clock/clock.ts';
import { createBullmqQueue, type BullmqQueueOptions } from './bullmq-queue.adapter.ts';
import { runJobQueueContract } from './queue.contract.ts';
import {
  DelayJobError,
  RateLimitJobError,
  UnrecoverableJobError,
  type EnqueueOptions,
  type JobContext,
  type JobHandlers,
  type JobName,
  type JobQueue,
  type JobRecord,
} from './queue.port.ts';

const redisUrl = serviceUrl('redis');

// The port's job names are declared by features; these tests use names of their own without widening JobName
// for the whole program.
const enqueue = (queue: JobQueue, name: string, payload: unknown, options?: EnqueueOptions): Promise<JobRecord> =>
  queue.enqueue(name as JobName, payload as never, options);
const handlersOf = (handlers: Record<string, (job: JobContext) => Promise<unknown>>): JobHandlers => handlers as JobHandlers;

const settle = async (queue: JobQueue, id: string, state: JobRecord['state'], timeout = 10_000): Promise<JobRecord> => {
  let record: JobRecord | undefined;
  await vi.waitFor(
    async () => {
      record = await queue.get(id);
      expect(record?.state).toBe(state);
    },
    { timeout, interval: 20 },
  );
  return record!;
};

describe.skipIf(!redisUrl)('bullmq job queue', () => {
  // A prefix per run keeps parallel runs (and other suites) on the shared Redis apart; afterAll deletes its keys.
  const prefix = `stead-test-${randomBytes(6).toString('hex')}`;
  const opened: JobQueue[] = [];
  const children: ChildProcess[] = [];
  const open = (options: Partial<BullmqQueueOptions> = {}): JobQueue => {
    const queue = createBullmqQueue({ url: redisUrl!, prefix, leaseMs: 2_000, ...options });
    opened.push(queue);
    return queue;
  };
  // Short leases keep the contract's stall tests to fractions of a second.
  runJobQueueContract(
    'bullmq',
    async (variant) => createBullmqQueue({ url: redisUrl!, prefix, leaseMs: 300, renewLeases: variant?.renewLeases !== false }),
    { capabilities: { crossProcess: true, transactional: false }, leaseMs: 300 },
  );

  // A queue name per test: workers of one test never see another test's jobs.
  const queueName = (): string => `q-${randomBytes(4).toString('hex')}`;

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
  });

  afterAll(async () => {
    const redis = new Redis(redisUrl!);
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
      if (found.length > 0) await redis.del(...found);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  });

  it('runs a job to completion and reports it, with ids and creation time from the injected sources', async () => {
    const clock: Clock = { now: () => new Date('2030-01-01T00:00:00.000Z') };
    let counter = 0;
    const ids: Ids = { next: () => `job-${randomBytes(3).toString('hex')}-${(counter += 1)}` };
    const jobs = open({ clock, ids });
    const name = queueName();
    const seen: JobContext[] = [];
    jobs.work(name, handlersOf({ [name]: async (job) => (seen.push(job), { echoed: job.payload }) }));

    const created = await enqueue(jobs, name, { n: 1 });
    expect(created).toMatchObject({ id: expect.stringMatching(/^job-.*-1$/), queue: name, name, state: 'waiting', priority: 0, attempts: 0, maxAttempts: 3, createdAt: '2030-01-01T00:00:00.000Z' });
    const done = await settle(jobs, created.id, 'completed');
    expect(done).toMatchObject({ result: { echoed: { n: 1 } }, attempts: 1, error: null, payload: { n: 1 } });
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    expect(seen[0]).toMatchObject({ id: created.id, attempt: 1, idempotencyKey: created.id });
    await expect(jobs.get('no-such-job')).resolves.toBeUndefined();
  });

  it('runs higher priority first, default 0 between positive and negative', async () => {
    const jobs = open();
    const name = queueName();
    const order: string[] = [];
    await enqueue(jobs, name, 'low', { priority: -5 });
    await enqueue(jobs, name, 'default-1');
    await enqueue(jobs, name, 'high', { priority: 50 });
    await enqueue(jobs, name, 'default-2');
    const last = await enqueue(jobs, name, 'top', { priority: 100 });
    jobs.work(name, handlersOf({ [name]: async (job) => order.push(job.payload as string) }));
    await settle(jobs, last.id, 'completed');
    await vi.waitFor(() => expect(order).toHaveLength(5));
    expect(order).toEqual(['top', 'high', 'default-1', 'default-2', 'low']);
  });

  it('delays a job and reports when it will run', async () => {
    const jobs = open();
    const name = queueName();
    const startedAt: number[] = [];
    jobs.work(name, handlersOf({ [name]: async () => startedAt.push(Date.now()) }));
    const before = Date.now();
    const created = await enqueue(jobs, name, null, { delayMs: 400 });
    expect(created.state).toBe('delayed');
    const pending = await jobs.get(created.id);
    expect(pending?.state).toBe('delayed');
    expect(Date.parse(pending!.runAt) - before).toBeGreaterThanOrEqual(350);
    await settle(jobs, created.id, 'completed');
    expect(startedAt[0]! - before).toBeGreaterThanOrEqual(390);
  });

  it('retries with backoff up to maxAttempts, then fails; retry revives the failed job with fresh attempts', async () => {
    const jobs = open();
    const name = queueName();
    const attempts: { attempt: number; at: number }[] = [];
    let healthy = false;
    jobs.work(
      name,
      handlersOf({
        [name]: async (job) => {
          attempts.push({ attempt: job.attempt, at: Date.now() });
          if (!healthy) throw new Error(`boom ${job.attempt}`);
          return 'ok';
        },
      }),
    );
    const created = await enqueue(jobs, name, null, { maxAttempts: 3, backoff: { type: 'exponential', delayMs: 100, jitter: 0 } });
    const failed = await settle(jobs, created.id, 'failed');
    expect(failed).toMatchObject({ attempts: 3, error: 'boom 3' });
    expect(attempts.map((entry) => entry.attempt)).toEqual([1, 2, 3]);
    // Exponential without jitter: 100 ms then 200 ms.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(90);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(190);

    healthy = true;
    await expect(jobs.retry(created.id)).resolves.toBe(true);
    const done = await settle(jobs, created.id, 'completed');
    expect(done).toMatchObject({ attempts: 1, result: 'ok' });
    expect(attempts.at(-1)?.attempt).toBe(1);
    await expect(jobs.retry(created.id)).resolves.toBe(false);
  });

  it('returns the first job for a second enqueue with the same idempotency key, also concurrently and across queues', async () => {
    const jobs = open();
    const name = queueName();
    const key = `key-${randomBytes(4).toString('hex')}`;
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => enqueue(jobs, name, { index }, { idempotencyKey: key })));
    const firstId = results[0]!.id;
    expect(new Set(results.map((record) => record.id))).toEqual(new Set([firstId]));
    const other = await enqueue(jobs, name, { index: 99 }, { idempotencyKey: key, queue: queueName() });
    expect(other.id).toBe(firstId);
    expect(other.queue).toBe(name);

    jobs.work(name, handlersOf({ [name]: async (job) => job.idempotencyKey }));
    const done = await settle(jobs, firstId, 'completed');
    expect(done.result).toBe(key);
    expect(done.idempotencyKey).toBe(key);
    // Finished jobs still hold their key.
    await expect(enqueue(jobs, name, null, { idempotencyKey: key })).resolves.toMatchObject({ id: firstId, state: 'completed' });
  });

  it('gives a cancelled job key to a new job', async () => {
    const jobs = open();
    const name = queueName();
    const key = `key-${randomBytes(4).toString('hex')}`;
    const first = await enqueue(jobs, name, 1, { idempotencyKey: key, delayMs: 60_000 });
    await expect(jobs.cancel(first.id)).resolves.toBe(true);
    const second = await enqueue(jobs, name, 2, { idempotencyKey: key, delayMs: 60_000 });
    expect(second.id).not.toBe(first.id);
    await expect(jobs.get(first.id)).resolves.toMatchObject({ state: 'cancelled' });
    // The key names one live job: the first stays cancelled until the second lets go of the key.
    await expect(jobs.retry(first.id)).resolves.toBe(false);
    await expect(jobs.cancel(second.id)).resolves.toBe(true);
    await expect(jobs.retry(first.id)).resolves.toBe(true);
    await expect(enqueue(jobs, name, 3, { idempotencyKey: key })).resolves.toMatchObject({ id: first.id });
  });

  it('cancels waiting and delayed jobs so they never run, and retry runs a cancelled job again', async () => {
    const jobs = open();
    const name = queueName();
    const ran: unknown[] = [];
    const waiting = await enqueue(jobs, name, 'waiting');
    const delayed = await enqueue(jobs, name, 'delayed', { delayMs: 200 });
    await expect(jobs.cancel(waiting.id)).resolves.toBe(true);
    await expect(jobs.cancel(delayed.id)).resolves.toBe(true);
    await expect(jobs.cancel(waiting.id)).resolves.toBe(false);
    const marker = await enqueue(jobs, name, 'marker', { delayMs: 300 });
    jobs.work(name, handlersOf({ [name]: async (job) => ran.push(job.payload) }));
    await settle(jobs, marker.id, 'completed');
    expect(ran).toEqual(['marker']);
    const cancelled = await jobs.get(waiting.id);
    expect(cancelled).toMatchObject({ state: 'cancelled', payload: 'waiting', name });
    expect(cancelled?.finishedAt).not.toBeNull();
    await expect(jobs.cancel(marker.id)).resolves.toBe(false);

    await expect(jobs.retry(waiting.id)).resolves.toBe(true);
    await settle(jobs, waiting.id, 'completed');
    expect(ran).toEqual(['marker', 'waiting']);
  });

  it('cancels an active job: its signal fires and it ends cancelled, even on another instance', async () => {
    // A short lease also shortens close(): the retried run below is still active when the test ends.
    const workerSide = open({ leaseMs: 500 });
    const apiSide = open({ leaseMs: 500 });
    const name = queueName();
    const reasons: unknown[] = [];
    workerSide.work(
      name,
      handlersOf({
        [name]: (job) =>
          new Promise((_resolve, reject) => {
            job.signal.addEventListener('abort', () => {
              reasons.push(job.signal.reason);
              reject(job.signal.reason as Error);
            });
          }),
      }),
    );
    const created = await enqueue(apiSide, name, null);
    await settle(apiSide, created.id, 'active');
    await expect(apiSide.cancel(created.id)).resolves.toBe(true);
    await vi.waitFor(() => expect(reasons).toHaveLength(1));
    const record = await settle(apiSide, created.id, 'cancelled');
    expect(record.finishedAt).not.toBeNull();
    await expect(apiSide.retry(created.id)).resolves.toBe(true);
    await settle(apiSide, created.id, 'active');
  });

  it('stores progress reported by the handler', async () => {
    const jobs = open();
    const name = queueName();
    jobs.work(
      name,
      handlersOf({
        [name]: async (job) => {
          await job.progress(40, 'reading');
          await job.progress(80);
          return null;
        },
      }),
    );
    const created = await enqueue(jobs, name, null);
    const done = await settle(jobs, created.id, 'completed');
    expect(done.progress).toEqual({ percent: 80, message: null });
  });

  it('fails for good on UnrecoverableJobError and on a job name without a handler', async () => {
    const jobs = open();
    const name = queueName();
    let calls = 0;
    jobs.work(
      name,
      handlersOf({
        [name]: async () => {
          calls += 1;
          throw new UnrecoverableJobError('bad input');
        },
      }),
    );
    const created = await enqueue(jobs, name, null, { maxAttempts: 5, backoff: { delayMs: 10 } });
    const unknown = await enqueue(jobs, 'no-handler', null, { queue: name, maxAttempts: 5, backoff: { delayMs: 10 } });
    await expect(settle(jobs, created.id, 'failed')).resolves.toMatchObject({ attempts: 1, error: 'bad input' });
    await expect(settle(jobs, unknown.id, 'failed')).resolves.toMatchObject({ attempts: 1 });
    expect(calls).toBe(1);
  });

  it('runs a job again after DelayJobError without counting the attempt', async () => {
    const jobs = open();
    const name = queueName();
    const runs: { attempt: number; at: number }[] = [];
    jobs.work(
      name,
      handlersOf({
        [name]: async (job) => {
          runs.push({ attempt: job.attempt, at: Date.now() });
          if (runs.length < 3) throw new DelayJobError(150);
          return 'done';
        },
      }),
    );
    const created = await enqueue(jobs, name, null, { maxAttempts: 1 });
    const done = await settle(jobs, created.id, 'completed');
    expect(done).toMatchObject({ result: 'done', attempts: 1 });
    expect(runs.map((run) => run.attempt)).toEqual([1, 1, 1]);
    expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(140);
  });

  it('pauses the queue after RateLimitJobError and runs the job again without counting the attempt', async () => {
    const jobs = open();
    const name = queueName();
    const runs: { payload: unknown; at: number }[] = [];
    let limited = false;
    jobs.work(
      name,
      handlersOf({
        [name]: async (job) => {
          runs.push({ payload: job.payload, at: Date.now() });
          if (!limited) {
            limited = true;
            throw new RateLimitJobError(400);
          }
          return job.attempt;
        },
      }),
    );
    const first = await enqueue(jobs, name, 'first', { maxAttempts: 1 });
    await vi.waitFor(() => expect(runs).toHaveLength(1));
    const second = await enqueue(jobs, name, 'second', { maxAttempts: 1 });
    await expect(settle(jobs, first.id, 'completed')).resolves.toMatchObject({ result: 1, attempts: 1 });
    await settle(jobs, second.id, 'completed');
    // Nothing in the queue started while it was limited.
    expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(380);
  });

  it('aborts an attempt that exceeds timeoutMs and counts it as failed', async () => {
    const jobs = open();
    const name = queueName();
    let aborted = 0;
    jobs.work(
      name,
      handlersOf({
        [name]: (job) =>
          new Promise(() => {
            // Ignores the signal on purpose: the timeout must not depend on the handler's cooperation.
            job.signal.addEventListener('abort', () => (aborted += 1));
          }),
      }),
    );
    const created = await enqueue(jobs, name, null, { timeoutMs: 150, maxAttempts: 2, backoff: { delayMs: 10 } });
    const failed = await settle(jobs, created.id, 'failed');
    expect(failed.attempts).toBe(2);
    expect(failed.error).toMatch(/timed out after 150 ms/);
    expect(aborted).toBe(2);
  });

  it('keeps per-worker concurrency and the queue rate limit', async () => {
    const jobs = open();
    const name = queueName();
    let inFlight = 0;
    let peak = 0;
    const starts: number[] = [];
    jobs.work(
      name,
      handlersOf({
        [name]: async () => {
          starts.push(Date.now());
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 50));
          inFlight -= 1;
        },
      }),
      { concurrency: 2, rateLimit: { max: 3, durationMs: 500 } },
    );
    const created = await Promise.all(Array.from({ length: 6 }, () => enqueue(jobs, name, null)));
    for (const job of created) await settle(jobs, job.id, 'completed');
    expect(peak).toBe(2);
    starts.sort((a, b) => a - b);
    // Six starts at three per 500 ms: the fourth waits for the next window.
    expect(starts[3]! - starts[0]!).toBeGreaterThanOrEqual(400);
  });

  it('fires the signal when the lease is lost and accepts completion only from the new lease holder', async () => {
    const jobs = open({ leaseMs: 600 });
    const redis = new Redis(redisUrl!);
    const name = queueName();
    const outcomes: string[] = [];
    jobs.work(
      name,
      handlersOf({
        [name]: async (job) => {
          if (outcomes.length > 0) {
            outcomes.push('second run');
            return 'fresh';
          }
          outcomes.push('first run');
          // Another holder took the lease meanwhile: this run's completion must not be accepted.
          await redis.del(`${prefix}:${name}:${job.id}:lock`);
          await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
          outcomes.push(`aborted: ${(job.signal.reason as Error).message}`);
          return 'stale';
        },
      }),
      { concurrency: 2 },
    );
    try {
      const created = await enqueue(jobs, name, null);
      const done = await settle(jobs, created.id, 'completed');
      expect(done.result).toBe('fresh');
      expect(outcomes).toEqual(['first run', 'aborted: The job lost its lease', 'second run']);
    } finally {
      await redis.quit();
    }
  });

  it('runs a killed worker process’s job again within about 1.5 leases', async () => {
    const name = queueName();
    const leaseMs = 1_000;
    const adapter = fileURLToPath(new URL('./bullmq-queue.adapter.ts', import.meta.url));
    // The worker runs in a child process that is killed with SIGKILL: no lock release, no cleanup.
    const script = `
      const { createBullmqQueue } = await import(${JSON.stringify(adapter)});
      const jobs = createBullmqQueue({ url: ${JSON.stringify(redisUrl)}, prefix: ${JSON.stringify(prefix)}, leaseMs: ${leaseMs} });
      jobs.work(${JSON.stringify(name)}, { [${JSON.stringify(name)}]: async () => { console.log('started'); await new Promise(() => {}); } });
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const jobs = open({ leaseMs });
    const created = await enqueue(jobs, name, null, { maxAttempts: 2 });
    await vi.waitFor(() => expect(output).toContain('started'), { timeout: 15_000, interval: 20 });
    child.kill('SIGKILL');
    const killedAt = Date.now();

    let recoveredAt = 0;
    jobs.work(name, handlersOf({ [name]: async (job) => ((recoveredAt = Date.now()), { attempt: job.attempt, stalls: job.stalls }) }));
    const done = await settle(jobs, created.id, 'completed', 10_000);
    // The killed attempt is a stall, not a counted attempt: the recovery is attempt 1 again, after one stall.
    expect(done).toMatchObject({ result: { attempt: 1, stalls: 1 }, attempts: 1, stalls: 1 });
    expect(recoveredAt - killedAt).toBeLessThan(leaseMs * 1.5 + 500);
  });

  it('returns a job to waiting when a worker closes after its grace period', async () => {
    const jobs = open();
    const name = queueName();
    let signalled = false;
    const worker = jobs.work(
      name,
      handlersOf({
        [name]: (job) =>
          new Promise((_resolve, reject) =>
            job.signal.addEventListener('abort', () => {
              signalled = true;
              reject(job.signal.reason as Error);
            }),
          ),
      }),
    );
    const created = await enqueue(jobs, name, null, { maxAttempts: 1 });
    await settle(jobs, created.id, 'active');
    await worker.close(100);
    expect(signalled).toBe(true);
    await expect(jobs.get(created.id)).resolves.toMatchObject({ state: 'waiting', attempts: 0 });
    jobs.work(name, handlersOf({ [name]: async () => 'elsewhere' }));
    await expect(settle(jobs, created.id, 'completed')).resolves.toMatchObject({ result: 'elsewhere' });
  });

  it('refuses invalid options with validation_failed and creates nothing', async () => {
    const jobs = open();
    const name = queueName();
    await expect(enqueue(jobs, name, null, { delayMs: -1 })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(enqueue(jobs, name, null, { priority: 101 })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(enqueue(jobs, name, null, { queue: 'a:b' })).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('rejects with service_unavailable when Redis cannot be reached', async () => {
    // Port 1 refuses connections; a single attempt keeps the test fast.
    const connection = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    connection.on('error', () => {});
    const jobs = open({ url: undefined, connection });
    try {
      await expect(enqueue(jobs, queueName(), null)).rejects.toMatchObject({ code: 'service_unavailable' });
      await expect(jobs.get('x')).rejects.toMatchObject({ code: 'service_unavailable' });
    } finally {
      connection.disconnect();
    }
  });
});
