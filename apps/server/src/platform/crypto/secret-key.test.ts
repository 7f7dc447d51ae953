import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox, keyringOf } from './secret-box.ts';
import {
  decodeSecretKey,
  generateSecretKey,
  removePreviousSecretKey,
  resolveSecretKey,
  writeSecretKeyFile,
} from './secret-key.ts';

const directories: string[] = [];
const temporaryDirectory = (): string => {
  const directory = mkdtempSync(join(tmpdir(), 'stead-secret-key-'));
  directories.push(directory);
  return directory;
};
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const modeOf = (file: string): number => statSync(file).mode & 0o777;
const invalidEnvMessage = 'STEAD_SECRET_KEY: must be 32 bytes as base64 or 64 hex characters';

describe('resolveSecretKey from STEAD_SECRET_KEY', () => {
  const key = randomBytes(32);

  it('accepts 32 bytes as standard base64, url-safe base64 (padded or not) and hex', () => {
    const dataDir = temporaryDirectory();
    for (const text of [
      key.toString('base64'),
      key.toString('base64url'),
      `${key.toString('base64url')}=`,
      key.toString('base64').replace(/=$/, ''),
      key.toString('hex'),
      key.toString('hex').toUpperCase(),
      ` ${key.toString('base64')}\n`,
    ]) {
      const resolved = resolveSecretKey({ secretKey: text, dataDir });
      expect(resolved.source).toBe('env');
      expect(resolved.key.equals(key)).toBe(true);
    }
    // The environment wins: no key file is created.
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('refuses anything else with config_invalid and a message that does not echo the value', () => {
    const dataDir = temporaryDirectory();
    const invalid = [
      '',
      'too-short',
      randomBytes(16).toString('base64'),
      randomBytes(31).toString('base64'),
      randomBytes(33).toString('base64'),
      randomBytes(32).toString('hex').slice(1),
      `${randomBytes(32).toString('hex')}00`,
      randomBytes(48).toString('base64'),
      `${key.toString('base64').slice(0, 42)}!=`,
      // Mixed alphabets: `+` from standard base64 with `_` from the url-safe one.
      `+_${key.toString('base64url').slice(2)}`,
      // Non-canonical: the spare low bits of the last character are set.
      `${key.toString('base64url').slice(0, 42)}${(() => {
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const last = key.toString('base64url')[42]!;
        return alphabet[alphabet.indexOf(last) | 1];
      })()}`,
    ];
    for (const secretKey of invalid) {
      let caught: unknown;
      try {
        resolveSecretKey({ secretKey, dataDir });
      } catch (error) {
        caught = error;
      }
      expect(caught, secretKey).toMatchObject({ code: 'config_invalid', message: invalidEnvMessage });
    }
    expect(readdirSync(dataDir)).toEqual([]);
  });
});

describe('resolveSecretKey from the key file', () => {
  it('creates <dataDir>/secret.key with mode 0600, creating the data directory, and reuses it', () => {
    const dataDir = join(temporaryDirectory(), 'nested', 'data');
    const first = resolveSecretKey({ dataDir });
    const file = join(dataDir, 'secret.key');
    expect(first).toMatchObject({ source: 'file', file, created: true, permissionsTightened: false });
    expect(first.previousKey).toBeUndefined();
    expect(first.key).toHaveLength(32);
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(dataDir) & 0o077).toBe(0);
    expect(decodeSecretKey(readFileSync(file, 'utf8'))?.equals(first.key)).toBe(true);
    // No temporary file is left behind.
    expect(readdirSync(dataDir)).toEqual(['secret.key']);

    const second = resolveSecretKey({ dataDir });
    expect(second).toMatchObject({ source: 'file', file, created: false });
    expect(second.key.equals(first.key)).toBe(true);
  });

  it('creates different keys for different data directories', () => {
    const one = resolveSecretKey({ dataDir: temporaryDirectory() });
    const two = resolveSecretKey({ dataDir: temporaryDirectory() });
    expect(one.key.equals(two.key)).toBe(false);
  });

  it('tightens a group- or world-readable key file to 0600', () => {
    for (const loose of [0o644, 0o640, 0o604, 0o660]) {
      const dataDir = temporaryDirectory();
      const file = join(dataDir, 'secret.key');
      const key = randomBytes(32);
      writeFileSync(file, key.toString('hex'));
      chmodSync(file, loose);
      const resolved = resolveSecretKey({ dataDir });
      expect(resolved.key.equals(key)).toBe(true);
      expect(resolved.permissionsTightened).toBe(true);
      expect(modeOf(file)).toBe(0o600);
    }
  });

  it('refuses a key file that does not hold a key, naming the file', () => {
    const dataDir = temporaryDirectory();
    const file = join(dataDir, 'secret.key');
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    expect(() => resolveSecretKey({ dataDir })).toThrow(expect.objectContaining({ code: 'config_invalid', message: expect.stringContaining(file) }));
    // The broken file is left for a person to look at, not replaced by a new key.
    expect(readFileSync(file, 'utf8')).toBe('not a key\n');
  });

  it('refuses a key path that is not a regular file', () => {
    const dataDir = temporaryDirectory();
    mkdirSync(join(dataDir, 'secret.key'));
    expect(() => resolveSecretKey({ dataDir })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });
});

describe('writeSecretKeyFile (key rotation)', () => {
  it('replaces the key atomically and keeps the previous one, both 0600', () => {
    const dataDir = temporaryDirectory();
    const original = resolveSecretKey({ dataDir }).key;
    const next = Buffer.from(generateSecretKey(), 'base64');

    const written = writeSecretKeyFile(dataDir, next);
    expect(written).toEqual({ file: join(dataDir, 'secret.key'), previousFile: join(dataDir, 'secret.key.previous') });
    expect(modeOf(written.file)).toBe(0o600);
    expect(modeOf(written.previousFile!)).toBe(0o600);
    expect(readdirSync(dataDir).sort()).toEqual(['secret.key', 'secret.key.previous']);

    const resolved = resolveSecretKey({ dataDir });
    expect(resolved.key.equals(next)).toBe(true);
    expect(resolved.previousKey?.equals(original)).toBe(true);

    removePreviousSecretKey(dataDir);
    removePreviousSecretKey(dataDir);
    expect(resolveSecretKey({ dataDir }).previousKey).toBeUndefined();
  });

  it('gives a keyring that reads secrets of both keys while a rotation is unfinished', () => {
    const dataDir = temporaryDirectory();
    const before = resolveSecretKey({ dataDir });
    const oldPayload = createSecretBox(keyringOf(before.key)).encrypt('provider key');
    writeSecretKeyFile(dataDir, randomBytes(32));

    const during = resolveSecretKey({ dataDir });
    const box = createSecretBox(keyringOf(during.key, during.previousKey ? [during.previousKey] : []));
    expect(box.decrypt(oldPayload)).toBe('provider key');
    expect(createSecretBox(keyringOf(during.key)).encrypt('x')).toMatch(new RegExp(`^v1\\.${box.activeKeyId}\\.`));
  });

  it('writes a first key file when none exists, without a previous file', () => {
    const dataDir = join(temporaryDirectory(), 'fresh');
    const key = randomBytes(32);
    expect(writeSecretKeyFile(dataDir, key)).toEqual({ file: join(dataDir, 'secret.key') });
    expect(resolveSecretKey({ dataDir }).key.equals(key)).toBe(true);
    expect(existsSync(join(dataDir, 'secret.key.previous'))).toBe(false);
  });

  it('can be run again after a crash between keeping the previous key and replacing the current one', () => {
    const dataDir = temporaryDirectory();
    const original = resolveSecretKey({ dataDir }).key;
    // The state such a crash leaves: secret.key.previous is a copy of the still-active key.
    writeFileSync(join(dataDir, 'secret.key.previous'), original.toString('base64'), { mode: 0o600 });
    const next = randomBytes(32);
    writeSecretKeyFile(dataDir, next);
    const resolved = resolveSecretKey({ dataDir });
    expect(resolved.key.equals(next)).toBe(true);
    expect(resolved.previousKey?.equals(original)).toBe(true);
  });

  it('refuses to drop the key of an unfinished rotation unless told to', () => {
    const dataDir = temporaryDirectory();
    const first = resolveSecretKey({ dataDir }).key;
    const second = randomBytes(32);
    const third = randomBytes(32);
    writeSecretKeyFile(dataDir, second);
    expect(() => writeSecretKeyFile(dataDir, third)).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(resolveSecretKey({ dataDir }).previousKey?.equals(first)).toBe(true);

    writeSecretKeyFile(dataDir, third, { replacePrevious: true });
    const resolved = resolveSecretKey({ dataDir });
    expect(resolved.key.equals(third)).toBe(true);
    expect(resolved.previousKey?.equals(second)).toBe(true);
  });

  it('does nothing when the key is already the current one', () => {
    const dataDir = temporaryDirectory();
    const current = resolveSecretKey({ dataDir }).key;
    expect(writeSecretKeyFile(dataDir, current)).toEqual({ file: join(dataDir, 'secret.key') });
    expect(existsSync(join(dataDir, 'secret.key.previous'))).toBe(false);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => writeSecretKeyFile(temporaryDirectory(), randomBytes(16))).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });
});

describe('generateSecretKey', () => {
  it('gives a fresh valid 32-byte key as base64', () => {
    const key = generateSecretKey();
    expect(decodeSecretKey(key)).toHaveLength(32);
    expect(generateSecretKey()).not.toBe(key);
  });
});
