// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time per function, and per package / source area,
// optionally only for samples inside a time window (µs on the monotonic clock, as process.hrtime gives it).
// Positions in a bundle with a linked source map (apps/server/dist/main.js) are mapped back to the TypeScript
// source. Usage: node bench/gateway/summarize-profile.mjs <file.cpuprofile> [--from <µs>] [--to <µs>] [--top N] [--json]
import { readFileSync, existsSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const rootDir = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const sourceMaps = new Map();
const sourceMapOf = (file) => {
  if (sourceMaps.has(file)) return sourceMaps.get(file);
  let map = null;
  try {
    const text = readFileSync(file, 'utf8');
    const reference = text.slice(-500).match(/\/\/# sourceMappingURL=(\S+)\s*$/);
    const mapFile = reference ? join(dirname(file), reference[1]) : `${file}.map`;
    if (existsSync(mapFile)) map = { map: new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))), dir: dirname(mapFile) };
  } catch {
    // An unreadable source map: positions stay those of the bundle.
  }
  sourceMaps.set(file, map);
  return map;
};

/** `file:line` of a call frame (1-based line), through the source map when there is one. */
const locate = (frame) => {
  const { url, lineNumber, columnNumber } = frame;
  if (!url) return { file: '', line: lineNumber + 1 };
  if (!url.startsWith('file://')) return { file: url, line: lineNumber + 1 };
  const file = fileURLToPath(url);
  const mapped = sourceMapOf(file);
  if (mapped) {
    const entry = mapped.map.findEntry(lineNumber, columnNumber);
    if (entry && entry.originalSource) {
      const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(mapped.dir, entry.originalSource);
      return { file: relative(rootDir, source), line: entry.originalLine + 1, name: entry.name };
    }
  }
  return { file: relative(rootDir, file), line: lineNumber + 1 };
};

const areaOf = (file, functionName) => {
  if (!file) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  if (file.startsWith('node:')) return `node:${file.slice(5).split('/').slice(0, file.startsWith('node:internal/') ? 2 : 1).join('/')}`;
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = file.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (file.startsWith('apps/server/src/')) return file.split('/').slice(0, 5).join('/');
  return file;
};

export const summarize = (profile, { from = -Infinity, to = Infinity, top = 10 } = {}) => {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const selfUs = new Map();
  let time = profile.startTime;
  let total = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (time < from || time > to) continue;
    // A sample's weight is the time until the next sample.
    const weight = profile.timeDeltas[index + 1] ?? delta;
    selfUs.set(profile.samples[index], (selfUs.get(profile.samples[index]) ?? 0) + weight);
    total += weight;
  }
  const frames = new Map();
  const frameOf = (id) => {
    if (frames.has(id)) return frames.get(id);
    const frame = nodes.get(id).callFrame;
    const where = locate(frame);
    const name = frame.functionName || where.name || '(anonymous)';
    const entry = { key: `${name} ${where.file}:${where.line}`, function: name, location: where.file ? `${where.file}:${where.line}` : '', area: areaOf(where.file, name), own: where.file.startsWith('apps/server/src/') };
    frames.set(id, entry);
    return entry;
  };
  const byFunction = new Map();
  const byArea = new Map();
  // Inclusive time of Stead's own functions (each counted once per sample), and self time charged to the
  // nearest Stead function on the stack (what Stead code a library or runtime cost comes from).
  const inclusive = new Map();
  const nearest = new Map();
  const add = (map, frame, us) => {
    const entry = map.get(frame.key) ?? { function: frame.function, location: frame.location, us: 0 };
    entry.us += us;
    map.set(frame.key, entry);
  };
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = frameOf(id);
    if (frame.function === '(idle)') {
      idle += us;
      continue;
    }
    const entry = byFunction.get(frame.key) ?? { function: frame.function, location: frame.location, area: frame.area, selfUs: 0 };
    entry.selfUs += us;
    byFunction.set(frame.key, entry);
    byArea.set(frame.area, (byArea.get(frame.area) ?? 0) + us);
    const seen = new Set();
    let charged = false;
    for (let at = id; at !== undefined; at = parents.get(at)) {
      const each = frameOf(at);
      if (!each.own) continue;
      if (!charged) {
        add(nearest, each, us);
        charged = true;
      }
      if (!seen.has(each.key)) {
        seen.add(each.key);
        add(inclusive, each, us);
      }
    }
    if (!charged) add(nearest, { key: '(no Stead frame on the stack)', function: '(no Stead frame on the stack: HTTP parsing, timers, GC, fastify internals)', location: '' }, us);
  }
  const busy = total - idle;
  const pct = (us) => Math.round((us / busy) * 1000) / 10;
  const ms = (us) => Math.round(us / 100) / 10;
  const list = (map) => [...map.values()].sort((a, b) => b.us - a.us).slice(0, top).map(({ us, ...each }) => ({ ...each, ms: ms(us), percentOfBusy: pct(us) }));
  return {
    sampledMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    functions: [...byFunction.values()].sort((a, b) => b.selfUs - a.selfUs).slice(0, top).map(({ selfUs: us, ...each }) => ({ ...each, selfMs: ms(us), percentOfBusy: pct(us) })),
    areas: [...byArea.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([area, us]) => ({ area, selfMs: ms(us), percentOfBusy: pct(us) })),
    steadInclusive: list(inclusive),
    chargedToNearestSteadFrame: list(nearest),
  };
};

export const summaryText = (summary) =>
  [
    `main thread: busy ${summary.busyMs} ms of ${summary.sampledMs} ms sampled (idle ${summary.idleMs} ms)`,
    '',
    'Top self time by function (native calls such as SQLite count toward the JS function that made them):',
    ...summary.functions.map((each) => `${String(each.percentOfBusy).padStart(5)} %  ${String(each.selfMs).padStart(8)} ms  ${each.function}  ${each.location}`),
    '',
    'Self time by package / source area:',
    ...summary.areas.map((each) => `${String(each.percentOfBusy).padStart(5)} %  ${String(each.selfMs).padStart(8)} ms  ${each.area}`),
    '',
    'Self time charged to the nearest Stead function on the stack:',
    ...summary.chargedToNearestSteadFrame.map((each) => `${String(each.percentOfBusy).padStart(5)} %  ${String(each.ms).padStart(8)} ms  ${each.function}  ${each.location}`),
    '',
    'Inclusive time of Stead functions:',
    ...summary.steadInclusive.map((each) => `${String(each.percentOfBusy).padStart(5)} %  ${String(each.ms).padStart(8)} ms  ${each.function}  ${each.location}`),
  ].join('\n');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  const summary = summarize(JSON.parse(readFileSync(args[0], 'utf8')), { from: option('--from', -Infinity), to: option('--to', Infinity), top: option('--top', 10) });
  process.stdout.write(`${args.includes('--json') ? JSON.stringify(summary, null, 2) : summaryText(summary)}\n`);
}
