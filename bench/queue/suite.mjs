// Suite `queue`: the JobQueue adapters with no-op jobs: enqueue rate, end-to-end throughput (first enqueue to
// last completion) and enqueue→start latency, for the embedded adapter (SQLite file), the BullMQ adapter and raw
// BullMQ as the reference, all in the same run. Each measurement runs in its own child process
// (`node --import tsx bench/queue/measure.ts <spec>`) on a fresh backend: a migrated SQLite file in a new temp
// directory, or a random Redis key prefix whose keys are deleted afterwards. Only 127.0.0.1 is contacted.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const description =
  'JobQueue adapters with no-op jobs: enqueue jobs/s, end-to-end jobs/s (first enqueue to last completion, jobs enqueued ' +
  'while the worker runs) and p50/p99 enqueue→handler-start latency, for the embedded adapter (SQLite file), the BullMQ ' +
  'adapter and raw BullMQ (Queue.add/addBulk + Worker) in the same run, each in a fresh process and backend.';

const quick = process.env.BENCH_QUICK === '1';
const redisUrl = 'redis://127.0.0.1:6379';
const jobs = quick ? 1_000 : 20_000;
const latencyJobs = quick ? 200 : 2_000;
const window = 1_000;
const timeoutMs = quick ? 30_000 : 120_000;
const budgets = { embeddedJobsPerSecond: 5_000 };

const labels = { embedded: 'Embedded adapter (SQLite file)', 'bullmq-adapter': 'BullMQ adapter', 'bullmq-raw': 'Raw BullMQ' };

const live = new Set();
const killAll = () => {
  for (const child of live) child.kill('SIGKILL');
};
process.once('exit', killAll);

