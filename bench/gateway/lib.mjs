// Helpers of the gateway suite (and of profile.mjs): the loopback upstream, Stead and Portkey as child processes,
// Stead's provisioning (owner, API key, provider), /proc memory and CPU readings, autocannon and the paced client.
// Every child process is tracked and killed on exit (also on Ctrl-C); temp directories are removed by cleanup().
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cleanup, host, killAll, newTempDir, probe, steadEnv, stopProcess, track } from '../processes.mjs';
import { descendants, freePort, jsonRequest, memory, setupOwner } from '../support.mjs';

export { cleanup, freePort, host, killAll, memory, newTempDir, stopProcess };

const here = fileURLToPath(new URL('.', import.meta.url));
export const modelName = 'bench-model';
export const providerName = 'up';
export const upstreamContent = 'Hello from the bench upstream. This answer is fixed.';
export const streamTokens = 20;

export const round = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? null : Math.round(value * 10 ** digits) / 10 ** digits);

const waitUntil = async (proc, what, check, timeoutMs = 30_000) => {
  const started = performance.now();
  for (;;) {
    if (proc.exited()) throw new Error(`${what} exited (${JSON.stringify(proc.exited())}) before it was ready:\n${proc.output.join('').slice(-4000)}`);
    if (performance.now() - started > timeoutMs) throw new Error(`${what} was not ready within ${timeoutMs} ms:\n${proc.output.join('').slice(-4000)}`);
    if (await check()) return performance.now() - started;
    await sleep(20);
  }
};

