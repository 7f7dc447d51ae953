import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SteadError } from '../errors/stead-error.ts';
import { secretKeyLength } from './secret-box.ts';

/** Name of the key file inside the data directory. */
export const secretKeyFileName = 'secret.key';
/** The key a rotation replaced, kept until every secret is re-encrypted (see `writeSecretKeyFile`). */
export const previousSecretKeyFileName = 'secret.key.previous';

const ownerOnly = 0o600;

export interface ResolveSecretKeyOptions {
  /** `STEAD_SECRET_KEY`: 32 bytes as base64 (standard or url-safe) or 64 hex characters. Wins over the key file. */
  secretKey?: string | undefined;
  /** The data directory holding `secret.key`; created (mode 0700) when missing. */
  dataDir: string;
}

export interface ResolvedSecretKey {
  /** The 32-byte active key. */
  key: Buffer;
  /** Where it came from: `STEAD_SECRET_KEY`, or the key file (read or just created). */
  source: 'env' | 'file';
  /** Path of the key file, when `source` is `file`. */
  file?: string;
  /** Whether the key file was created by this call. */
  created?: boolean;
  /**
   * The key of a rotation that has not finished (`secret.key.previous` exists): secrets may still be encrypted
   * with it, so it belongs in the keyring as a decrypt-only key. Only with `source: 'file'`.
   */
  previousKey?: Buffer;
  /** Whether group or world permissions were removed from a key file, for a startup warning. */
  permissionsTightened?: boolean;
}

/** A new random key, base64-encoded, for `STEAD_SECRET_KEY` or `stead admin` output. */
export const generateSecretKey = (): string => randomBytes(secretKeyLength).toString('base64');

const hexKey = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 characters plus one `=`; one alphabet at a time, so a mangled value is not half-read.
const standardBase64Key = /^[A-Za-z0-9+/]{43}=?$/;
const urlBase64Key = /^[A-Za-z0-9_-]{43}=?$/;

/**
 * The 32 key bytes of a textual key, or `undefined` when the text is not exactly that. Surrounding whitespace
 * (a trailing newline from a file or a secret store) is ignored.
 */
