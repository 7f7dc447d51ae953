import { createHash, randomBytes } from 'node:crypto';
import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { roleRank, type WorkspaceRole } from '../../platform/http/permissions.ts';
import type { Caller } from '../../platform/http/request-context.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { ApiKeyRow, KeysRepository } from './keys.repository.ts';
import type { ApiKey } from './keys.schema.ts';

/** Every key starts with this, so secret scanners and people recognise a Stead key on sight. */
export const keyPrefix = 'stead_';
const displayedLength = keyPrefix.length + 6;
// Writing last-used on every request would turn each read into a write; a minute's precision is enough.
const touchIntervalMs = 60_000;

const hashKey = (secret: string) => createHash('sha256').update(secret).digest('hex');

export interface KeysServiceOptions {
  repository: KeysRepository;
  users: Pick<AuthService, 'findUsersByIds' | 'findUserById'>;
  clock: Clock;
  ids: Ids;
}

export const createKeysService = ({ repository, users, clock, ids }: KeysServiceOptions) => {
  const present = async (rows: ApiKeyRow[]): Promise<ApiKey[]> => {
    const people = new Map((await users.findUsersByIds([...new Set(rows.map((row) => row.createdBy))])).map((user) => [user.id, user]));
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      role: row.role as WorkspaceRole,
      createdAt: row.createdAt,
      lastUsedAt: row.lastUsedAt,
      expiresAt: row.expiresAt,
      revokedAt: row.revokedAt,
      createdBy: { id: row.createdBy, name: people.get(row.createdBy)?.name ?? '' },
    }));
  };

  return {
    /** Creates a key; the secret is returned this once and only its SHA-256 is stored. */
    async create(
      workspaceId: string,
      input: { name: string; role: WorkspaceRole; expiresInDays?: number | undefined },
      actor: { userId: string; role: WorkspaceRole },
    ): Promise<{ key: ApiKey; secret: string }> {
      if (roleRank[input.role] > roleRank[actor.role]) {
        throw new SteadError('role_not_assignable', `A ${actor.role} cannot create a key with the ${input.role} role`);
      }
      const secret = keyPrefix + randomBytes(32).toString('base64url');
      const createdAt = clock.now();
      const row: ApiKeyRow = {
        id: ids.next(),
        workspaceId,
        name: input.name.trim(),
        prefix: secret.slice(0, displayedLength),
        hash: hashKey(secret),
        role: input.role,
        createdBy: actor.userId,
        createdAt: createdAt.toISOString(),
        expiresAt: input.expiresInDays ? new Date(createdAt.getTime() + input.expiresInDays * 86_400_000).toISOString() : null,
        lastUsedAt: null,
        revokedAt: null,
      };
      await repository.insert(row);
      const [key] = await present([row]);
      return { key: key!, secret };
    },

    list: async (workspaceId: string) => present(await repository.list(workspaceId)),

    async revoke(workspaceId: string, keyId: string): Promise<void> {
      const row = await repository.find(workspaceId, keyId);
      if (!row) throw new SteadError('key_not_found', 'No such API key in this workspace');
      await repository.revoke(keyId, clock.now().toISOString());
    },

    revokeCreatedBy: (userId: string) => repository.revokeCreatedBy(userId, clock.now().toISOString()),

    /** Resolves a bearer token to its key, or null when unknown, revoked or expired (disabling a person revokes their keys). */
    async authenticate(secret: string): Promise<Extract<Caller, { type: 'key' }> | null> {
      if (!secret.startsWith(keyPrefix)) return null;
      const row = await repository.findByHash(hashKey(secret));
      const now = clock.now();
      if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now.toISOString())) return null;
      if (!row.lastUsedAt || now.getTime() - Date.parse(row.lastUsedAt) > touchIntervalMs) {
        await repository.touch(row.id, now.toISOString());
      }
      return { type: 'key', keyId: row.id, keyName: row.name, workspaceId: row.workspaceId, role: row.role as WorkspaceRole, ownerUserId: row.createdBy };
    },
  };
};

export type KeysService = ReturnType<typeof createKeysService>;
