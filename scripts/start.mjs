// `npm start`: bundle the server (a fraction of a second), build the dashboard once if no build exists, then
// run `stead start` in this process.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (args) => {
  const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run(['run', 'build', '--silent', '-w', '@stead/server']);
if (!existsSync(new URL('../apps/web/dist/index.html', import.meta.url))) {
  process.stdout.write('Building the dashboard (first start only)…\n');
  run(['run', 'build', '-w', '@stead/web']);
}
process.argv = [process.argv[0], 'stead', 'start', ...process.argv.slice(2)];
await import('../apps/server/bin/stead.mjs');