const measure = (rootDir, spec) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(rootDir, 'bench/queue/measure.ts'), JSON.stringify({ redisUrl, timeoutMs, ...spec })], {
      cwd: rootDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('exit', (code) => {
      live.delete(child);
      if (code !== 0) reject(new Error(`measure ${JSON.stringify(spec)} exited ${code}:\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });

export const run = async ({ rootDir, log }) => {
  const step = async (spec) => {
    log(`${spec.backend} ${spec.kind}${spec.concurrency ? ` concurrency ${spec.concurrency}` : ''} (${spec.jobs} jobs)`);
    const result = await measure(rootDir, spec);
    log(`  → ${JSON.stringify(result)}`);
    return { backend: spec.backend, ...result };
  };
  try {
    const enqueue = [];
    for (const backend of ['embedded', 'bullmq-adapter', 'bullmq-raw']) enqueue.push(await step({ backend, kind: 'enqueue', jobs, window }));
    const throughput = [];
    for (const concurrency of [1, 10, 50]) throughput.push(await step({ backend: 'embedded', kind: 'throughput', jobs, window, concurrency }));
    for (const backend of ['bullmq-adapter', 'bullmq-raw']) throughput.push(await step({ backend, kind: 'throughput', jobs, window, concurrency: 50 }));
    const latency = [];
    for (const backend of ['embedded', 'bullmq-adapter', 'bullmq-raw']) latency.push(await step({ backend, kind: 'latency', jobs: latencyJobs, concurrency: 10, spacingMs: 1 }));

    const embedded50 = throughput.find((each) => each.backend === 'embedded' && each.concurrency === 50);
    const adapter50 = throughput.find((each) => each.backend === 'bullmq-adapter');
    const raw50 = throughput.find((each) => each.backend === 'bullmq-raw');
    const ratios = {
      bullmqAdapterVsRawThroughput: round(adapter50.jobsPerSecond / raw50.jobsPerSecond),
      bullmqAdapterVsRawEnqueue: round(enqueue[1].jobsPerSecond / enqueue[2].jobsPerSecond),
      embeddedVsRawBullmqThroughput: round(embedded50.jobsPerSecond / raw50.jobsPerSecond),
    };
    const results = { settings: { jobs, latencyJobs, window, timeoutMs, redisUrl, leaseMs: 'adapter default', pollMs: 'adapter default' }, enqueue, throughput, latency, ratios };
    const budgetRows = [
      {
        name: 'Embedded adapter, no-op jobs end to end (concurrency 50)',
        limit: `≥ ${budgets.embeddedJobsPerSecond.toLocaleString('en-US')} jobs/s`,
        measured: `${embedded50.jobsPerSecond.toLocaleString('en-US')} jobs/s`,
        value: embedded50.jobsPerSecond,
        pass: embedded50.jobsPerSecond >= budgets.embeddedJobsPerSecond,
      },
    ];
    return { budgets: budgetRows, results, markdown: markdown(results) };
  } finally {
    killAll();
  }
};

const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const n = (value) => value.toLocaleString('en-US');

const markdown = ({ settings, enqueue, throughput, latency, ratios }) =>
  [
    '## End to end (no-op jobs, enqueued while the worker runs; first enqueue → last completion recorded)',
    '',
    '| Backend | Concurrency | Jobs | jobs/s | Wall ms | of which enqueueing ms |',
    '|---|---|---|---|---|---|',
    ...throughput.map((each) => `| ${labels[each.backend]} | ${each.concurrency} | ${n(each.jobs)} | ${n(each.jobsPerSecond)} | ${n(each.ms)} | ${n(each.enqueueMs)} |`),
    '',
    '## Enqueue rate (no worker)',
    '',
    '| Backend | Jobs | jobs/s | ms |',
    '|---|---|---|---|',
    ...enqueue.flatMap((each) => [
      `| ${labels[each.backend]}${each.backend === 'bullmq-raw' ? ' (Queue.add)' : ' (enqueue)'} | ${n(each.jobs)} | ${n(each.jobsPerSecond)} | ${n(each.ms)} |`,
      ...(each.addBulk ? [`| Raw BullMQ (Queue.addBulk, chunks of ${each.addBulk.chunk}) | ${n(each.addBulk.jobs)} | ${n(each.addBulk.jobsPerSecond)} | ${n(each.addBulk.ms)} |`] : []),
    ]),
    '',
    `## Latency, enqueue call → handler entry (idle worker, concurrency 10, ${n(settings.latencyJobs)} jobs ~1 ms apart)`,
    '',
    '| Backend | p50 ms | p90 ms | p99 ms | max ms | mean ms | actual spacing ms |',
    '|---|---|---|---|---|---|---|',
    ...latency.map((each) => `| ${labels[each.backend]} | ${each.p50Ms} | ${each.p90Ms} | ${each.p99Ms} | ${each.maxMs} | ${each.meanMs} | ${each.meanSpacingMs} |`),
    '',
    '## Ratios (not budgeted)',
    '',
    `- BullMQ adapter vs raw BullMQ, end to end at concurrency 50: ${ratios.bullmqAdapterVsRawThroughput}×`,
    `- BullMQ adapter vs raw BullMQ (Queue.add), enqueue: ${ratios.bullmqAdapterVsRawEnqueue}×`,
    `- Embedded adapter vs raw BullMQ, end to end at concurrency 50: ${ratios.embeddedVsRawBullmqThroughput}×`,
    '',
    '## How',
    '',
    `- Each row is its own process (\`node --import tsx bench/queue/measure.ts\`) on a fresh backend: a new SQLite file (WAL, ` +
      '`synchronous=FULL`, migrations applied) in a temp dir, or a random Redis key prefix on 127.0.0.1:6379 whose keys are deleted afterwards.',
    `- Enqueueing keeps at most ${n(settings.window)} enqueue calls in flight (batches of ${n(settings.window)} awaited together); ` +
      'the adapters run with their default lease, heartbeat and poll settings.',
    '- End to end: the worker is started first, then the jobs are enqueued; the clock stops once every handler has run and the ' +
      'backend reports all jobs `completed` (polled every 5 ms: SQL count, or BullMQ `getJobCounts`).',
    '- Latency: `performance.now()` just before the enqueue call is carried in the payload and compared at handler entry (same process). ' +
      'Enqueues are not awaited one by one; `setTimeout(1)` makes the spacing ~1–1.5 ms.',
    '- The measured process, Redis and SQLite share the same 2 cores.',
  ].join('\n');
