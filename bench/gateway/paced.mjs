// Open-loop client at a fixed request rate, in its own process: `node bench/gateway/paced.mjs '<json spec>'`.
// Spec: { url, headers, body, rate, warmupSeconds, seconds }. Requests are scheduled at t0 + i/rate whatever
// happened to earlier ones (no coordinated omission); a 1 ms timer sends every request that is due, so on a busy
// machine a few go out late (the send lag is reported). Latency is measured with process.hrtime from the moment
// the request is written to the response's last byte (`end`), and for streams also to its first body byte.
// Requests of the warm-up are sent at the same rate and not recorded. Prints one JSON line.
import http from 'node:http';

const spec = JSON.parse(process.argv[2]);
const url = new URL(spec.url);
const body = Buffer.from(spec.body);
const headers = { ...spec.headers, 'content-type': 'application/json', 'content-length': String(body.length) };
const agent = new http.Agent({ keepAlive: true, maxSockets: 512, scheduling: 'lifo' });
const intervalNs = 1e9 / spec.rate;
const warmupCount = Math.round(spec.warmupSeconds * spec.rate);
const measuredCount = Math.round(spec.seconds * spec.rate);
const total = warmupCount + measuredCount;

const latency = new Float64Array(measuredCount);
const firstByte = new Float64Array(measuredCount);
const fromSchedule = new Float64Array(measuredCount);
const lag = new Float64Array(measuredCount);
const sentAt = new Float64Array(measuredCount);
let recorded = 0;
let finished = 0;
let errors = 0;
const errorMessages = new Map();
const statusCodes = {};
let measuredStart = 0n;
let measuredEnd = 0n;

const start = process.hrtime.bigint();
const toMs = (ns) => Number(ns) / 1e6;

const done = () => {
  finished++;
  if (finished === total) report();
};

const fire = (index) => {
  const scheduled = start + BigInt(Math.round(index * intervalNs));
  const sent = process.hrtime.bigint();
  const measured = index >= warmupCount;
  if (measured && index === warmupCount) measuredStart = sent;
  const request = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers }, (response) => {
    let first = 0n;
    response.on('data', () => {
      if (first === 0n) first = process.hrtime.bigint();
    });
    response.on('end', () => {
      const ended = process.hrtime.bigint();
      if (measured) {
        const code = response.statusCode;
        statusCodes[code] = (statusCodes[code] ?? 0) + 1;
        if (code >= 200 && code < 300) {
          latency[recorded] = toMs(ended - sent);
          firstByte[recorded] = toMs((first || ended) - sent);
          fromSchedule[recorded] = toMs(ended - scheduled);
          lag[recorded] = toMs(sent - scheduled);
          sentAt[recorded] = toMs(sent - start);
          recorded++;
        }
        if (ended > measuredEnd) measuredEnd = ended;
      }
      done();
    });
    response.on('error', (error) => fail(error, measured));
  });
  request.on('error', (error) => fail(error, measured));
  request.end(body);
};

const fail = (error, measured) => {
  if (measured) {
    errors++;
    errorMessages.set(error.message, (errorMessages.get(error.message) ?? 0) + 1);
  }
  done();
};

let next = 0;
const tick = () => {
  const elapsed = Number(process.hrtime.bigint() - start);
  while (next < total && next * intervalNs <= elapsed) fire(next++);
  if (next < total) setTimeout(tick, 1);
};
tick();

// A run must end even if answers never come.
const deadline = setTimeout(() => report(true), (spec.warmupSeconds + spec.seconds) * 1000 + 15_000);

const percentiles = (values, count) => {
  const sorted = Float64Array.from(values.subarray(0, count)).sort();
  const at = (p) => (count === 0 ? null : sorted[Math.min(count - 1, Math.ceil((p / 100) * count) - 1)]);
  let sum = 0;
  for (let index = 0; index < count; index++) sum += sorted[index];
  const r = (value) => (value === null ? null : Math.round(value * 1000) / 1000);
  return { p50: r(at(50)), p90: r(at(90)), p99: r(at(99)), p999: r(at(99.9)), max: r(at(100)), mean: r(count ? sum / count : null) };
};

/**
 * Per second of the measured run (by send time): the p99 latency and the largest send lag. Tells a tail spread over
 * the run from a few stalls, and a stall of the gateway from one of this client (its sends are late too).
 */
const bySecond = () => {
  const buckets = [];
  const offset = toMs(measuredStart - start);
  for (let index = 0; index < recorded; index++) (buckets[Math.floor((sentAt[index] - offset) / 1000)] ??= []).push(index);
  const filled = Array.from(buckets, (bucket) => bucket ?? []);
  return {
    p99BySecond: filled.map((bucket) => percentiles(Float64Array.from(bucket, (index) => latency[index]), bucket.length).p99),
    maxSendLagBySecond: filled.map((bucket) => (bucket.length ? Math.round(Math.max(...bucket.map((index) => lag[index])) * 1000) / 1000 : null)),
  };
};

/** The `count` slowest requests as [sent, ms after the client started; latency, ms]. */
const slowest = (count) =>
  Array.from(latency.subarray(0, recorded).keys())
    .sort((a, b) => latency[b] - latency[a])
    .slice(0, count)
    .map((index) => [Math.round(sentAt[index] * 1000) / 1000, Math.round(latency[index] * 1000) / 1000]);

let reported = false;
function report(timedOut = false) {
  if (reported) return;
  reported = true;
  clearTimeout(deadline);
  const wallSeconds = measuredEnd > measuredStart ? Number(measuredEnd - measuredStart) / 1e9 : null;
  const measuredSent = Math.max(0, next - warmupCount);
  process.stdout.write(
    `${JSON.stringify({
      rate: spec.rate,
      warmupSeconds: spec.warmupSeconds,
      seconds: spec.seconds,
      sent: measuredSent,
      ok: recorded,
      achievedRate: wallSeconds ? Math.round(measuredSent / wallSeconds) : null,
      statusCodes,
      non2xx: Object.entries(statusCodes).reduce((sum, [code, count]) => sum + (code >= 200 && code < 300 ? 0 : count), 0),
      errors,
      errorMessages: Object.fromEntries(errorMessages),
      unanswered: timedOut ? total - finished : 0,
      sockets: Object.values(agent.freeSockets).reduce((sum, list) => sum + list.length, 0) + Object.values(agent.sockets).reduce((sum, list) => sum + list.length, 0),
      latencyMs: percentiles(latency, recorded),
      firstByteMs: percentiles(firstByte, recorded),
      fromScheduleMs: percentiles(fromSchedule, recorded),
      sendLagMs: percentiles(lag, recorded),
      ...bySecond(),
      // To line a slow request up with `perf sched record -k CLOCK_MONOTONIC`: the client's start on that clock, and
      // the 15 slowest requests as [sent, ms after start; latency, ms].
      startMonotonicMs: Number(start) / 1e6,
      slowest: slowest(15),
    })}\n`,
  );
  agent.destroy();
  process.exit(0);
}
