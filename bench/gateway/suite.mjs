// Suite `gateway`: Stead's OpenAI-compatible endpoint (POST /v1/chat/completions) against the same loopback
// upstream reached directly and through @portkey-ai/gateway, in the same run, streaming and not:
// added latency at a fixed 500 req/s (open-loop paced client, microsecond timing), maximum throughput
// (autocannon, 50 connections), gateway CPU per request, and RSS during and after load. Every process (upstream,
// Stead, Portkey, paced client) is a child of the harness; everything stays on 127.0.0.1 and is killed at the end.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  cleanup,
  cpuMs,
  deprioritize,
  loadNow,
  memory,
  modelName,
  pacedRun,
  provisionStead,
  providerName,
  requestBody,
  round,
  startPortkey,
  startStead,
  startUpstream,
  stopProcess,
  throughputRun,
  verifyPath,
} from './lib.mjs';

export const description =
  'OpenAI-compatible gateway, POST /v1/chat/completions to a loopback upstream that answers instantly: directly, through ' +
  'Stead and through @portkey-ai/gateway in the same run, non-streaming and streaming (20 chunks). Added latency ' +
  '(gateway − direct, p50/p99) at a fixed 500 req/s, maximum requests/s with 50 connections, gateway CPU per request, ' +
  'and gateway RSS during and after load.';

const quick = process.env.BENCH_QUICK === '1';
// The smoke run paces at 100 req/s for half a second: it checks the harness, and a loaded 2-core box keeps up.
const rate = quick ? 100 : 500;
const pacedWarmupSeconds = quick ? 0.2 : 3;
const pacedSeconds = quick ? 0.5 : 10;
const throughputConnections = 50;
const throughputWarmupSeconds = quick ? 0 : 2;
const throughputSeconds = quick ? 0.5 : 10;
// A second, lighter paced series (not budgeted) shows the per-request overhead where no path is saturated.
const lightRate = quick ? 50 : 100;
const lightWarmupSeconds = quick ? 0.2 : 2;
const lightSeconds = quick ? 0.5 : 5;
const settleMaxMs = quick ? 3_000 : 20_000;
const settleStepMs = quick ? 250 : 500;
const budgets = { addedP50Ms: 1, addedP99Ms: 5, throughputVsPortkey: 1.5 };
const modes = [
  { name: 'non-streaming', stream: false },
  { name: 'streaming', stream: true },
];
const pathNames = ['direct', 'stead', 'portkey'];
const labels = { direct: 'Direct to upstream', stead: 'Through Stead', portkey: 'Through Portkey' };

