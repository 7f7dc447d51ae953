import { readFileSync } from 'node:fs';

/** The Stead version, from the repository's root package.json. */
export const steadVersion: string = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
