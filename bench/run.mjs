// `npm run bench [-- <suite> ...] [-- --strict]`: runs benchmark suites, writes bench/results/<suite>.json and
// .md, and prints the Markdown. A suite is a folder of bench/ holding suite.mjs. Never part of `npm test`:
// timings on a shared 2-core machine are evidence for people, not assertions.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const rootDir = join(benchDir, '..');
// A quick smoke run (BENCH_QUICK=1) checks the harness; its numbers mean nothing, so they stay out of results/.
const quick = process.env.BENCH_QUICK === '1';
const resultsDir = quick ? join(benchDir, '.tmp', 'results') : join(benchDir, 'results');

const available = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(benchDir, entry.name, 'suite.mjs')))
  .map((entry) => entry.name)
  .sort();

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const requested = args.filter((arg) => !arg.startsWith('--'));
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`Unknown suite(s): ${unknown.join(', ')}. Available: ${available.join(', ')}\n`);
  process.exit(2);
}
const suites = requested.length > 0 ? requested : available;

const git = (...gitArgs) => {
  try {
    return execFileSync('git', gitArgs, { cwd: rootDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};

/** CPU pressure (PSI "some", % of time a task waited for a CPU) over the last 10 and 60 s: contention evidence. */
const cpuPressure = () => {
  try {
    const line = readFileSync('/proc/pressure/cpu', 'utf8').split('\n').find((each) => each.startsWith('some'));
    const value = (name) => Number(line.match(new RegExp(`${name}=([\\d.]+)`))[1]);
    return { avg10: value('avg10'), avg60: value('avg60') };
  } catch {
    return null;
  }
};

const machineInfo = () => {
  const cpus = os.cpus();
  // bench/ itself (this harness, results about to be written) does not change what is measured.
  const status = git('status', '--porcelain', '--', '.', ':(exclude)bench');
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
    cpuPressureAtStart: cpuPressure(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    gitCommit: git('rev-parse', 'HEAD'),
    // Results of a dirty tree describe code that no commit holds; say so rather than pretend.
    gitDirtyOutsideBench: status === null ? null : status.length > 0,
  };
};

const pressureText = (pressure) => (pressure ? `${pressure.avg60} %` : 'unknown');

const machineMarkdown = (machine) =>
  [
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}; ` +
      `Node ${machine.node}; load average at start ${machine.loadAverage.join(' / ')}.`,
    `CPU pressure (share of time a task waited for a core, 60 s average): ${pressureText(machine.cpuPressureAtStart)} at start, ` +
      `${pressureText(machine.cpuPressureAtEnd)} at the end; the suite itself keeps both cores busy during load runs.`,
    `Date: ${machine.date}; commit ${machine.gitCommit ?? 'unknown'}${machine.gitDirtyOutsideBench ? ' plus uncommitted changes outside bench/' : ''}.`,
  ].join('  \n');

const budgetTable = (budgets) => [
  '| Budget | Limit | Measured | Result |',
  '|---|---|---|---|',
  ...budgets.map((budget) => `| ${budget.name} | ${budget.limit} | ${budget.measured} | ${budget.pass ? 'pass' : '**FAIL**'} |`),
].join('\n');

mkdirSync(resultsDir, { recursive: true });
let anyFailed = false;
// Suites measure the server as `npm start` runs it: from the esbuild bundle, not through tsx.
execFileSync('npm', ['run', 'build', '--silent', '-w', '@stead/server'], { cwd: rootDir, stdio: 'inherit' });

for (const name of suites) {
  const suite = await import(join(benchDir, name, 'suite.mjs'));
  process.stderr.write(`bench: running suite ${name}\n`);
  const machine = machineInfo();
  const started = Date.now();
  const outcome = await suite.run({ rootDir, log: (line) => process.stderr.write(`  [${name}] ${line}\n`) });
  const durationSeconds = Math.round((Date.now() - started) / 100) / 10;
  machine.cpuPressureAtEnd = cpuPressure();

  const json = { suite: name, description: suite.description, quick, machine, durationSeconds, budgets: outcome.budgets, results: outcome.results };
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);

  const markdown = [
    `# Bench: ${name}${quick ? ' (BENCH_QUICK smoke run: not representative)' : ''}`,
    '',
    suite.description,
    '',
    machineMarkdown(machine),
    '',
    `Suite wall time ${durationSeconds} s. The machine has ${machine.cores} shared cores; the load generator runs on the same ` +
      'machine as the server, so absolute numbers are lower bounds for a dedicated host.',
    '',
    '## Budgets',
    '',
    budgetTable(outcome.budgets),
    '',
    outcome.markdown.trim(),
    '',
  ].join('\n');
  writeFileSync(join(resultsDir, `${name}.md`), markdown);
  process.stdout.write(`${markdown}\n`);
  if (outcome.budgets.some((budget) => !budget.pass)) anyFailed = true;
}

if (strict && anyFailed) process.exit(1);