const version = (rootDir, name) => {
  try {
    return JSON.parse(readFileSync(join(rootDir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
};

/** Waits until the watched processes are idle again (< 5 % of a core over 500 ms, 250 ms in the smoke run), so a backlog of one run does not spill into the next. */
const settle = async (pids, maxMs = settleMaxMs) => {
  const started = performance.now();
  let before = pids.map(cpuMs);
  for (;;) {
    await sleep(settleStepMs);
    const now = pids.map(cpuMs);
    const busiest = Math.max(...now.map((value, index) => value - before[index]));
    before = now;
    if (busiest < settleStepMs * 0.05 || performance.now() - started > maxMs) return round(performance.now() - started, 0);
  }
};

const badCount = (run) => run.errors + (run.timeouts ?? 0) + run.non2xx + (run.unanswered ?? 0);

export const run = async ({ rootDir, log }) => {
  try {
    log('starting the upstream');
    const upstream = await startUpstream();

    // Portkey as shipped first, only to record what its streaming path answers here.
    log('probing @portkey-ai/gateway as shipped (no stream fix)');
    const plainPortkey = await startPortkey(rootDir, { fixStreams: false });
    const portkeyHeaders = { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstream.baseUrl, authorization: 'Bearer dummy' };
    const plainTarget = { url: `${plainPortkey.origin}/v1/chat/completions`, headers: { ...portkeyHeaders, 'content-type': 'application/json' }, body: (stream) => requestBody(modelName, stream) };
    const portkeyAsShipped = { nonStreaming: await verifyPath(plainTarget, false), streaming: await verifyPath(plainTarget, true) };
    await stopProcess(plainPortkey);
    log(`  as shipped: non-streaming ${portkeyAsShipped.nonStreaming.detail}; streaming ${portkeyAsShipped.streaming.detail}`);

    log('starting Stead and Portkey (with the stream fix)');
    // Diagnostics (docs/gateway.md, "The tail"): extra node options for Stead, e.g. `--trace-gc`, and a file for its whole output.
    const stead = await startStead(rootDir, { nodeArgs: process.env.BENCH_GATEWAY_STEAD_NODE_ARGS?.split(' ').filter(Boolean) ?? [] });
    const portkey = await startPortkey(rootDir, { fixStreams: true });
    const { workspaceId, secret } = await provisionStead(stead.origin, upstream.baseUrl);
    log(`  Stead ready in ${round(stead.readyMs, 0)} ms on ${stead.origin}, Portkey in ${round(portkey.readyMs, 0)} ms on ${portkey.origin}, upstream ${upstream.baseUrl}`);

    const json = { 'content-type': 'application/json' };
    const targets = {
      direct: { url: `${upstream.baseUrl}/chat/completions`, headers: { ...json, authorization: 'Bearer dummy' }, body: (stream) => requestBody(modelName, stream) },
      stead: { url: `${stead.origin}/v1/chat/completions`, headers: { ...json, authorization: `Bearer ${secret}` }, body: (stream) => requestBody(`${providerName}/${modelName}`, stream) },
      portkey: { url: `${portkey.origin}/v1/chat/completions`, headers: { ...json, ...portkeyHeaders }, body: (stream) => requestBody(modelName, stream) },
    };

    const probes = {};
    for (const path of pathNames) {
      for (const mode of modes) {
        const probe = await verifyPath(targets[path], mode.stream);
        probes[`${path} ${mode.name}`] = probe;
        log(`  probe ${path} ${mode.name}: ${probe.ok ? 'ok' : 'FAILED'} (${probe.detail})`);
      }
    }

    const watch = { stead: stead.child.pid, portkey: portkey.child.pid, upstream: upstream.child.pid };
    const allPids = Object.values(watch);
    // While a path is measured, the gateway not on it (both, for the direct path) waits at the lowest priority.
    const deprioritizeOtherGateways = (path) => deprioritize(['stead', 'portkey'].filter((each) => each !== path).map((each) => watch[each]));
    await settle(allPids);
    await sleep(quick ? 200 : 2_000);
    const idle = { stead: memory(stead.child.pid), portkey: memory(portkey.child.pid), upstream: memory(upstream.child.pid) };
    log(`idle RSS: Stead ${idle.stead.rssMiB} MiB, Portkey ${idle.portkey.rssMiB} MiB`);

    const pacedSeries = async (seriesRate, warmupSeconds, seconds) => {
      log(`added latency: open loop at ${seriesRate} req/s, ${warmupSeconds} s warm-up + ${seconds} s per path`);
      const runs = [];
      for (const mode of modes) {
        for (const path of pathNames) {
          const target = targets[path];
          const restore = deprioritizeOtherGateways(path);
          const result = await pacedRun({ url: target.url, headers: target.headers, body: target.body(mode.stream), rate: seriesRate, warmupSeconds, seconds }, watch).finally(restore);
          const settledMs = await settle(allPids);
          runs.push({ mode: mode.name, path, ...result, settledAfterMs: settledMs });
          log(
            `  ${mode.name} ${path}: p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, achieved ${result.achievedRate} req/s, ` +
              `non-2xx ${result.non2xx}, errors ${result.errors}, unanswered ${result.unanswered} (load ${result.load.loadAverage1m})`,
          );
        }
      }
      // Added latency: gateway − direct at the same percentile and mode.
      const added = {};
      for (const mode of modes) {
        const direct = runs.find((each) => each.mode === mode.name && each.path === 'direct');
        for (const path of ['stead', 'portkey']) {
          const via = runs.find((each) => each.mode === mode.name && each.path === path);
          added[`${path} ${mode.name}`] = {
            p50: round(via.latencyMs.p50 - direct.latencyMs.p50, 3),
            p90: round(via.latencyMs.p90 - direct.latencyMs.p90, 3),
            p99: round(via.latencyMs.p99 - direct.latencyMs.p99, 3),
            firstByteP50: round(via.firstByteMs.p50 - direct.firstByteMs.p50, 3),
          };
        }
      }
      return { rate: seriesRate, warmupSeconds, seconds, runs, added };
    };
    // The light series first: the saturating one leaves a gateway with a grown heap that would colour it.
    const light = await pacedSeries(lightRate, lightWarmupSeconds, lightSeconds);
    const budgeted = await pacedSeries(rate, pacedWarmupSeconds, pacedSeconds);
    const latency = budgeted.runs;
    const added = budgeted.added;

    log(`maximum throughput: autocannon, ${throughputConnections} connections, ${throughputWarmupSeconds} s warm-up + ${throughputSeconds} s per path`);
    const throughput = [];
    for (const mode of modes) {
      for (const path of pathNames) {
        const target = targets[path];
        const restore = deprioritizeOtherGateways(path);
        const result = await throughputRun({
          url: target.url,
          headers: target.headers,
          body: target.body(mode.stream),
          connections: throughputConnections,
          warmupSeconds: throughputWarmupSeconds,
          seconds: throughputSeconds,
          watch,
        }).finally(restore);
        const settledMs = await settle(allPids);
        throughput.push({ mode: mode.name, path, ...result, settledAfterMs: settledMs });
        log(
          `  ${mode.name} ${path}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
            `errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}; CPU µs/request ${JSON.stringify(Object.fromEntries(Object.entries(result.cpu).map(([name, cpu]) => [name, cpu.cpuUsPerRequest])))}`,
        );
      }
    }

    await sleep(quick ? 200 : 2_000);
    const afterLoad = { stead: memory(stead.child.pid), portkey: memory(portkey.child.pid), upstream: memory(upstream.child.pid) };
    const duringLoad = Object.fromEntries(
      ['stead', 'portkey', 'upstream'].map((name) => [name, Math.max(...[...latency, ...light.runs, ...throughput].map((each) => each.maxRssMiBDuringRun[name]))]),
    );
    log(`RSS after load: Stead ${afterLoad.stead.rssMiB} MiB (peak ${afterLoad.stead.peakRssMiB}), Portkey ${afterLoad.portkey.rssMiB} MiB (peak ${afterLoad.portkey.peakRssMiB})`);

    await Promise.all([stopProcess(stead), stopProcess(portkey), stopProcess(upstream)]);
    const steadOutput = stead.output.join('').trim();
    if (process.env.BENCH_GATEWAY_STEAD_OUTPUT) writeFileSync(process.env.BENCH_GATEWAY_STEAD_OUTPUT, steadOutput);
    const portkeyOutput = portkey.output
      .join('')
      .split('\n')
      .filter((line) => line.trim() && !/Starting AI Gateway|AI Gateway is running|localhost:\d+|Ready for connections/.test(line));

    const ratios = {};
    for (const mode of modes) {
      const get = (path) => throughput.find((each) => each.mode === mode.name && each.path === path).requestsPerSecond;
      ratios[mode.name] = { steadVsPortkey: round(get('stead') / get('portkey'), 2), steadVsDirect: round(get('stead') / get('direct'), 2), portkeyVsDirect: round(get('portkey') / get('direct'), 2) };
    }
    const problems = [];
    for (const each of [...latency, ...light.runs]) if (badCount(each) > 0) problems.push(`paced ${each.rate} req/s ${each.mode} ${each.path}: ${each.non2xx} non-2xx (${JSON.stringify(each.statusCodes)}), ${each.errors} errors ${JSON.stringify(each.errorMessages)}, ${each.unanswered} unanswered`);
    for (const each of throughput) if (badCount(each) > 0) problems.push(`throughput ${each.mode} ${each.path}: ${each.non2xx} non-2xx (${JSON.stringify(each.statusCodes)}), ${each.errors} errors, ${each.timeouts} timeouts`);
    for (const [name, probe] of Object.entries(probes)) if (!probe.ok) problems.push(`probe ${name}: ${probe.detail}`);
    const slow = [...latency, ...light.runs].filter((each) => each.achievedRate !== null && each.achievedRate < each.rate * 0.95).map((each) => `${each.mode} ${each.path} at ${each.rate}: ${each.achievedRate} req/s`);

    const results = {
      settings: {
        rate,
        lightRate,
        pacedWarmupSeconds,
        pacedSeconds,
        throughputConnections,
        throughputWarmupSeconds,
        throughputSeconds,
        upstream: { completionBytes: upstream.completionBytes, streamBytes: upstream.streamBytes, streamEvents: upstream.streamEvents },
        versions: { portkey: version(rootDir, '@portkey-ai/gateway'), honoNodeServer: version(rootDir, '@hono/node-server'), autocannon: version(rootDir, 'autocannon') },
        portkeyCommand: 'node --import bench/gateway/portkey-stream-fix.mjs node_modules/@portkey-ai/gateway/build/start-server.js --port=<p> --headless',
        steadWorkspace: workspaceId,
      },
      portkeyAsShipped,
      probes,
      latency,
      added,
      light,
      throughput,
      ratios,
      memory: { idle, duringLoad, afterLoad },
      problems,
      pacedBelowRate: slow,
      loadAtEnd: loadNow(),
      steadOutput: steadOutput ? steadOutput.split('\n').slice(0, 40) : [],
      portkeyOutput: portkeyOutput.slice(0, 40),
    };

    const steadBad = [...latency, ...light.runs, ...throughput].filter((each) => each.path === 'stead').reduce((sum, each) => sum + badCount(each), 0);
    const budgetRows = [];
    for (const mode of modes) {
      const a = added[`stead ${mode.name}`];
      const via = latency.find((each) => each.mode === mode.name && each.path === 'stead');
      const direct = latency.find((each) => each.mode === mode.name && each.path === 'direct');
      const rateNote = via.achievedRate < rate * 0.95 ? `; only ${via.achievedRate} req/s achieved` : '';
      const what = mode.stream ? 'streaming, to the last byte' : 'non-streaming';
      budgetRows.push(
        {
          name: `Stead added latency p50 at ${rate} req/s (${what})`,
          limit: `≤ ${budgets.addedP50Ms} ms`,
          measured: `${a.p50} ms (Stead ${via.latencyMs.p50} − direct ${direct.latencyMs.p50})${rateNote}`,
          value: a.p50,
          pass: a.p50 <= budgets.addedP50Ms && via.non2xx + via.errors === 0,
        },
        {
          name: `Stead added latency p99 at ${rate} req/s (${what})`,
          limit: `≤ ${budgets.addedP99Ms} ms`,
          measured: `${a.p99} ms (Stead ${via.latencyMs.p99} − direct ${direct.latencyMs.p99})${rateNote}`,
          value: a.p99,
          pass: a.p99 <= budgets.addedP99Ms && via.non2xx + via.errors === 0,
        },
      );
    }
    for (const mode of modes) {
      const get = (path) => throughput.find((each) => each.mode === mode.name && each.path === path);
      budgetRows.push({
        name: `Throughput through Stead vs Portkey, ${mode.name}, ${throughputConnections} connections`,
        limit: `≥ ${budgets.throughputVsPortkey}×`,
        measured: `${ratios[mode.name].steadVsPortkey}× (${get('stead').requestsPerSecond} vs ${get('portkey').requestsPerSecond} req/s)`,
        value: ratios[mode.name].steadVsPortkey,
        pass: ratios[mode.name].steadVsPortkey >= budgets.throughputVsPortkey && badCount(get('stead')) === 0,
      });
    }
    budgetRows.push({
      name: 'Errors, timeouts, non-2xx and unanswered requests, every run through Stead',
      limit: '0',
      measured: String(steadBad),
      value: steadBad,
      pass: steadBad === 0,
    });
    return { budgets: budgetRows, results, markdown: markdown(results) };
  } finally {
    cleanup();
  }
};

const n = (value) => (value === null || value === undefined ? '–' : typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 3 }) : String(value));

const latencyTable = (runs, added) => [
  '| Mode | Path | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | first byte p50 ms | Added p50 ms | Added p99 ms | Achieved req/s | Sockets | Non-2xx | Errors | Unanswered | Send lag p99 ms | Load 1 min |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...runs.map((each) => {
    const a = added[`${each.path} ${each.mode}`];
    return (
      `| ${each.mode} | ${labels[each.path]} | ${n(each.latencyMs.p50)} | ${n(each.latencyMs.p90)} | ${n(each.latencyMs.p99)} | ${n(each.latencyMs.p999)} | ${n(each.latencyMs.max)} | ` +
      `${n(each.firstByteMs.p50)} | ${a ? n(a.p50) : '–'} | ${a ? n(a.p99) : '–'} | ${n(each.achievedRate)} | ${each.sockets} | ${each.non2xx} | ${each.errors} | ${each.unanswered} | ${n(each.sendLagMs.p99)} | ${n(each.load.loadAverage1m)} |`
    );
  }),
];

const markdown = ({ settings, portkeyAsShipped, probes, latency, added, light, throughput, ratios, memory: mem, problems, pacedBelowRate }) => {
  const lines = [];
  if (problems.length > 0) {
    lines.push('> **WARNING: this run had errors.** Read every number below with this list in mind:', '>');
    for (const problem of problems) lines.push(`> - ${problem}`);
    lines.push('');
  }
  if (pacedBelowRate.length > 0) {
    lines.push(`> **WARNING: some paced runs did not reach their rate** (the path could not keep up, or the machine was saturated): their latency is mostly queueing behind the backlog, not per-request overhead: ${pacedBelowRate.join('; ')}.`, '');
  }
  lines.push(
    `## Added latency at ${settings.rate} req/s`,
    '',
    `Open-loop paced client in its own process (requests scheduled every ${1000 / settings.rate} ms whatever earlier ones did), ${settings.pacedWarmupSeconds} s warm-up then ` +
      `${settings.pacedSeconds} s measured per row, keep-alive connections opened as needed. Latency is request written → last byte of the response, ` +
      'timed with `process.hrtime` (µs resolution); 2xx answers only, which is why the counts sit beside it. Added = gateway − direct at the same percentile.',
    '',
    ...latencyTable(latency, added),
    '',
    `## Added latency at ${light.rate} req/s (information, not budgeted)`,
    '',
    `The same client at ${light.rate} req/s (${light.warmupSeconds} s warm-up, ${light.seconds} s measured), a rate every path sustains on a quiet machine: ` +
      'the per-request overhead of each gateway without queueing behind its own backlog.',
    '',
    ...latencyTable(light.runs, light.added),
    '',
    `## Maximum throughput (autocannon, ${settings.throughputConnections} connections)`,
    '',
    `${settings.throughputWarmupSeconds} s warm-up then ${settings.throughputSeconds} s measured per row; autocannon runs in the harness process. Latency in whole ms ` +
      '(autocannon resolution). CPU is user + system time of the process during the measured run divided by the requests answered.',
    '',
    '| Mode | Path | Requests/s | p50 ms | p99 ms | max ms | Requests | Errors | Timeouts | Non-2xx | Gateway CPU µs/request | Upstream CPU µs/request | Gateway max RSS MiB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...throughput.map(
      (each) =>
        `| ${each.mode} | ${labels[each.path]} | ${n(each.requestsPerSecond)} | ${each.latencyMs.p50} | ${each.latencyMs.p99} | ${each.latencyMs.max} | ${n(each.requestsTotal)} | ` +
        `${each.errors} | ${each.timeouts} | ${each.non2xx} | ${each.path === 'direct' ? '–' : n(each.cpu[each.path].cpuUsPerRequest)} | ${n(each.cpu.upstream.cpuUsPerRequest)} | ` +
        `${each.path === 'direct' ? '–' : n(each.maxRssMiBDuringRun[each.path])} |`,
    ),
    '',
    '| Mode | Stead / Portkey | Stead / direct | Portkey / direct |',
    '|---|---|---|---|',
    ...Object.entries(ratios).map(([mode, ratio]) => `| ${mode} | ${ratio.steadVsPortkey}× | ${ratio.steadVsDirect}× | ${ratio.portkeyVsDirect}× |`),
    '',
    '## Gateway memory',
    '',
    '| Process | Idle RSS MiB (after setup) | Max RSS MiB sampled during load (every 200 ms) | VmRSS after load MiB | VmHWM (peak) MiB |',
    '|---|---|---|---|---|',
    ...['stead', 'portkey', 'upstream'].map(
      (name) => `| ${name === 'stead' ? 'Stead' : name === 'portkey' ? 'Portkey' : 'Upstream (reference)'} | ${mem.idle[name].rssMiB} | ${mem.duringLoad[name]} | ${mem.afterLoad[name].rssMiB} | ${mem.afterLoad[name].peakRssMiB} |`,
    ),
    '',
    '## Portkey as run here',
    '',
    `- @portkey-ai/gateway ${settings.versions.portkey} with @hono/node-server ${settings.versions.honoNodeServer}: \`${settings.portkeyCommand}\`. It reads the port only as ` +
      '`--port=<n>`; `--port <n>` is ignored and it listens on 8787. `--headless` leaves out its log-viewer UI.',
    `- As shipped, its streaming path is broken here: non-streaming probe ${portkeyAsShipped.nonStreaming.ok ? 'ok' : 'FAILED'} (${portkeyAsShipped.nonStreaming.detail}); ` +
      `streaming probe ${portkeyAsShipped.streaming.ok ? 'ok' : 'FAILED'} (${portkeyAsShipped.streaming.detail}). The cause is the immutable headers of the upstream ` +
      'fetch response reused by @hono/node-server\'s Response (Portkey-AI/gateway #1389, #1550). `bench/gateway/portkey-stream-fix.mjs` (preloaded) re-wraps ' +
      'upstream event-stream responses in a Response with mutable headers, the same copy as the proposed upstream fix (PR #1551); non-streaming responses are untouched.',
    '- Portkey\'s stream transformer waits 25 ms (`setTimeout`) before passing on the first event of every stream, so its streaming latency carries that 25 ms ' +
      'by design; it is idle time, not CPU.',
    '',
    '## How',
    '',
    `- Upstream: \`bench/gateway/upstream.mjs\`, node:http in its own process, precomputed buffers: a ${settings.upstream.completionBytes}-byte chat.completion, or for ` +
      `\`"stream": true\` ${settings.upstream.streamEvents} server-sent events (role, 20 content chunks, finish, usage, \`[DONE]\`; ${settings.upstream.streamBytes} bytes) in one chunked write.`,
    `- Direct: the upstream's own \`/v1/chat/completions\`. Stead: \`node apps/server/bin/stead.mjs start\` (the esbuild bundle, fresh temp data dir, SQLite, ` +
      '`STEAD_LOG_LEVEL=warn`), owner via `POST /api/setup`, a member API key, and a `local` openai-compatible provider `up` with the declared model `bench-model`; ' +
      'requests name `up/bench-model`. Portkey: headers `x-portkey-provider: openai`, `x-portkey-custom-host: <upstream>/v1`, `Authorization: Bearer dummy`.',
    '- Every path gets the same body (system + user message, `max_tokens`), apart from the model name. Each path and mode is probed once first: status 200 and the ' +
      `upstream's content (all 20 tokens and \`[DONE]\` for streams): ${Object.entries(probes).every(([, probe]) => probe.ok) ? 'all probes passed' : 'SOME PROBES FAILED, see the warning above'}.`,
    '- Between runs the harness waits until Stead, Portkey and the upstream are idle again, so a backlog does not spill into the next row.',
    '- While one path is measured, every thread of the gateway not on it (both gateways, for the direct path) runs at nice 19: an idle Node process still runs full collections (V8\'s memory reducer), which on two cores took the cores from the measured gateway for up to 60 ms.',
    '- Upstream, gateway, load generator and harness share the 2 cores: a gateway competes with its own client and upstream for CPU, so requests/s are lower ' +
      'bounds and p99 carries scheduler noise; the CPU µs/request columns are the least load-sensitive comparison.',
  );
  return lines.join('\n');
};
