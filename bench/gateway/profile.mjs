// Where Stead spends its time on the non-streaming gateway path: Stead under `node --cpu-prof`, a throughput run
// (autocannon, 50 connections) of POST /v1/chat/completions to the loopback upstream, then a self-time summary of
// the samples taken during the measured run only (startup, setup and warm-up excluded), mapped to src/ through the
// bundle's source map. Not part of `npm run bench`; run from the repository root after `npm run build -w @stead/server`:
//   node bench/gateway/profile.mjs [--seconds 10] [--stream]
// Writes bench/.tmp/gateway-profile/{stead.cpuprofile,summary.json} and prints the summary.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup, modelName, provisionStead, providerName, requestBody, startStead, startUpstream, stopProcess, throughputRun, verifyPath } from './lib.mjs';
import { summarize, summaryText } from './summarize-profile.mjs';

const rootDir = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const args = process.argv.slice(2);
const seconds = args.includes('--seconds') ? Number(args[args.indexOf('--seconds') + 1]) : 10;
const stream = args.includes('--stream');
const outDir = join(rootDir, 'bench/.tmp/gateway-profile');
const rawDir = join(outDir, 'raw');
rmSync(rawDir, { recursive: true, force: true });
mkdirSync(rawDir, { recursive: true });

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

try {
  // Profile the bundle, as `npm start` and the bench run it (stead.mjs falls back to tsx when a source is newer).
  execFileSync('npm', ['run', 'build', '--silent', '-w', '@stead/server'], { cwd: rootDir, stdio: 'inherit' });
  const upstream = await startUpstream();
  const stead = await startStead(rootDir, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${rawDir}`, '--cpu-prof-interval=250'] });
  const { secret } = await provisionStead(stead.origin, upstream.baseUrl);
  const target = { url: `${stead.origin}/v1/chat/completions`, headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: (s) => requestBody(`${providerName}/${modelName}`, s) };
  const probe = await verifyPath(target, stream);
  if (!probe.ok) throw new Error(`probe failed: ${probe.detail}`);
  await throughputRun({ url: target.url, headers: target.headers, body: target.body(stream), connections: 50, warmupSeconds: 2, seconds: 1 });
  const from = nowUs();
  const run = await throughputRun({ url: target.url, headers: target.headers, body: target.body(stream), connections: 50, warmupSeconds: 0, seconds, watch: { stead: stead.child.pid } });
  const to = nowUs();
  await stopProcess(stead, 20_000);
  await stopProcess(upstream);
  const file = readdirSync(rawDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile written in ${rawDir}; Stead output:\n${stead.output.join('')}`);
  renameSync(join(rawDir, file), join(outDir, 'stead.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(outDir, 'stead.cpuprofile'), 'utf8'));
  const summary = summarize(profile, { from, to, top: 25 });
  const result = { mode: stream ? 'streaming' : 'non-streaming', seconds, requestsPerSecond: run.requestsPerSecond, requests: run.requestsTotal, non2xx: run.non2xx, errors: run.errors, steadCpuUsPerRequest: run.cpu.stead.cpuUsPerRequest, windowUs: { from, to }, ...summary };
  writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`);
  const lines = [
    `${result.mode}, ${seconds} s at 50 connections: ${run.requestsPerSecond} req/s, ${run.requestsTotal} requests, non-2xx ${run.non2xx}, errors ${run.errors}; Stead CPU ${run.cpu.stead.cpuUsPerRequest} µs/request (all threads)`,
    summaryText(summary),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  cleanup();
}
