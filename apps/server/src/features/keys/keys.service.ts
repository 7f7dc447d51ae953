import { createHash, randomBytes } from 'node:crypto';
import type { Clock, Ids } from '../../platform/clock/clock.ts';
import type { EmitDomainEvent } from '../../platform/events/domain-events.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { roleRank, type WorkspaceRole } from '../../platform/http/permissions.ts';
import type { Caller } from '../../platform/http/request-context.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { WorkspacesService } from '../workspaces/workspaces.service.ts';
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
  /** The creator's current role in a workspace (cached: it is asked on every key-authenticated request); null when not a member. */
  members: { role(workspaceId: string, userId: string): Promise<WorkspaceRole | null> };
  /** Whether the workspace lets members and viewers create their own keys (`memberKeys`). */
  settings: Pick<WorkspacesService, 'settings'>;
  clock: Clock;
  ids: Ids;
  /** Announces revoked keys (`key-revoke`) after they are committed. */
  emit: EmitDomainEvent;
}

/** From this role up, a member sees, creates and revokes everyone's keys; below it, only their own. */
export const keysOfEveryoneRole: WorkspaceRole = 'admin';

/**
 * Who creates or revokes a key: the person (`userId`) and their role in the workspace (a key's role for an API
 * key). `through`: a signed-in `session`, an API `key`, or absent for the host itself (the command line),
 * which acts with the machine's authority and is not held to the workspace's `memberKeys` setting.
 */
export interface KeyActor {
  userId: string;
  role: WorkspaceRole;
  through?: 'session' | 'key';
}

export interface KeysService {
  /**
   * Creates a key for the actor; the secret is returned this once and only its SHA-256 is stored. Nobody creates
   * a key above their own role (`role_not_assignable`). Below admin, a person creates keys only signed in
   * (`forbidden` through a key) and only while the workspace's `memberKeys` setting is on (`member_keys_disabled`).
   */
  create(workspaceId: string, input: { name: string; role: WorkspaceRole; expiresInDays?: number | undefined }, actor: KeyActor): Promise<{ key: ApiKey; secret: string }>;
  /** Every key of the workspace (the command line). */
  list(workspaceId: string): Promise<ApiKey[]>;
  /** The keys a member may see: everyone's for admins and owners, their own for members and viewers. */
  listVisibleTo(workspaceId: string, actor: Pick<KeyActor, 'userId' | 'role'>): Promise<ApiKey[]>;
  /** Whether a key (revoked or not) belongs to the workspace. */
  exists(workspaceId: string, keyId: string): Promise<boolean>;
  /**
   * Revokes a key. Members and viewers revoke only their own keys (another's is `key_not_found`, as they cannot
   * see it). Nobody revokes a key whose creator currently ranks above them (an admin cannot cut off an owner's
   * automation); an owner can revoke any key, and so can an admin once the creator is no longer a member.
   * `userId` absent: the host (the command line).
   */
  revoke(workspaceId: string, keyId: string, actor: { role: WorkspaceRole; userId?: string | undefined }): Promise<void>;
  /** Revokes every key a person created, in every workspace (their account was disabled). */
  revokeCreatedBy(userId: string): Promise<void>;
  /** Revokes every key a person created in a workspace (they were removed from it); returns the ids revoked. */
  revokeCreatedByInWorkspace(workspaceId: string, userId: string): Promise<string[]>;
  /**
   * Resolves a bearer token to its key, or null when unknown, revoked, expired, or when its creator is no
   * longer a member of the key's workspace. The role is the lower of the key's and its creator's current
   * role: a key never grants more than the person who made it holds now (a demoted admin's admin key acts
   * as the role they were demoted to).
   */
  authenticate(secret: string): Promise<Extract<Caller, { type: 'key' }> | null>;
}

const managesEveryonesKeys = (role: WorkspaceRole) => roleRank[role] >= roleRank[keysOfEveryoneRole];

export const createKeysService = ({ repository, users, members, settings, clock, ids, emit }: KeysServiceOptions): KeysService => {
  /** Members' and viewers' self-service: signed in, and only while the workspace allows it. */
  const assertSelfServiceAllowed = async (workspaceId: string, actor: KeyActor): Promise<void> => {
    if (actor.through === undefined || managesEveryonesKeys(actor.role)) return;
    if (actor.through === 'key') throw new SteadError('forbidden', 'An API key of a member or viewer cannot create keys; sign in to create one');
    if ((await settings.settings(workspaceId)).memberKeys === 'off') {
      throw new SteadError('member_keys_disabled', 'In this workspace only admins and owners create API keys; ask an admin');
    }
  };
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
    async create(workspaceId, input, actor): Promise<{ key: ApiKey; secret: string }> {
      if (roleRank[input.role] > roleRank[actor.role]) {
        throw new SteadError('role_not_assignable', `A ${actor.role} cannot create a key with the ${input.role} role`);
      }
      await assertSelfServiceAllowed(workspaceId, actor);
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

    listVisibleTo: async (workspaceId, actor) => present(await repository.list(workspaceId, managesEveryonesKeys(actor.role) ? undefined : actor.userId)),

    /** Whether a key (revoked or not) belongs to the workspace. */
    exists: async (workspaceId: string, keyId: string) => (await repository.find(workspaceId, keyId)) !== undefined,

    async revoke(workspaceId, keyId, actor): Promise<void> {
      const row = await repository.find(workspaceId, keyId);
      const visible = row && (managesEveryonesKeys(actor.role) || row.createdBy === actor.userId);
      if (!row || !visible) throw new SteadError('key_not_found', 'No such API key in this workspace');
      const creatorRole = await members.role(workspaceId, row.createdBy);
      if (creatorRole && roleRank[creatorRole] > roleRank[actor.role]) {
        throw new SteadError('key_not_revocable', `This key was created by a member with the ${creatorRole} role; a ${actor.role} cannot revoke it`);
      }
      await repository.revoke(keyId, clock.now().toISOString());
      await emit({ type: 'key-revoke', workspaceId, keyId, reason: 'revoked' });
    },

    async revokeCreatedBy(userId) {
      for (const key of await repository.revokeCreatedBy(userId, clock.now().toISOString())) {
        await emit({ type: 'key-revoke', workspaceId: key.workspaceId, keyId: key.id, reason: 'creator-disabled' });
      }
    },

    async revokeCreatedByInWorkspace(workspaceId, userId) {
      const revoked = await repository.revokeCreatedByInWorkspace(workspaceId, userId, clock.now().toISOString());
      for (const keyId of revoked) await emit({ type: 'key-revoke', workspaceId, keyId, reason: 'creator-removed' });
      return revoked;
    },

    async authenticate(secret: string): Promise<Extract<Caller, { type: 'key' }> | null> {
      if (!secret.startsWith(keyPrefix)) return null;
      const row = await repository.findByHash(hashKey(secret));
      const now = clock.now();
      if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now.toISOString())) return null;
      const creatorRole = await members.role(row.workspaceId, row.createdBy);
      if (!creatorRole) return null;
      const keyRole = row.role as WorkspaceRole;
      if (!row.lastUsedAt || now.getTime() - Date.parse(row.lastUsedAt) > touchIntervalMs) {
        await repository.touch(row.id, now.toISOString());
      }
      const role = roleRank[creatorRole] < roleRank[keyRole] ? creatorRole : keyRole;
      return { type: 'key', keyId: row.id, keyName: row.name, workspaceId: row.workspaceId, role, ownerUserId: row.createdBy };
    },
  };
};
