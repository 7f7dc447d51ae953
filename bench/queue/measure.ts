// One measurement of suite `queue`, run in its own process (`node --import tsx bench/queue/measure.ts <spec>`)
// so every backend starts fresh and no JIT or heap state leaks between runs. <spec> is JSON:
// { backend: 'embedded' | 'bullmq-adapter' | 'bullmq-raw', kind: 'enqueue' | 'throughput' | 'latency', ... }.
// Prints one JSON line with the result on stdout. Redis keys of the run's random prefix and the temp SQLite
// directory are removed before the process exits.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { createBullmqQueue } from '../../apps/server/src/platform/queue/bullmq-queue.adapter.ts';
import { createDatabaseQueue } from '../../apps/server/src/platform/queue/database-queue.adapter.ts';
import type { JobQueue } from '../../apps/server/src/platform/queue/queue.port.ts';
import { createSqliteDatabase } from '../../apps/server/src/platform/database/database.factory.ts';
// The queue's tables are in the history migrations; importing feature-list.ts would load the whole server (every
// feature and its libraries) into the measured heap, which the queue alone does not need.
import { migrations } from '../../apps/server/migrations/index.ts';
import { migrateToLatest } from '../../apps/server/src/platform/database/migrator.ts';
import { deleteRedisKeys } from '../support.mjs';

