import { randomBytes } from 'node:crypto';
import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { createSecretBox, keyIdOf, keyringOf, secretKeyLength } from '../../platform/crypto/secret-box.ts';
import { decodeSecretKey, removePreviousSecretKey, writeSecretKeyFile, type ResolvedSecretKey } from '../../platform/crypto/secret-key.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import type { SecretRow, SecretsRepository } from './secrets.repository.ts';

export interface SecretsServiceOptions {
  repository: SecretsRepository;
  clock: Clock;
  ids: Ids;
  key: ResolvedSecretKey;
  dataDir: string;
}

// Binds a ciphertext to its row, so a payload copied onto another secret does not decrypt.
const associatedDataOf = (row: Pick<SecretRow, 'workspaceId' | 'name'>) => `secret:${row.workspaceId ?? ''}:${row.name}`;

/**
 * Values other features must keep secret (provider API keys, SMTP passwords), encrypted at rest with
 * AES-256-GCM. Plaintext leaves this service only through `reveal`, for the code that uses the secret.
 */
/** The vault every stored secret lives in, encrypted (AES-256-GCM) under the instance's key. */
export interface SecretsService {
  store(workspaceId: string | null, name: string, value: string): Promise<void>;
  reveal(workspaceId: string | null, name: string): Promise<string | undefined>;
  remove(workspaceId: string | null, name: string): Promise<void>;
  /**
   * Re-encrypts every stored secret under a new key in one transaction. With a key file the new key is
   * installed first (the old one kept beside it until the transaction commits), so a crash at any point
   * leaves every secret readable; with `STEAD_SECRET_KEY` the caller supplies the new key and must then
   * update the variable.
   */
  rotateKey(options: { newKey?: string | undefined; keySource: ResolvedSecretKey['source'] }): Promise<{ keyId: string; reencrypted: number; instructions?: string }>;
}

export const createSecretsService = ({ repository, clock, ids, key, dataDir }: SecretsServiceOptions) : SecretsService => {
  let current = key.key;
  let box = createSecretBox(keyringOf(current, key.previousKey ? [key.previousKey] : []));

  return {
    async store(workspaceId: string | null, name: string, value: string): Promise<void> {
      const now = clock.now().toISOString();
      const existing = await repository.find(workspaceId, name);
      const ciphertext = box.encrypt(value, associatedDataOf({ workspaceId, name }));
      if (existing) {
        await repository.updateCiphertext(existing.id, ciphertext, box.activeKeyId, now);
      } else {
        await repository.insert({ id: ids.next(), workspaceId, name, ciphertext, keyId: box.activeKeyId, createdAt: now, updatedAt: now });
      }
    },

    async reveal(workspaceId: string | null, name: string): Promise<string | undefined> {
      const row = await repository.find(workspaceId, name);
      return row ? box.decrypt(row.ciphertext, associatedDataOf(row)) : undefined;
    },

    async remove(workspaceId: string | null, name: string): Promise<void> {
      const row = await repository.find(workspaceId, name);
      if (row) await repository.delete(row.id);
    },

    /**
     * Re-encrypts every stored secret under a new key in one transaction. With a key file the new key is
     * installed first (the old one kept beside it until the transaction commits), so a crash at any point
     * leaves every secret readable; with `STEAD_SECRET_KEY` the caller supplies the new key and must then
     * update the variable.
     */
    async rotateKey(options: { newKey?: string | undefined; keySource: ResolvedSecretKey['source'] }): Promise<{ keyId: string; reencrypted: number; instructions?: string }> {
      let next: Buffer;
      if (options.newKey) {
        const decoded = decodeSecretKey(options.newKey);
        if (!decoded) throw new SteadError('config_invalid', `--new-key: must be ${secretKeyLength} bytes as base64 or 64 hex characters`);
        next = decoded;
      } else if (options.keySource === 'env') {
        throw new SteadError('config_invalid', 'STEAD_SECRET_KEY is set: pass the new key with --new-key, then put it in STEAD_SECRET_KEY');
      } else {
        next = randomBytes(secretKeyLength);
      }
      if (options.keySource === 'file') writeSecretKeyFile(dataDir, next);

      const rotated = createSecretBox(keyringOf(next, [current, ...(key.previousKey ? [key.previousKey] : [])]));
      const reencrypted = await repository.transaction(async (trx) => {
        const rows = await trx.listAll();
        const now = clock.now().toISOString();
        for (const row of rows) {
          const plaintext = rotated.decrypt(row.ciphertext, associatedDataOf(row));
          await trx.updateCiphertext(row.id, rotated.encrypt(plaintext, associatedDataOf(row)), rotated.activeKeyId, now);
        }
        return rows.length;
      });
      if (options.keySource === 'file') removePreviousSecretKey(dataDir);
      current = next;
      box = createSecretBox(keyringOf(next));
      return {
        keyId: keyIdOf(next),
        reencrypted,
        ...(options.keySource === 'env' ? { instructions: 'Now set STEAD_SECRET_KEY to the new key; the old key no longer decrypts anything.' } : {}),
      };
    },
  };
};

