// Reports the gzip size of the JavaScript that index.html loads before any route chunk, and fails when it
// exceeds the design budget (250 KB gzip). Run after `vite build`: node scripts/check-bundle-size.mjs
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const BUDGET_BYTES = 250 * 1024;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const html = await readFile(`${dist}index.html`, 'utf8');
const files = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/([^"]+\.js)"/g)].map((match) => match[1]);

let total = 0;
for (const file of files) {
  const size = gzipSync(await readFile(`${dist}${file}`), { level: 9 }).length;
  total += size;
  console.log(`${(size / 1024).toFixed(1).padStart(8)} KB  ${file}`);
}
console.log(`${(total / 1024).toFixed(1).padStart(8)} KB  initial JavaScript (gzip), budget ${BUDGET_BYTES / 1024} KB`);
if (total > BUDGET_BYTES) {
  console.error('Initial JavaScript is over budget.');
  process.exit(1);
}
