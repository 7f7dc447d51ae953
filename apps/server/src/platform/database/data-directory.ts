import { chmodSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { SteadError } from '../errors/stead-error.ts';

/** The data directory: only its owner may list or enter it. */
export const dataDirectoryMode = 0o700;
/** Files Stead keeps in the data directory (database, its WAL and shared memory, key files): owner only. */
export const dataFileMode = 0o600;

/** The files `stead doctor` checks besides the directory itself. */
export const dataFileNames = ['stead.db', 'stead.db-wal', 'stead.db-shm', 'secret.key', 'secret.key.previous'] as const;

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

const statOrUndefined = (path: string): Stats | undefined => {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** Whether this process may change the mode of a file: it owns it (POSIX only; elsewhere modes mean little). */
const ownedByUs = (stats: Stats): boolean => typeof process.getuid === 'function' && stats.uid === process.getuid();

/**
 * Sets `mode` on `path` when it grants group or other users anything and this process owns it. Returns a warning
 * for an administrator when it is too open and cannot be tightened, otherwise undefined. Missing is fine.
 */
export const tightenMode = (path: string, mode: number): string | undefined => {
  const stats = statOrUndefined(path);
  if (!stats || (stats.mode & 0o077) === 0 || typeof process.getuid !== 'function') return undefined;
  const why = `${path} is ${octal(stats.mode)}: other users of this machine can read it; it should be ${octal(mode)}`;
  // A directory with the sticky bit is shared by design (/tmp): pointing the data directory at one is the mistake.
  if (!ownedByUs(stats) || (stats.mode & 0o1000) !== 0) return `${why} (not changed: owned by another user or shared)`;
  try {
    chmodSync(path, mode);
    return undefined;
  } catch (error) {
    return `${why} (could not change it: ${(error as Error).message})`;
  }
};

/**
 * Creates the data directory with mode 0700, or tightens an existing one this process owns. Returns warnings
 * about what stays too open. Throws `data_dir_unusable`, naming the path and the cause, when it cannot be created
 * (a parent is a file, no permission, a read-only file system).
 */
export const prepareDataDirectory = (dataDir: string): { warnings: string[] } => {
  try {
    mkdirSync(dataDir, { recursive: true, mode: dataDirectoryMode });
  } catch (error) {
    throw new SteadError('data_dir_unusable', `The data directory ${dataDir} cannot be created: ${(error as Error).message}`, { cause: error, details: { path: dataDir } });
  }
  const stats = statSync(dataDir);
  if (!stats.isDirectory()) throw new SteadError('data_dir_unusable', `The data directory ${dataDir} is not a directory`, { details: { path: dataDir } });
  const warning = tightenMode(dataDir, dataDirectoryMode);
  return { warnings: warning ? [warning] : [] };
};

/**
 * What is too open in a data directory, without changing anything (for `stead doctor`): the directory unless
 * 0700 or tighter, and each of Stead's files there unless 0600 or tighter.
 */
export const loosePermissions = (dataDir: string): string[] => {
  const loose: string[] = [];
  const directory = statOrUndefined(dataDir);
  if (!directory) return loose;
  if ((directory.mode & 0o077) !== 0) loose.push(`${dataDir} is ${octal(directory.mode)} (should be ${octal(dataDirectoryMode)})`);
  for (const name of dataFileNames) {
    const file = statOrUndefined(join(dataDir, name));
    if (file && (file.mode & 0o077) !== 0) loose.push(`${name} is ${octal(file.mode)} (should be ${octal(dataFileMode)})`);
  }
  return loose;
};
