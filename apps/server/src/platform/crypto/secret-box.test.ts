import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SteadError } from '../errors/stead-error.ts';
import { createSecretBox, keyIdOf, keyIdOfPayload, keyringOf, type SecretBox } from './secret-box.ts';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const boxFor = (key: Buffer): SecretBox => createSecretBox({ keys: [{ id: keyIdOf(key), key }], activeKeyId: keyIdOf(key) });

/** Asserts `secret_key_invalid` and that the message gives away neither the plaintext nor key material. */
const expectUndecryptable = (run: () => unknown, forbidden: string[] = []): SteadError => {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SteadError);
  const error = caught as SteadError;
  expect(error.code).toBe('secret_key_invalid');
  for (const text of [...forbidden, oldKey.toString('base64'), oldKey.toString('hex'), newKey.toString('base64'), newKey.toString('hex')]) {
    expect(error.message).not.toContain(text);
  }
  return error;
};

// Flips one bit of the decoded part at `index` (1 key id, 2 iv, 3 ciphertext, 4 tag) and re-encodes it.
const tamper = (payload: string, index: number): string => {
  const parts = payload.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
};

describe('secret box', () => {
  it('round-trips text, including empty and non-ASCII text', () => {
    const box = boxFor(newKey);
    for (const plaintext of ['sk-live-1234567890', '', 'pässwörd 🔑 with\nnewline', 'x'.repeat(10_000)]) {
      expect(box.decrypt(box.encrypt(plaintext))).toBe(plaintext);
      expect(box.decrypt(box.encrypt(plaintext, 'secret:ws-1:openai'), 'secret:ws-1:openai')).toBe(plaintext);
    }
  });

  it('produces a self-describing v1 payload under the active key', () => {
    const box = boxFor(newKey);
    const payload = box.encrypt('hello');
    const parts = payload.split('.');
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe('v1');
    expect(parts[1]).toBe(keyIdOf(newKey));
    expect(Buffer.from(parts[2]!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[4]!, 'base64url')).toHaveLength(16);
    for (const part of parts) expect(part).toMatch(/^[A-Za-z0-9_-]*$/);
    expect(payload).not.toContain('hello');
    expect(keyIdOfPayload(payload)).toBe(keyIdOf(newKey));
    expect(box.activeKeyId).toBe(keyIdOf(newKey));
  });

  it('gives a different payload and IV every time for the same plaintext', () => {
    const box = boxFor(newKey);
    const payloads = Array.from({ length: 50 }, () => box.encrypt('same secret'));
    expect(new Set(payloads).size).toBe(50);
    expect(new Set(payloads.map((payload) => payload.split('.')[2])).size).toBe(50);
  });

  it('rejects a tampered iv, ciphertext or tag, and different associated data', () => {
    const box = boxFor(newKey);
    const payload = box.encrypt('top secret', 'secret:ws-1:smtp');
    for (const index of [2, 3, 4]) expectUndecryptable(() => box.decrypt(tamper(payload, index), 'secret:ws-1:smtp'), ['top secret']);
    expectUndecryptable(() => box.decrypt(payload, 'secret:ws-2:smtp'), ['top secret']);
    expectUndecryptable(() => box.decrypt(payload), ['top secret']);
    const withoutData = box.encrypt('top secret');
    expectUndecryptable(() => box.decrypt(withoutData, 'secret:ws-1:smtp'), ['top secret']);
  });

  it('rejects malformed payloads and non-canonical base64url', () => {
    const box = boxFor(newKey);
    const payload = box.encrypt('value');
    const parts = payload.split('.');
    const malformed = [
      '',
      'not a payload',
      payload.replace(/^v1\./, 'v2.'),
      parts.slice(0, 4).join('.'),
      `${payload}.extra`,
      [parts[0], parts[1], parts[2]!.slice(1), parts[3], parts[4]].join('.'),
      [parts[0], parts[1], parts[2], parts[3], `${parts[4]}!`].join('.'),
      [parts[0], '', parts[2], parts[3], parts[4]].join('.'),
    ];
    for (const candidate of malformed) expectUndecryptable(() => box.decrypt(candidate));
    expectUndecryptable(() => keyIdOfPayload('garbage'));
  });

  it('names an unknown key id without leaking anything else', () => {
    const payload = boxFor(oldKey).encrypt('old secret');
    const error = expectUndecryptable(() => boxFor(newKey).decrypt(payload), ['old secret']);
    expect(error.message).toContain(keyIdOf(oldKey));
  });

  it('fails with the wrong key even when the key id matches', () => {
    const payload = boxFor(oldKey).encrypt('hunter2');
    const impostor = createSecretBox({ keys: [{ id: keyIdOf(oldKey), key: newKey }], activeKeyId: keyIdOf(oldKey) });
    expectUndecryptable(() => impostor.decrypt(payload), ['hunter2']);
  });

  it('reads payloads of every key in the keyring and writes with the active one', () => {
    const before = boxFor(oldKey).encrypt('written before rotation');
    const rotated = createSecretBox(keyringOf(newKey, [oldKey]));
    const after = rotated.encrypt('written after rotation');
    expect(rotated.decrypt(before)).toBe('written before rotation');
    expect(rotated.decrypt(after)).toBe('written after rotation');
    expect(keyIdOfPayload(after)).toBe(keyIdOf(newKey));
    expect(rotated.decrypt(rotated.encrypt(rotated.decrypt(before)))).toBe('written before rotation');
    expectUndecryptable(() => boxFor(oldKey).decrypt(after));
  });

  it('keeps its own copy of the keys', () => {
    const key = Buffer.from(newKey);
    const box = createSecretBox({ keys: [{ id: 'k1', key }], activeKeyId: 'k1' });
    const payload = box.encrypt('value');
    key.fill(0);
    expect(box.decrypt(payload)).toBe('value');
  });

  it('refuses an invalid keyring with config_invalid', () => {
    const invalid = [
      { keys: [{ id: 'k1', key: randomBytes(16) }], activeKeyId: 'k1' },
      { keys: [{ id: 'k1', key: newKey }], activeKeyId: 'k2' },
      { keys: [{ id: 'k.1', key: newKey }], activeKeyId: 'k.1' },
      { keys: [{ id: '', key: newKey }], activeKeyId: '' },
      { keys: [{ id: 'k1', key: newKey }, { id: 'k1', key: oldKey }], activeKeyId: 'k1' },
    ];
    for (const options of invalid) expect(() => createSecretBox(options)).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });

  it('fingerprints keys stably as 8 hex characters, and drops duplicate keys from a keyring', () => {
    expect(keyIdOf(newKey)).toMatch(/^[0-9a-f]{8}$/);
    expect(keyIdOf(Buffer.from(newKey))).toBe(keyIdOf(newKey));
    expect(keyIdOf(oldKey)).not.toBe(keyIdOf(newKey));
    // sha256 of 32 zero bytes starts with 66687aad.
    expect(keyIdOf(Buffer.alloc(32))).toBe('66687aad');
    expect(keyringOf(newKey, [newKey, oldKey]).keys.map((entry) => entry.id)).toEqual([keyIdOf(newKey), keyIdOf(oldKey)]);
  });
});
