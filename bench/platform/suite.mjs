// Suite `platform`: cold start to the first healthy response, idle and loaded memory, and HTTP throughput and
// latency of GET /api/health and of an API-key authenticated list endpoint, on the single-node (SQLite) server.
// Everything stays on loopback; every run is bounded in time and the server is killed at the end.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { cleanup, host, newTempDir, probe, steadEnv, stopProcess, track } from '../processes.mjs';
import { descendants, freePort, jsonRequest, memory, setupOwner } from '../support.mjs';

export const description =
  'Single-node server (SQLite): cold start from spawn to the first 200 from GET /api/health, idle RSS, and ' +
  'requests/s with p50/p99 latency (autocannon) for GET /api/health and for GET /api/workspaces/:id/members with an API key.';

// BENCH_QUICK=1 shortens every phase to check the harness itself; run.mjs then writes under bench/.tmp/.
const quick = process.env.BENCH_QUICK === '1';
const startRuns = quick ? 1 : 5;
const pollIntervalMs = 10;
const startTimeoutMs = 30_000;
const idleWaitMs = quick ? 1_000 : 5_000;
const warmupSeconds = quick ? 1 : 2;
const loadSeconds = quick ? 1 : 10;
const budgets = { coldStartMs: 1_500, idleRssMiB: 150 };