export const decodeSecretKey = (text: string): Buffer | undefined => {
  const value = text.trim();
  if (hexKey.test(value)) return Buffer.from(value, 'hex');
  if (!standardBase64Key.test(value) && !urlBase64Key.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  // The 43rd character carries 2 spare bits; a non-canonical spelling is most likely a typo, so refuse it.
  const canonical = bytes.toString('base64url') === value.replace(/=$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return bytes.length === secretKeyLength && canonical ? bytes : undefined;
};

/**
 * The active secret key: `STEAD_SECRET_KEY` when set, otherwise `<dataDir>/secret.key`, created on first start
 * with 32 random bytes and mode 0600. An invalid value stops start-up with `config_invalid` rather than
 * falling back: silently switching keys would make every stored secret unreadable.
 */
export const resolveSecretKey = (options: ResolveSecretKeyOptions): ResolvedSecretKey => {
  if (options.secretKey !== undefined) {
    const key = decodeSecretKey(options.secretKey);
    if (!key) throw new SteadError('config_invalid', 'STEAD_SECRET_KEY: must be 32 bytes as base64 or 64 hex characters');
    return { key, source: 'env' };
  }

  ensureDataDir(options.dataDir);
  const file = join(options.dataDir, secretKeyFileName);
  let created = false;
  if (!exists(file)) {
    try {
      writeFileAtomically(file, `${generateSecretKey()}\n`, { replace: false });
      created = true;
    } catch (error) {
      // Another process starting at the same moment created it first; both must end up with its key.
      if (!isErrorCode(error, 'EEXIST')) throw error;
    }
  }
  const current = readKeyFile(file);
  const previousFile = join(options.dataDir, previousSecretKeyFileName);
  const previous = exists(previousFile) ? readKeyFile(previousFile) : undefined;
  return {
    key: current.key,
    source: 'file',
    file,
    created,
    ...(previous ? { previousKey: previous.key } : {}),
    permissionsTightened: current.tightened || previous?.tightened === true,
  };
};

export interface WriteSecretKeyFileOptions {
  /**
   * Overwrite a `secret.key.previous` that holds a third key. Default `false`: that file means an earlier
   * rotation never finished, and secrets may still be encrypted with it.
   */
  replacePrevious?: boolean;
}

/**
 * Installs `key` as `<dataDir>/secret.key` for a key rotation, crash-safely:
 *
 * 1. the current key is copied to `secret.key.previous` (0600, written to a temporary file, fsynced, renamed);
 * 2. the new key is written the same way and renamed over `secret.key`.
 *
 * At every instant the files hold every key a stored secret may use: a crash before step 2 leaves the old key
 * active (and a harmless copy of it), a crash after it leaves the new key active with the old one beside it, and
 * `resolveSecretKey` returns both so the re-encryption can be finished. The caller re-encrypts after this
 * returns, then calls `removePreviousSecretKey`.
 */
export const writeSecretKeyFile = (dataDir: string, key: Buffer, options: WriteSecretKeyFileOptions = {}): { file: string; previousFile?: string } => {
  if (key.length !== secretKeyLength) throw new SteadError('config_invalid', `Secret key: must be ${secretKeyLength} bytes`);
  ensureDataDir(dataDir);
  const file = join(dataDir, secretKeyFileName);
  const previousFile = join(dataDir, previousSecretKeyFileName);
  const current = exists(file) ? readKeyFile(file).key : undefined;
  if (current?.equals(key)) return exists(previousFile) ? { file, previousFile } : { file };

  if (current) {
    const previous = exists(previousFile) ? readKeyFile(previousFile).key : undefined;
    if (previous && !previous.equals(current) && options.replacePrevious !== true) {
      throw new SteadError(
        'config_invalid',
        `${previousFile}: an earlier key rotation did not finish; re-encrypt the secrets still using that key and remove the file first`,
      );
    }
    writeFileAtomically(previousFile, `${current.toString('base64')}\n`, { replace: true });
  }
  writeFileAtomically(file, `${key.toString('base64')}\n`, { replace: true });
  return current ? { file, previousFile } : { file };
};

/** Ends a rotation: forgets `secret.key.previous` once no stored secret uses that key. Missing is fine. */
export const removePreviousSecretKey = (dataDir: string): void => {
  try {
    unlinkSync(join(dataDir, previousSecretKeyFileName));
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return;
    throw error;
  }
  fsyncDirectory(dataDir);
};

const ensureDataDir = (dataDir: string): void => {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
};

const exists = (file: string): boolean => {
  try {
    statSync(file);
    return true;
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return false;
    throw error;
  }
};

const readKeyFile = (file: string): { key: Buffer; tightened: boolean } => {
  const stat = statSync(file);
  if (!stat.isFile()) throw new SteadError('config_invalid', `${file}: must be a regular file`);
  let tightened = false;
  if ((stat.mode & 0o077) !== 0) {
    try {
      chmodSync(file, ownerOnly);
      tightened = true;
    } catch (error) {
      // Like ssh with a private key: a key others can read is not used, rather than used with a warning.
      throw new SteadError('config_invalid', `${file}: readable by other users and its mode cannot be changed to 0600; fix it or set STEAD_SECRET_KEY`, { cause: error });
    }
  }
  const key = decodeSecretKey(readFileSync(file, 'utf8'));
  if (!key) throw new SteadError('config_invalid', `${file}: must hold 32 bytes as base64 or 64 hex characters`);
  return { key, tightened };
};

/**
 * Writes a whole file or nothing: a temporary file (0600 from its creation, so the key is never readable by
 * others even briefly), fsynced, then renamed over `file` (`replace`) or hard-linked to it, which fails with
 * EEXIST instead of overwriting a key another process created a moment earlier.
 */
const writeFileAtomically = (file: string, content: string, options: { replace: boolean }): void => {
  const directory = dirname(file);
  const temporary = join(directory, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const descriptor = openSync(temporary, 'wx', ownerOnly);
  try {
    try {
      // The umask may have narrowed the creation mode; set it exactly.
      fchmodSync(descriptor, ownerOnly);
      writeSync(descriptor, content);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    if (options.replace) {
      renameSync(temporary, file);
    } else {
      linkSync(temporary, file);
      unlinkSync(temporary);
    }
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Already renamed or never created; nothing to clean.
    }
    throw error;
  }
  fsyncDirectory(directory);
};

// The rename or link is durable only once the directory entry is; without this a power cut can lose the new key.
const fsyncDirectory = (directory: string): void => {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(directory, 'r');
    fsyncSync(descriptor);
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the data itself is already fsynced.
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
};

const isErrorCode = (error: unknown, code: string): boolean =>
  typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;