interface Spec {
  backend: 'embedded' | 'bullmq-adapter' | 'bullmq-raw';
  kind: 'enqueue' | 'throughput' | 'latency';
  jobs: number;
  concurrency?: number;
  /** Enqueue calls in flight at once (throughput and enqueue runs). */
  window?: number;
  /** Pause between enqueues of the latency run. */
  spacingMs?: number;
  redisUrl?: string;
  timeoutMs: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
const queueName = 'bench-noop';
const jobName = 'bench.noop' as never;
const now = (): number => performance.now();

/** What each backend offers the measurement, whatever its API. */
interface Backend {
  enqueue(payload: { t: number }): Promise<unknown>;
  /** Optional bulk path (raw BullMQ addBulk), used for the extra enqueue figure. */
  enqueueBulk?(payloads: { t: number }[]): Promise<unknown>;
  work(concurrency: number, handler: (payload: { t: number }) => void): Promise<{ close(): Promise<void> }>;
  completed(): Promise<number>;
  dispose(): Promise<void>;
}

const embedded = async (): Promise<Backend> => {
  const dir = mkdtempSync(join(os.tmpdir(), 'stead-bench-queue-'));
  const database = createSqliteDatabase({ file: join(dir, 'stead.db') });
  await migrateToLatest(database.db, migrations);
  const queue: JobQueue = createDatabaseQueue({ database });
  return {
    enqueue: (payload) => queue.enqueue(jobName, payload as never, { queue: queueName }),
    async work(concurrency, handler) {
      return queue.work(queueName, { [jobName]: async (job: { payload: { t: number } }) => handler(job.payload) } as never, { concurrency });
    },
    async completed() {
      const { rows } = await sql<{ n: number }>`select count(*) as n from job where state = 'completed'`.execute(database.db);
      return Number(rows[0]!.n);
    },
    async dispose() {
      await queue.close();
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

const bullmqAdapter = async (url: string): Promise<Backend> => {
  const prefix = `bench-queue-${randomBytes(6).toString('hex')}`;
  const queue: JobQueue = createBullmqQueue({ url, prefix });
  const counts = new Queue(queueName, { connection: { url }, prefix });
  return {
    enqueue: (payload) => queue.enqueue(jobName, payload as never, { queue: queueName }),
    async work(concurrency, handler) {
      return queue.work(queueName, { [jobName]: async (job: { payload: { t: number } }) => handler(job.payload) } as never, { concurrency });
    },
    completed: async () => (await counts.getJobCounts('completed')).completed ?? 0,
    async dispose() {
      await queue.close();
      await counts.close();
      await deleteRedisKeys(url, prefix);
    },
  };
};

/** BullMQ as its own documentation shows it: Queue.add / addBulk and a Worker with a no-op processor. */
const bullmqRaw = async (url: string): Promise<Backend> => {
  const prefix = `bench-queue-${randomBytes(6).toString('hex')}`;
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection, prefix });
  const workers: Worker[] = [];
  return {
    enqueue: (payload) => queue.add('noop', payload),
    enqueueBulk: (payloads) => queue.addBulk(payloads.map((data) => ({ name: 'noop', data }))),
    async work(concurrency, handler) {
      const worker = new Worker(queueName, async (job) => handler(job.data as { t: number }), {
        connection: new Redis(url, { maxRetriesPerRequest: null }),
        prefix,
        concurrency,
      });
      workers.push(worker);
      await worker.waitUntilReady();
      return { close: () => worker.close() };
    },
    completed: async () => (await queue.getJobCounts('completed')).completed ?? 0,
    async dispose() {
      await Promise.all(workers.map((worker) => worker.close()));
      await queue.close();
      connection.disconnect();
      await deleteRedisKeys(url, prefix);
    },
  };
};

/** Enqueues `count` jobs with at most `window` calls in flight; returns the elapsed milliseconds. */
const enqueueAll = async (backend: Backend, count: number, window: number): Promise<number> => {
  const started = now();
  for (let done = 0; done < count; done += window) {
    const batch = Math.min(window, count - done);
    await Promise.all(Array.from({ length: batch }, () => backend.enqueue({ t: now() })));
  }
  return now() - started;
};

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

const deadline = (what: string): never => {
  throw new Error(`${what}: not done within ${spec.timeoutMs} ms`);
};

const main = async (): Promise<unknown> => {
  const url = spec.redisUrl ?? 'redis://127.0.0.1:6379';
  const backend = spec.backend === 'embedded' ? await embedded() : spec.backend === 'bullmq-adapter' ? await bullmqAdapter(url) : await bullmqRaw(url);
  try {
    if (spec.kind === 'enqueue') {
      const window = spec.window ?? 1_000;
      const ms = await enqueueAll(backend, spec.jobs, window);
      const result: Record<string, unknown> = { jobs: spec.jobs, window, ms: round(ms), jobsPerSecond: Math.round((spec.jobs / ms) * 1000) };
      if (backend.enqueueBulk) {
        // A second, separate figure: addBulk in chunks of `window` (after the first jobs; still no worker).
        const started = now();
        for (let done = 0; done < spec.jobs; done += window) {
          await backend.enqueueBulk(Array.from({ length: Math.min(window, spec.jobs - done) }, () => ({ t: now() })));
        }
        const bulkMs = now() - started;
        result.addBulk = { jobs: spec.jobs, chunk: window, ms: round(bulkMs), jobsPerSecond: Math.round((spec.jobs / bulkMs) * 1000) };
      }
      return result;
    }

    if (spec.kind === 'throughput') {
      const window = spec.window ?? 1_000;
      let started = 0;
      const worker = await backend.work(spec.concurrency!, () => {
        started += 1;
      });
      const begin = now();
      const enqueueMs = await enqueueAll(backend, spec.jobs, window);
      const limit = begin + spec.timeoutMs;
      while (started < spec.jobs) {
        if (now() > limit) deadline(`throughput (${started}/${spec.jobs} started)`);
        await sleep(2);
      }
      let completed = 0;
      while ((completed = await backend.completed()) < spec.jobs) {
        if (now() > limit) deadline(`throughput (${completed}/${spec.jobs} completed)`);
        await sleep(5);
      }
      const ms = now() - begin;
      await worker.close();
      return { jobs: spec.jobs, concurrency: spec.concurrency, window, enqueueMs: round(enqueueMs), ms: round(ms), jobsPerSecond: Math.round((spec.jobs / ms) * 1000) };
    }

    // Latency: an idle worker, then jobs enqueued one at a time ~spacingMs apart; enqueue call → handler entry.
    const delays: number[] = [];
    const worker = await backend.work(spec.concurrency!, (payload) => {
      delays.push(now() - payload.t);
    });
    await sleep(500); // let the worker settle into its idle wait
    const pending: Promise<unknown>[] = [];
    const begin = now();
    for (let index = 0; index < spec.jobs; index += 1) {
      pending.push(backend.enqueue({ t: now() }));
      await sleep(spec.spacingMs ?? 1);
    }
    const enqueueSpanMs = now() - begin;
    await Promise.all(pending);
    const limit = now() + spec.timeoutMs;
    while (delays.length < spec.jobs) {
      if (now() > limit) deadline(`latency (${delays.length}/${spec.jobs} started)`);
      await sleep(5);
    }
    await worker.close();
    const sorted = [...delays].sort((a, b) => a - b);
    return {
      jobs: spec.jobs,
      concurrency: spec.concurrency,
      enqueueSpanMs: round(enqueueSpanMs),
      meanSpacingMs: round(enqueueSpanMs / spec.jobs, 3),
      p50Ms: round(percentile(sorted, 50), 3),
      p90Ms: round(percentile(sorted, 90), 3),
      p99Ms: round(percentile(sorted, 99), 3),
      maxMs: round(sorted[sorted.length - 1]!, 3),
      meanMs: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length, 3),
    };
  } finally {
    await backend.dispose();
  }
};

const watchdog = setTimeout(() => {
  process.stderr.write(`measure: hard timeout after ${spec.timeoutMs * 2} ms\n`);
  process.exit(3);
}, spec.timeoutMs * 2);
watchdog.unref();

main().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