/** Spawn `stead start` and poll /api/health every 10 ms; resolves once it answers 200. */
const startServer = async (rootDir, dataDir, extraEnv = {}) => {
  const port = await freePort();
  const started = performance.now();
  const server = track(
    spawn(process.execPath, [join(rootDir, 'apps/server/bin/stead.mjs'), 'start'], {
      cwd: rootDir,
      env: steadEnv(dataDir, port, extraEnv),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  for (;;) {
    if (server.exited()) throw new Error(`stead start exited (${JSON.stringify(server.exited())}) before it was healthy:\n${server.output.join('')}`);
    if (performance.now() - started > startTimeoutMs) {
      server.child.kill('SIGKILL');
      throw new Error(`stead start was not healthy within ${startTimeoutMs} ms:\n${server.output.join('')}`);
    }
    if ((await probe(port, '/api/health')) === 200) break;
    await sleep(pollIntervalMs);
  }
  const readyMs = performance.now() - started;
  return { ...server, port, readyMs, origin: `http://${host}:${port}` };
};

const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const summarize = (runs) => {
  const ready = runs.map((run) => run.readyMs);
  return {
    runs,
    medianMs: round(median(ready)),
    maxMs: round(Math.max(...ready)),
    minMs: round(Math.min(...ready)),
    medianRssAtReadyMiB: round(median(runs.map((run) => run.rssAtReadyMiB))),
  };
};

const coldStart = async (rootDir, dataDirFor, log, extraEnv) => {
  const runs = [];
  for (let index = 0; index < startRuns; index++) {
    const dataDir = dataDirFor(index);
    const server = await startServer(rootDir, dataDir, extraEnv);
    const { rssMiB } = memory(server.child.pid);
    await stopProcess(server);
    runs.push({ readyMs: round(server.readyMs), rssAtReadyMiB: rssMiB });
    log(`start ${index + 1}/${startRuns}: ${round(server.readyMs)} ms, ${rssMiB} MiB at ready`);
    await sleep(200);
  }
  return summarize(runs);
};

/** Owner account via /api/setup, then an owner API key created with the session cookie. */
const provisionApiKey = async (origin) => {
  const { cookie, workspaceId } = await setupOwner(origin);
  const key = await jsonRequest(origin, 'POST', `/api/workspaces/${workspaceId}/keys`, {
    body: { name: 'bench', role: 'owner' },
    headers: { cookie },
  });
  return { workspaceId, secret: key.data.secret };
};

const cannon = (options) =>
  new Promise((resolve, reject) => {
    autocannon({ timeout: 10, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });

const load = async ({ name, url, connections, headers, log }) => {
  await cannon({ url, connections, headers, duration: warmupSeconds });
  const result = await cannon({ url, connections, headers, duration: loadSeconds });
  const run = {
    name,
    method: 'GET',
    path: new URL(url).pathname,
    connections,
    durationSeconds: result.duration,
    requestsPerSecond: round(result.requests.average, 0),
    requestsTotal: result.requests.total,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: round(result.latency.average, 2),
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count])),
  };
  log(`${name} c${connections}: ${run.requestsPerSecond} req/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, ` +
    `errors ${run.errors}, timeouts ${run.timeouts}, non-2xx ${run.non2xx}`);
  return run;
};

export const run = async ({ rootDir, log }) => {
  try {
    // The first start ever after a code change also fills tsx's transform cache; run one start without that
    // cache so its cost is on record, separately from the budgeted runs.
    log('start without tsx transform cache (not budgeted)');
    const uncached = await startServer(rootDir, newTempDir('stead-bench-'), { TSX_DISABLE_CACHE: '1' });
    await stopProcess(uncached);
    log(`uncached start: ${round(uncached.readyMs)} ms`);

    log(`cold start on ${startRuns} fresh data directories (migrations included)`);
    const freshDirs = [];
    const fresh = await coldStart(rootDir, (index) => (freshDirs[index] = newTempDir('stead-bench-')), log);
    log(`cold start ${startRuns} times on an existing data directory`);
    const existingDir = freshDirs[0];
    const existing = await coldStart(rootDir, () => existingDir, log);

    log('starting the server for the idle and load measurements');
    const server = await startServer(rootDir, existingDir);
    const pid = server.child.pid;
    const processes = descendants(pid);
    await sleep(idleWaitMs);
    const idle = memory(pid);
    log(`idle after ${idleWaitMs / 1000} s: ${idle.rssMiB} MiB RSS`);

    let loads;
    let afterLoad;
    try {
      const { workspaceId, secret } = await provisionApiKey(server.origin);
      const health = `${server.origin}/api/health`;
      const members = `${server.origin}/api/workspaces/${workspaceId}/members`;
      const authorization = { authorization: `Bearer ${secret}` };
      loads = [
        await load({ name: 'health', url: health, connections: 10, log }),
        await load({ name: 'health', url: health, connections: 50, log }),
        await load({ name: 'members (API key)', url: members, connections: 10, headers: authorization, log }),
      ];
      afterLoad = memory(pid);
      log(`after load: ${afterLoad.rssMiB} MiB RSS, peak ${afterLoad.peakRssMiB} MiB`);
    } finally {
      await stopProcess(server);
    }
    const serverErrors = server.output.join('').trim();

    const results = {
      settings: { startRuns, pollIntervalMs, idleWaitMs, warmupSeconds, loadSeconds, host },
      coldStart: { fresh, existing, uncachedTransformMs: round(uncached.readyMs) },
      memory: { childProcesses: processes.length, idle, afterLoad },
      load: loads,
      serverOutput: serverErrors.split('\n').slice(0, 40),
    };
    const budgetRows = [
      {
        name: `Cold start to first healthy response, existing data dir (median of ${startRuns})`,
        limit: `≤ ${budgets.coldStartMs} ms`,
        measured: `${existing.medianMs} ms (max ${existing.maxMs})`,
        value: existing.medianMs,
        pass: existing.medianMs <= budgets.coldStartMs,
      },
      {
        name: `Cold start to first healthy response, fresh data dir incl. migrations (median of ${startRuns})`,
        limit: `≤ ${budgets.coldStartMs} ms`,
        measured: `${fresh.medianMs} ms (max ${fresh.maxMs})`,
        value: fresh.medianMs,
        pass: fresh.medianMs <= budgets.coldStartMs,
      },
      {
        name: `Idle RSS ${idleWaitMs / 1000} s after start`,
        limit: `≤ ${budgets.idleRssMiB} MiB`,
        measured: `${idle.rssMiB} MiB`,
        value: idle.rssMiB,
        pass: idle.rssMiB <= budgets.idleRssMiB,
      },
      ...loads.map((each) => {
        const bad = each.errors + each.timeouts + each.non2xx;
        return {
          name: `Errors, timeouts and non-2xx: ${each.name}, ${each.connections} connections`,
          limit: '0',
          measured: String(bad),
          value: bad,
          pass: bad === 0,
        };
      }),
    ];
    return { budgets: budgetRows, results, markdown: markdown(results) };
  } finally {
    cleanup();
  }
};

const markdown = ({ coldStart: cold, memory: mem, load: loads, settings }) => {
  const startRow = (label, summary) =>
    `| ${label} | ${summary.medianMs} | ${summary.minMs} | ${summary.maxMs} | ${summary.runs.map((each) => each.readyMs).join(', ')} | ${summary.medianRssAtReadyMiB} |`;
  const statusCodes = (codes) => Object.entries(codes).map(([code, count]) => `${code}: ${count}`).join(', ');
  return [
    '## Cold start',
    '',
    `From spawning \`node apps/server/bin/stead.mjs start\` to the first 200 from GET /api/health, polled every ${settings.pollIntervalMs} ms ` +
      'on a new connection. The process stops (SIGTERM) between runs.',
    '',
    '| Data directory | Median ms | Min ms | Max ms | Each run (ms) | RSS at ready, median MiB |',
    '|---|---|---|---|---|---|',
    startRow('fresh (runs migrations)', cold.fresh),
    startRow('existing', cold.existing),
    '',
    `One more start on a fresh data directory with tsx's transform cache disabled (the first start after an install or upgrade, not budgeted): ${cold.uncachedTransformMs} ms.`,
    '',
    '## Memory',
    '',
    `Child processes of the server: ${mem.childProcesses} (RSS is summed over the server and any children).`,
    '',
    '| Moment | VmRSS MiB | VmHWM (peak) MiB |',
    '|---|---|---|',
    `| idle, ${settings.idleWaitMs / 1000} s after the first healthy response | ${mem.idle.rssMiB} | ${mem.idle.peakRssMiB} |`,
    `| after the load runs below | ${mem.afterLoad.rssMiB} | ${mem.afterLoad.peakRssMiB} |`,
    '',
    '## Load',
    '',
    `autocannon in the harness process, ${settings.warmupSeconds} s warm-up then ${settings.loadSeconds} s measured per row, keep-alive connections, ` +
      'server on an existing data directory with one owner and one owner API key. Latency is in whole milliseconds (autocannon ' +
      'histogram resolution) and counts 2xx responses only, which is why errors and non-2xx are listed beside it.',
    '',
    '| Request | Connections | Requests/s | p50 ms | p99 ms | Max ms | Requests | Errors | Timeouts | Non-2xx | Status codes |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...loads.map(
      (each) =>
        `| ${each.method} ${each.name === 'health' ? each.path : '/api/workspaces/:id/members (Bearer key)'} | ${each.connections} | ${each.requestsPerSecond} | ` +
        `${each.latencyMs.p50} | ${each.latencyMs.p99} | ${each.latencyMs.max} | ${each.requestsTotal} | ${each.errors} | ${each.timeouts} | ${each.non2xx} | ${statusCodes(each.statusCodes)} |`,
    ),
  ].join('\n');
};
