// Renders the PNG app icons from public/favicon.svg with the system Chromium (no downloads).
// Usage: node apps/web/scripts/generate-icons.mjs   (needs playwright-core and /usr/bin/chromium)
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const publicDir = fileURLToPath(new URL('../public/', import.meta.url));
const svg = await readFile(`${publicDir}favicon.svg`, 'utf8');
const dataUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;

const targets = [
  { file: 'icon-192.png', size: 192, padding: 0, background: 'transparent' },
  { file: 'icon-512.png', size: 512, padding: 0, background: 'transparent' },
  { file: 'apple-touch-icon.png', size: 180, padding: 0, background: '#18181b' },
  // Maskable icons keep their content inside the central 80% safe zone.
  { file: 'icon-maskable-512.png', size: 512, padding: 64, background: '#18181b' },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  for (const target of targets) {
    const inner = target.size - target.padding * 2;
    await page.setViewportSize({ width: target.size, height: target.size });
    await page.setContent(
      `<html><body style="margin:0;background:${target.background}"><img src="${dataUrl}" width="${inner}" height="${inner}" style="display:block;margin:${target.padding}px"></body></html>`,
    );
    const png = await page.screenshot({ omitBackground: target.background === 'transparent' });
    await writeFile(`${publicDir}${target.file}`, png);
    console.log(`wrote ${target.file}`);
  }
} finally {
  await browser.close();
}
