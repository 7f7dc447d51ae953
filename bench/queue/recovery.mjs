// Recovery after kill -9, per JobQueue adapter: how long from killing a worker process in the middle of a
// long-running job to that job running again in a newly started worker process.
//
//   node bench/queue/recovery.mjs [sqlite] [postgres] [bullmq]   (default: all three; RECOVERY_RUNS=3 kills each)
//
// Each run: start worker A (its own process, `node --import tsx`, the adapter with its production defaults —
// lease 6 s renewed every 2 s), enqueue one job whose handler runs until aborted, wait until A runs it, wait a
// random 0–3 s (so the kill lands anywhere in the renewal cycle), SIGKILL A, and time kill → worker B's handler
// starting the job. Two cases: `restart` starts B right after the kill (as a supervisor would; B's start-up is
// included), `standby` has B already running before the kill (a cluster's other worker; PostgreSQL and BullMQ
// only, since one process works a SQLite file). Prints one line per run and a summary.
// Backends: a SQLite file in a temp directory; a fresh schema of STEAD_BENCH_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test); a random key prefix on STEAD_BENCH_REDIS_URL (default
// redis://127.0.0.1:6379). All are removed afterwards. Timings are evidence for a person, never a test.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteRedisKeys } from '../support.mjs';

const self = fileURLToPath(import.meta.url);
const rootDir = join(self, '../../..');
const postgresUrl = process.env.STEAD_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.STEAD_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const queueName = 'recovery';
const jobName = 'bench.recovery';

/** Worker role: open the backend, work the queue with a handler that runs until aborted, report starts. */
const worker = async (spec) => {
  const say = (event) => process.stdout.write(`${JSON.stringify({ ...event, at: Date.now() })}\n`);
  const server = (path) => import(join(rootDir, 'apps/server/src', path));
  let queue;
  if (spec.adapter === 'bullmq') {
    const { createBullmqQueue } = await server('platform/queue/bullmq-queue.adapter.ts');
    queue = createBullmqQueue({ url: redisUrl, prefix: spec.prefix });
  } else {
    const { createSqliteDatabase, createPostgresDatabase } = await server('platform/database/database.factory.ts');
    const { migrateToLatest } = await server('platform/database/migrator.ts');
    const { createDatabaseQueue } = await server('platform/queue/database-queue.adapter.ts');
    const database = spec.adapter === 'sqlite' ? createSqliteDatabase({ file: spec.file }) : await createPostgresDatabase({ url: spec.url, maxConnections: 4 });
    await migrateToLatest(database.db);
    queue = createDatabaseQueue({ database });
  }
  queue.work(queueName, {
    [jobName]: async (job) => {
      say({ event: 'started', attempt: job.attempt, stalls: job.stalls });
      await new Promise((resolve) => job.signal.addEventListener('abort', resolve, { once: true }));
    },
  });
  if (spec.enqueue) await queue.enqueue(jobName, { run: spec.run }, { queue: queueName });
  say({ event: 'ready' });
};

const startWorker = (spec) => {
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--worker', JSON.stringify(spec)], { cwd: rootDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const events = [];
  const waiters = [];
  let buffer = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!line.startsWith('{')) continue;
      events.push(JSON.parse(line));
      for (const waiter of waiters.splice(0)) waiter();
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const waitFor = async (event, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events.find((each) => each.event === event);
      if (found) return found;
      if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode} before "${event}":\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`no "${event}" from the worker within ${timeoutMs} ms:\n${stderr}`);
      await new Promise((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return {
    waitFor,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
};

/** A fresh backend per run; `dispose` removes it. */
const backend = async (adapter) => {
  if (adapter === 'sqlite') {
    const dir = mkdtempSync(join(os.tmpdir(), 'stead-bench-recovery-'));
    return { spec: { adapter, file: join(dir, 'stead.db') }, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (adapter === 'postgres') {
    const { default: pg } = await import('pg');
    const schema = `bench_recovery_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create schema "${schema}"`);
    const url = new URL(postgresUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return {
      spec: { adapter, url: url.toString() },
      async dispose() {
        await admin.query(`drop schema "${schema}" cascade`);
        await admin.end();
      },
    };
  }
  const prefix = `bench-recovery-${randomBytes(6).toString('hex')}`;
  return { spec: { adapter, prefix }, dispose: () => deleteRedisKeys(redisUrl, prefix) };
};

const measure = async (adapter, mode, run) => {
  const { spec, dispose } = await backend(adapter);
  const workers = [];
  try {
    const first = startWorker({ ...spec, enqueue: true, run });
    workers.push(first);
    await first.waitFor('started');
    let second;
    if (mode === 'standby') {
      second = startWorker(spec);
      workers.push(second);
      await second.waitFor('ready');
    }
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 3_000));
    await first.kill();
    const killedAt = Date.now();
    if (!second) {
      second = startWorker(spec);
      workers.push(second);
    }
    const ready = await second.waitFor('ready');
    const resumed = await second.waitFor('started');
    return { resumeSeconds: (resumed.at - killedAt) / 1000, upSeconds: Math.max(0, (ready.at - killedAt) / 1000), attempt: resumed.attempt, stalls: resumed.stalls };
  } finally {
    for (const each of workers) await each.kill();
    await dispose();
  }
};

const main = async () => {
  const adapters = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['sqlite', 'postgres', 'bullmq'];
  const runs = Number(process.env.RECOVERY_RUNS ?? 3);
  console.log(`kill -9 → job running again in a new worker process; ${runs} runs per adapter; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}`);
  for (const adapter of adapters) {
    for (const mode of adapter === 'sqlite' ? ['restart'] : ['restart', 'standby']) {
      const results = [];
      for (let run = 0; run < runs; run += 1) {
        const result = await measure(adapter, mode, run);
        results.push(result);
        const up = mode === 'restart' ? `new process up after ${result.upSeconds.toFixed(2)} s; ` : '';
        console.log(`${adapter} ${mode} run ${run + 1}: resumed ${result.resumeSeconds.toFixed(2)} s after the kill (${up}attempt ${result.attempt}, stalls ${result.stalls})`);
      }
      const seconds = results.map((result) => result.resumeSeconds);
      console.log(`${adapter} ${mode}: min ${Math.min(...seconds).toFixed(2)} s, max ${Math.max(...seconds).toFixed(2)} s, load ${os.loadavg()[0].toFixed(2)}`);
    }
  }
};

if (process.argv[2] === '--worker') {
  worker(JSON.parse(process.argv[3])).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
