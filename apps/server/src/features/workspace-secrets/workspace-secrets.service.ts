import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { roleRank, type WorkspaceRole } from '../../platform/http/permissions.ts';
import type { WorkspaceSecretRow, WorkspaceSecretsRepository } from './workspace-secrets.repository.ts';
import { secretNamePattern, type CreateSecretInput, type SecretUsableBy, type UpdateSecretInput, type WorkspaceSecret } from './workspace-secrets.schema.ts';

/** Where values live in the encrypted secrets table: a prefix no internal secret uses (`model-provider:<id>`, …). */
export const workspaceSecretPrefix = 'workspace-secret:';
export const storedNameOf = (name: string): string => `${workspaceSecretPrefix}${name}`;

/** The encrypted store the values go to (the secrets service). */
export interface SecretVault {
  store(workspaceId: string | null, name: string, value: string): Promise<void>;
  reveal(workspaceId: string | null, name: string): Promise<string | undefined>;
  remove(workspaceId: string | null, name: string): Promise<void>;
}

/**
 * Who a task acts for: the user who created it (or the schedule that started it) and the role they acted with (a
 * member's role, or an API key's). `userId` null is the command line, run by the operator of the host.
 */
export interface SecretUser {
  userId: string | null;
  role: WorkspaceRole | null;
}

export interface WorkspaceSecretsServiceOptions {
  repository: WorkspaceSecretsRepository;
  vault: SecretVault;
  /** The current role of a user in a workspace (null when no longer a member). */
  members: { memberRole(workspaceId: string, userId: string): Promise<WorkspaceRole | null> };
  clock: Clock;
  ids: Ids;
}

const toSecret = (row: WorkspaceSecretRow): WorkspaceSecret => ({
  name: row.name,
  description: row.description,
  usableBy: row.usableBy as SecretUsableBy,
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  lastUsedAt: row.lastUsedAt,
});

/**
 * The workspace secrets store: named values a workspace admin makes for tasks. Values are write-only: they go into
 * the encrypted secrets table under `workspace-secret:<name>` and come out only through `reveal`, for a task whose
 * creator's role may use them. Tasks can reach nothing else of the secrets table by name.
 */
export interface WorkspaceSecretsService {
  list(workspaceId: string): Promise<WorkspaceSecret[]>;
  create(workspaceId: string, input: CreateSecretInput, actor: { userId: string | null }): Promise<WorkspaceSecret>;
  update(workspaceId: string, name: string, changes: UpdateSecretInput): Promise<WorkspaceSecret>;
  /** Deletes the secret and its value; tasks naming it fail with `secret_unknown` when they run. */
  remove(workspaceId: string, name: string): Promise<void>;
  /** Checks, without revealing anything, that a task acting as `user` may use the secret. */
  check(workspaceId: string, name: string, user: SecretUser): Promise<void>;
  /** The value, for the task that uses it; checked against `user` first. Never for API answers. */
  reveal(workspaceId: string, name: string, user: SecretUser): Promise<string>;
}

export const createWorkspaceSecretsService = ({ repository, vault, members, clock, ids }: WorkspaceSecretsServiceOptions) : WorkspaceSecretsService => {
  const now = () => clock.now().toISOString();

  const find = async (workspaceId: string, name: string): Promise<WorkspaceSecretRow> => {
    const row = secretNamePattern.test(name) ? await repository.find(workspaceId, name) : undefined;
    if (!row) throw new SteadError('secret_not_found', `No workspace secret is called ${name}`);
    return row;
  };

  /**
   * The role a task may use secrets with: the role it was created with, lowered to its creator's current role
   * (a demoted or removed member's tasks and schedules lose what they no longer hold).
   */
  const effectiveRole = async (workspaceId: string, user: SecretUser): Promise<WorkspaceRole | null> => {
    if (user.userId === null) return user.role;
    const current = await members.memberRole(workspaceId, user.userId);
    if (!current) return null;
    if (!user.role) return current;
    return roleRank[user.role] <= roleRank[current] ? user.role : current;
  };

  /** The secret a task names, if its creator may use it; otherwise a `secret_unknown` / `secret_not_usable` error. */
  const usableRow = async (workspaceId: string, name: string, user: SecretUser): Promise<WorkspaceSecretRow> => {
    const row = secretNamePattern.test(name) ? await repository.find(workspaceId, name) : undefined;
    if (!row) {
      throw new SteadError('secret_unknown', `No workspace secret is called ${name}; a workspace admin makes secrets for tasks under Secrets (stead secrets set)`, { details: { secret: name } });
    }
    const role = await effectiveRole(workspaceId, user);
    if (!role || roleRank[role] < roleRank[row.usableBy as SecretUsableBy]) {
      throw new SteadError('secret_not_usable', `The workspace secret ${name} may be used by tasks of ${row.usableBy}s and above; this task acts as ${role ?? 'nobody (its creator is no longer a member)'}`, { details: { secret: name } });
    }
    return row;
  };

  return {
    list: async (workspaceId: string): Promise<WorkspaceSecret[]> => (await repository.list(workspaceId)).map(toSecret),

    async create(workspaceId: string, input: CreateSecretInput, actor: { userId: string | null }): Promise<WorkspaceSecret> {
      if (await repository.find(workspaceId, input.name)) throw new SteadError('secret_exists', `A workspace secret is already called ${input.name}; replace its value instead`);
      const at = now();
      const row: WorkspaceSecretRow = { id: ids.next(), workspaceId, name: input.name, description: input.description, usableBy: input.usableBy, createdBy: actor.userId, createdAt: at, updatedAt: at, lastUsedAt: null };
      try {
        // The metadata row first: its unique key decides a race between two creates of one name.
        await repository.insert(row);
      } catch (error) {
        if (await repository.find(workspaceId, input.name)) throw new SteadError('secret_exists', `A workspace secret is already called ${input.name}`, { cause: error });
        throw error;
      }
      try {
        await vault.store(workspaceId, storedNameOf(input.name), input.value);
      } catch (error) {
        await repository.remove(row.id);
        throw error;
      }
      return toSecret(row);
    },

    async update(workspaceId: string, name: string, changes: UpdateSecretInput): Promise<WorkspaceSecret> {
      const row = await find(workspaceId, name);
      if (changes.value !== undefined) await vault.store(workspaceId, storedNameOf(name), changes.value);
      const changed = {
        updatedAt: now(),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.usableBy !== undefined ? { usableBy: changes.usableBy } : {}),
      };
      await repository.update(row.id, changed);
      return toSecret({ ...row, ...changed });
    },

    /** Deletes the secret and its value; tasks naming it fail with `secret_unknown` when they run. */
    async remove(workspaceId: string, name: string): Promise<void> {
      const row = await find(workspaceId, name);
      await repository.remove(row.id);
      await vault.remove(workspaceId, storedNameOf(name));
    },

    /** Checks, without revealing anything, that a task acting as `user` may use the secret. */
    async check(workspaceId: string, name: string, user: SecretUser): Promise<void> {
      await usableRow(workspaceId, name, user);
    },

    /** The value, for the task that uses it; checked against `user` first. Never for API answers. */
    async reveal(workspaceId: string, name: string, user: SecretUser): Promise<string> {
      const row = await usableRow(workspaceId, name, user);
      const value = await vault.reveal(workspaceId, storedNameOf(name));
      if (value === undefined) throw new SteadError('secret_unknown', `The workspace secret ${name} has no value`, { details: { secret: name } });
      await repository.update(row.id, { lastUsedAt: now() });
      return value;
    },
  };
};

