import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository's root folder (holding the `stead` package.json), found by walking up from this module.
 * Walking up rather than counting `../` keeps paths right both in the sources and in the esbuild bundle.
 */
const findRoot = (): string => {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'stead') return folder;
    const parent = dirname(folder);
    if (parent === folder) throw new Error('Cannot find the Stead repository root (package.json named "stead")');
    folder = parent;
  }
};

export const repositoryRoot = findRoot();