/** The loopback upstream (upstream.mjs) in its own process. */
export const startUpstream = async () => {
  const proc = track(spawn(process.execPath, [join(here, 'upstream.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let info = null;
  await waitUntil(proc, 'upstream', async () => {
    const line = proc.output.join('').split('\n').find((each) => each.startsWith('{'));
    if (line) info = JSON.parse(line);
    return info !== null;
  }, 10_000);
  return { ...proc, ...info, baseUrl: `http://${host}:${info.port}/v1` };
};

// The upstream listens on loopback: a provider reaches a private address only when the administrator allows it.
const upstreamEgress = { STEAD_EGRESS_ALLOWED_HOSTS: '127.0.0.1' };

/** `node [nodeArgs] apps/server/bin/stead.mjs start` on a fresh data directory; resolves once /api/health is 200. */
export const startStead = async (rootDir, { nodeArgs = [] } = {}) => {
  const port = await freePort();
  const dataDir = newTempDir('stead-bench-gateway-');
  const proc = track(
    spawn(process.execPath, [...nodeArgs, join(rootDir, 'apps/server/bin/stead.mjs'), 'start'], { cwd: rootDir, env: steadEnv(dataDir, port, upstreamEgress), stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  const readyMs = await waitUntil(proc, 'stead start', async () => (await probe(port, '/api/health')) === 200);
  return { ...proc, port, dataDir, readyMs, origin: `http://${host}:${port}` };
};

/**
 * @portkey-ai/gateway in its own process. It reads only `--port=<n>` (with "="; `--port <n>` is ignored and it
 * listens on 8787). `--headless` leaves out its log-viewer UI. `fixStreams` preloads portkey-stream-fix.mjs.
 */
export const startPortkey = async (rootDir, { fixStreams }) => {
  const port = await freePort();
  const script = join(rootDir, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  const args = [...(fixStreams ? ['--import', join(here, 'portkey-stream-fix.mjs')] : []), script, `--port=${port}`, '--headless'];
  const proc = track(spawn(process.execPath, args, { cwd: rootDir, stdio: ['ignore', 'pipe', 'pipe'] }));
  // Any answer means it listens (GET / is not a route it serves with 200 in every version).
  const readyMs = await waitUntil(proc, 'portkey', async () => (await probe(port, '/')) !== null);
  return { ...proc, port, readyMs, origin: `http://${host}:${port}` };
};

/** Owner via /api/setup, a member API key, and a local openai-compatible provider pointing at the upstream. */
export const provisionStead = async (origin, upstreamBaseUrl) => {
  const { cookie, workspaceId } = await setupOwner(origin);
  const key = await jsonRequest(origin, 'POST', `/api/workspaces/${workspaceId}/keys`, { body: { name: 'bench', role: 'member' }, headers: { cookie } });
  await jsonRequest(origin, 'POST', `/api/workspaces/${workspaceId}/model-providers`, {
    headers: { cookie },
    body: {
      name: providerName,
      type: 'openai-compatible',
      baseUrl: upstreamBaseUrl,
      locality: 'local',
      models: [{ name: modelName, capabilities: ['chat'] }],
      discover: false,
    },
  });
  return { workspaceId, secret: key.data.secret };
};

/** The request every path gets: same messages, only the model name and the headers differ. */
export const requestBody = (model, stream) =>
  JSON.stringify({ model, messages: [{ role: 'system', content: 'You are a benchmark.' }, { role: 'user', content: 'Say hello.' }], max_tokens: 32, ...(stream ? { stream: true } : {}) });

/** Checks one answer of a path: status 200 and the upstream's content (all 20 tokens and [DONE] for a stream). */
export const verifyPath = async (target, stream) => {
  const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body(stream), signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let ok = response.status === 200;
  let detail = `${response.status}`;
  if (ok && !stream) {
    try {
      ok = JSON.parse(text).choices?.[0]?.message?.content === upstreamContent;
    } catch {
      ok = false;
    }
    detail += ok ? ' JSON with the upstream content' : ` unexpected body: ${text.slice(0, 300)}`;
  } else if (ok) {
    const tokens = (text.match(/tok\d+ /g) ?? []).length;
    const done = text.trimEnd().endsWith('data: [DONE]');
    ok = tokens === streamTokens && done;
    detail += ` ${tokens} token chunks, [DONE] ${done ? 'present' : 'missing'}${ok ? '' : `: ${text.slice(0, 300)}`}`;
  } else {
    detail += `: ${text.slice(0, 300)}`;
  }
  return { ok, detail };
};

const ticksPerSecond = 100; // USER_HZ on Linux
/** CPU time (user + system) of a process and its descendants, in ms. */
export const cpuMs = (pid) =>
  [pid, ...descendants(pid)].reduce((total, each) => {
    try {
      const fields = readFileSync(`/proc/${each}/stat`, 'utf8').split(') ')[1].split(' ');
      return total + ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
    } catch {
      return total;
    }
  }, 0);

/** Samples VmRSS of the given processes every 200 ms until stopped; returns the maximum seen per name. */
export const rssSampler = (pids) => {
  const max = Object.fromEntries(Object.keys(pids).map((name) => [name, 0]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) max[name] = Math.max(max[name], memory(pid).rssMiB);
  };
  sample();
  const timer = setInterval(sample, 200);
  return () => {
    clearInterval(timer);
    sample();
    return max;
  };
};

export const loadNow = () => {
  let pressure10 = null;
  try {
    const line = readFileSync('/proc/pressure/cpu', 'utf8').split('\n').find((each) => each.startsWith('some'));
    pressure10 = Number(line.match(/avg10=([\d.]+)/)[1]);
  } catch {
    // No pressure stall information on this kernel: reported as null.
  }
  return { loadAverage1m: round(os.loadavg()[0], 2), cpuPressure10s: pressure10 };
};

const cannon = (options) =>
  new Promise((resolve, reject) => {
    autocannon({ timeout: 10, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });

/** Closed-loop maximum throughput: autocannon (in this process), warm-up then the measured run. */
export const throughputRun = async ({ url, headers, body, connections, warmupSeconds, seconds, watch = {} }) => {
  if (warmupSeconds > 0) await cannon({ url, method: 'POST', headers, body, connections, duration: warmupSeconds });
  const cpuBefore = Object.fromEntries(Object.entries(watch).map(([name, pid]) => [name, cpuMs(pid)]));
  const stopSampler = rssSampler(watch);
  const result = await cannon({ url, method: 'POST', headers, body, connections, duration: seconds });
  const maxRss = stopSampler();
  const completed = result.requests.total;
  const cpu = Object.fromEntries(
    Object.entries(watch).map(([name, pid]) => {
      const ms = cpuMs(pid) - cpuBefore[name];
      return [name, { cpuMs: round(ms, 0), cpuUsPerRequest: completed > 0 ? round((ms * 1000) / completed, 0) : null }];
    }),
  );
  return {
    connections,
    durationSeconds: result.duration,
    requestsPerSecond: round(result.requests.average, 0),
    requestsTotal: completed,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: round(result.latency.average, 2) },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count])),
    cpu,
    maxRssMiBDuringRun: maxRss,
    load: loadNow(),
  };
};

/**
 * Moves every thread of the given processes to the lowest CPU priority (nice 19) until the returned function puts
 * each back where it was. For the gateway that is not being measured: an idle Node process still collects garbage
 * (V8's memory reducer runs a full collection some seconds after traffic stops, on four helper threads), and on two
 * cores that took the cores from the measured gateway for up to 60 ms (perf sched). Linux only; elsewhere a no-op.
 */
export const deprioritize = (pids) => {
  const saved = [];
  if (process.platform !== 'linux') return () => {};
  for (const pid of pids) {
    let threads = [];
    try {
      threads = readdirSync(`/proc/${pid}/task`).map(Number);
    } catch {
      continue;
    }
    for (const thread of threads) {
      try {
        saved.push([thread, os.getPriority(thread)]);
        os.setPriority(thread, 19);
      } catch {
        // The thread ended meanwhile.
      }
    }
  }
  return () => {
    for (const [thread, priority] of saved) {
      try {
        os.setPriority(thread, priority);
      } catch {
        // The thread ended meanwhile.
      }
    }
  };
};

/** Open-loop paced run (paced.mjs) in its own process; resolves to its JSON summary. */
export const pacedRun = (spec, watch = {}) =>
  new Promise((resolve, reject) => {
    const proc = track(spawn(process.execPath, [join(here, 'paced.mjs'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const stopSampler = rssSampler(watch);
    void proc.exit.then(({ code }) => {
      const maxRss = stopSampler();
      const text = proc.output.join('');
      if (code !== 0) return reject(new Error(`paced client exited ${code}:\n${text.slice(-4000)}`));
      const line = text.trim().split('\n').filter((each) => each.startsWith('{')).pop();
      resolve({ ...JSON.parse(line), maxRssMiBDuringRun: maxRss, load: loadNow() });
    });
  });
