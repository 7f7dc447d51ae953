#!/usr/bin/env node
// The `stead` program. It runs the bundle in ../dist when that is newer than every source file (built by
// `npm run build` or `npm start`), and otherwise the TypeScript sources through tsx, so an edited checkout
// never runs stale code and a fresh clone needs no build step.
import { readdirSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const bundle = new URL('dist/main.js', root);

const newestSource = () => {
  let newest = 0;
  for (const folder of ['src', 'migrations']) {
    const directory = new URL(`${folder}/`, root);
    for (const file of readdirSync(directory, { recursive: true })) {
      if (String(file).endsWith('.ts')) newest = Math.max(newest, statSync(new URL(String(file), directory)).mtimeMs);
    }
  }
  return newest;
};

const bundleIsFresh = () => {
  try {
    return statSync(bundle).mtimeMs >= newestSource();
  } catch {
    return false;
  }
};

if (bundleIsFresh()) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('src/main.ts', root).href);
}
