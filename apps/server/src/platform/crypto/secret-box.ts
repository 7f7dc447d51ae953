import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { SteadError } from '../errors/stead-error.ts';

/** AES-256 wants exactly this many key bytes. */
export const secretKeyLength = 32;

const algorithm = 'aes-256-gcm';
// 96-bit IVs are GCM's native size; random ones are safe for far more messages than a secrets table holds.
const ivLength = 12;
const tagLength = 16;
const payloadVersion = 'v1';

/** One key of a keyring. */
export interface SecretKeyEntry {
  /** Written into every payload so `decrypt` finds the key; use `keyIdOf(key)`. Must not contain `.`. */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export interface SecretBoxOptions {
  /** Every key that may have encrypted a stored payload: the active one, plus older ones during a rotation. */
  keys: readonly SecretKeyEntry[];
  /** The key `encrypt` uses; must be one of `keys`. */
  activeKeyId: string;
}

/**
 * Authenticated encryption of short secrets (provider keys, SMTP passwords) for storage. Payloads are
 * self-describing — `v1.<keyId>.<iv>.<ciphertext>.<tag>`, base64url parts — so a keyring can read payloads
 * of older keys while writing with the active one, and a rotation can tell which rows still need rewriting.
 */
export interface SecretBox {
  /** Id of the key new payloads are encrypted with. */
  readonly activeKeyId: string;
  /**
   * Encrypts under the active key with a fresh random IV, so equal plaintexts never give equal payloads.
   * `associatedData` is authenticated but not stored: pass what binds the secret to its place (for example
   * `secret:<workspaceId>:<name>`) so a payload copied to another row fails to decrypt. An absent and an
   * empty `associatedData` are the same.
   */
  encrypt(plaintext: string, associatedData?: string): string;
  /**
   * Decrypts with the key the payload names. Throws `SteadError('secret_key_invalid')` when the key is not
   * in the keyring, the payload was altered, the associated data differs or the key is wrong; the message
   * never contains the payload, the plaintext or key material.
   */
  decrypt(payload: string, associatedData?: string): string;
}

/** A stable, non-secret fingerprint of a key: the first 8 hex characters of its SHA-256. */
export const keyIdOf = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

interface ParsedPayload {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const undecryptable = (reason: string, cause?: unknown): SteadError =>
  new SteadError('secret_key_invalid', `A stored secret cannot be decrypted: ${reason}`, cause === undefined ? {} : { cause });

// Strict base64url: Buffer.from accepts junk characters and loose trailing bits, which would let two different
// strings decode to the same bytes; only the canonical spelling is accepted.
const decodePart = (part: string): Buffer | undefined => {
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : undefined;
};

const parsePayload = (payload: string): ParsedPayload => {
  const parts = payload.split('.');
  if (parts.length !== 5 || parts[0] !== payloadVersion) throw undecryptable('not a v1 secret payload');
  const [, keyId, ivPart, ciphertextPart, tagPart] = parts as [string, string, string, string, string];
  const iv = decodePart(ivPart);
  const ciphertext = decodePart(ciphertextPart);
  const tag = decodePart(tagPart);
  if (keyId === '' || !iv || iv.length !== ivLength || !ciphertext || !tag || tag.length !== tagLength) {
    throw undecryptable('the payload is malformed');
  }
  return { keyId, iv, ciphertext, tag };
};

/**
 * The id of the key a payload was encrypted with, without decrypting it (rotation finds rows still on an old
 * key with it). Throws `secret_key_invalid` when the payload is malformed.
 */
export const keyIdOfPayload = (payload: string): string => parsePayload(payload).keyId;

const configError = (message: string): SteadError => new SteadError('config_invalid', `Secret keyring: ${message}`);

export const createSecretBox = (options: SecretBoxOptions): SecretBox => {
  const keyring = new Map<string, Buffer>();
  for (const entry of options.keys) {
    if (entry.id === '' || entry.id.includes('.')) throw configError(`key id "${entry.id}" must be non-empty and contain no "."`);
    if (entry.key.length !== secretKeyLength) throw configError(`key "${entry.id}" must be ${secretKeyLength} bytes`);
    if (keyring.has(entry.id)) throw configError(`key id "${entry.id}" appears twice`);
    // A copy: a caller that later zeroes or reuses its buffer must not change what decrypts here.
    keyring.set(entry.id, Buffer.from(entry.key));
  }
  const activeKey = keyring.get(options.activeKeyId);
  if (!activeKey) throw configError(`active key "${options.activeKeyId}" is not in the keyring`);
  const activeKeyId = options.activeKeyId;

  return {
    activeKeyId,

    encrypt(plaintext, associatedData) {
      const iv = randomBytes(ivLength);
      const cipher = createCipheriv(algorithm, activeKey, iv, { authTagLength: tagLength });
      if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [payloadVersion, activeKeyId, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
    },

    decrypt(payload, associatedData) {
      const parsed = parsePayload(payload);
      const key = keyring.get(parsed.keyId);
      // The key id is a public fingerprint, so naming it helps an operator find the missing key.
      if (!key) throw undecryptable(`it was encrypted with key ${parsed.keyId}, which is not configured`);
      try {
        const decipher = createDecipheriv(algorithm, key, parsed.iv, { authTagLength: tagLength });
        decipher.setAuthTag(parsed.tag);
        if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
        return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString('utf8');
      } catch (error) {
        // OpenSSL's message ("unable to authenticate data") carries nothing secret; keep it as the cause.
        throw undecryptable(`wrong key for id ${parsed.keyId}, altered payload or different associated data`, error);
      }
    },
  };
};

/**
 * Keyring options from raw keys, ids from `keyIdOf`: `activeKey` encrypts, `olderKeys` only decrypt (during and
 * after a rotation). Duplicates of the active key are dropped, as after a rotation that stopped between writing
 * `secret.key.previous` and replacing `secret.key`.
 */
export const keyringOf = (activeKey: Buffer, olderKeys: readonly Buffer[] = []): SecretBoxOptions => {
  const entries = new Map<string, SecretKeyEntry>();
  for (const key of [activeKey, ...olderKeys]) {
    const id = keyIdOf(key);
    if (!entries.has(id)) entries.set(id, { id, key });
  }
  return { keys: [...entries.values()], activeKeyId: keyIdOf(activeKey) };
};
