// `npm start`: build the dashboard once if no build exists, then run `stead start` in this process.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(new URL('../apps/web/dist/index.html', import.meta.url))) {
  process.stdout.write('Building the dashboard (first start only)…\n');
  const build = spawnSync('npm', ['run', 'build', '-w', '@stead/web'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
process.argv = [process.argv[0], 'stead', 'start', ...process.argv.slice(2)];
await import('../apps/server/bin/stead.mjs');
