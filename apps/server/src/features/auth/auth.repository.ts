import type { Kysely, Selectable } from 'kysely';
import type { SqlDialect } from '../../platform/database/sql-dialect.ts';
import type { AuthTables } from './auth.tables.ts';

const toIso = (value: Date | string | null | undefined): string | null =>
  value === null || value === undefined ? null : new Date(value).toISOString();
const toBoolean = (value: boolean | number | null | undefined): boolean => value === true || value === 1;

export interface UserRecord {
  id: string;
  name: string;
  email: string;
  isAdmin: boolean;
  twoFactorEnabled: boolean;
  disabledAt: string | null;
  createdAt: string;
}

export interface SessionRecord {
  id: string;
  createdAt: string;
  expiresAt: string;
  ipAddress: string | null;
  userAgent: string | null;
}

const userColumns = ['id', 'name', 'email', 'isAdmin', 'twoFactorEnabled', 'disabledAt', 'createdAt'] as const;
type UserRow = Pick<Selectable<AuthTables['user']>, (typeof userColumns)[number]>;

const toUser = (row: UserRow): UserRecord => ({
  id: row.id,
  name: row.name,
  email: row.email,
  isAdmin: toBoolean(row.isAdmin),
  twoFactorEnabled: toBoolean(row.twoFactorEnabled),
  disabledAt: toIso(row.disabledAt),
  createdAt: toIso(row.createdAt)!,
});

/** Queries on better-auth's tables that its API does not offer (listing users, ending sessions in bulk). */
export interface AuthRepository {
  countUsers(): Promise<number>;
  findUserById(id: string): Promise<UserRecord | undefined>;
  /** The address lower-cased, as better-auth stores it. */
  findUserByEmail(email: string): Promise<UserRecord | undefined>;
  findUsersByIds(ids: readonly string[]): Promise<UserRecord[]>;
  /** Oldest first. */
  listUsers(): Promise<UserRecord[]>;
  setAdmin(userId: string, isAdmin: boolean): Promise<void>;
  /** Newest first. */
  listSessions(userId: string): Promise<(SessionRecord & { token: string })[]>;
  /** Resolves to how many sessions it deleted (0 or 1). */
  deleteSession(userId: string, sessionId: string): Promise<number>;
  deleteSessions(userId: string, exceptSessionId?: string): Promise<void>;
  /**
   * Changes whether a user is an administrator and whether they are disabled, unless the change would leave the
   * instance without an enabled administrator ('last-admin'). Serialised across processes, so two
   * administrators demoting each other at the same moment cannot both succeed.
   */
  changeStanding(userId: string, change: { isAdmin?: boolean; disabledAt?: Date | null }): Promise<'changed' | 'last-admin'>;
  insertResetLink(row: { id: string; identifier: string; userId: string; expiresAt: Date; createdAt: Date }): Promise<void>;
  findResetLink(identifier: string): Promise<{ userId: string; expiresAt: string } | undefined>;
  /** Deletes the link and returns it: of two uses of one link, one gets it. */
  takeResetLink(identifier: string): Promise<{ userId: string; expiresAt: string } | undefined>;
  /** Deletes every reset link of a user (a new one replaces them; using one ends them all). */
  deleteResetLinksOf(userId: string): Promise<void>;
}

/** Prefix of the `verification` identifiers that are Stead's password-reset links. */
export const resetLinkIdentifierPrefix = 'stead-password-reset:';

/** Writes use better-auth's storage conventions, which differ by dialect (`SqlDialect.storedBoolean`/`storedDate`). */
export const createAuthRepository = (
  db: Kysely<AuthTables>,
  { storedBoolean, storedDate, lockForTransaction }: Pick<SqlDialect, 'storedBoolean' | 'storedDate' | 'lockForTransaction'>,
): AuthRepository => {
  const toLink = (row: { value: string; expiresAt: Date | string } | undefined) => (row ? { userId: row.value, expiresAt: toIso(row.expiresAt)! } : undefined);
  return {
    async countUsers(): Promise<number> {
      const row = await db.selectFrom('user').select((eb) => eb.fn.countAll<string | number>().as('count')).executeTakeFirstOrThrow();
      return Number(row.count);
    },
    async findUserById(id: string): Promise<UserRecord | undefined> {
      const row = await db.selectFrom('user').select(userColumns).where('id', '=', id).executeTakeFirst();
      return row ? toUser(row) : undefined;
    },
    async findUserByEmail(email: string): Promise<UserRecord | undefined> {
      const row = await db.selectFrom('user').select(userColumns).where('email', '=', email.toLowerCase()).executeTakeFirst();
      return row ? toUser(row) : undefined;
    },
    async findUsersByIds(ids: readonly string[]): Promise<UserRecord[]> {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('user').select(userColumns).where('id', 'in', ids).execute();
      return rows.map(toUser);
    },
    async listUsers(): Promise<UserRecord[]> {
      const rows = await db.selectFrom('user').select(userColumns).orderBy('createdAt').execute();
      return rows.map(toUser);
    },
    async setAdmin(userId: string, isAdmin: boolean): Promise<void> {
      await db.updateTable('user').set({ isAdmin: storedBoolean(isAdmin) }).where('id', '=', userId).execute();
    },
    async listSessions(userId: string): Promise<(SessionRecord & { token: string })[]> {
      const rows = await db
        .selectFrom('session')
        .select(['id', 'token', 'createdAt', 'expiresAt', 'ipAddress', 'userAgent'])
        .where('userId', '=', userId)
        .orderBy('createdAt', 'desc')
        .execute();
      return rows.map((row) => ({ ...row, createdAt: toIso(row.createdAt)!, expiresAt: toIso(row.expiresAt)! }));
    },
    async deleteSession(userId: string, sessionId: string): Promise<number> {
      const result = await db.deleteFrom('session').where('userId', '=', userId).where('id', '=', sessionId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async deleteSessions(userId: string, exceptSessionId?: string): Promise<void> {
      let query = db.deleteFrom('session').where('userId', '=', userId);
      if (exceptSessionId) query = query.where('id', '!=', exceptSessionId);
      await query.execute();
    },
    changeStanding: (userId, change) =>
      db.transaction().execute(async (trx) => {
        await lockForTransaction<AuthTables>(trx, 'stead:instance-administrators');
        const user = await trx.selectFrom('user').select(['isAdmin', 'disabledAt']).where('id', '=', userId).executeTakeFirst();
        const activeAdmin = (isAdmin: boolean | number | null, disabledAt: unknown) => toBoolean(isAdmin) && !disabledAt;
        const before = user ? activeAdmin(user.isAdmin, user.disabledAt) : false;
        const after = activeAdmin(change.isAdmin ?? user?.isAdmin ?? false, change.disabledAt === undefined ? user?.disabledAt : change.disabledAt);
        if (before && !after) {
          const others = await trx
            .selectFrom('user')
            .select((eb) => eb.fn.countAll<string | number>().as('count'))
            .where('isAdmin', '=', storedBoolean(true))
            .where('disabledAt', 'is', null)
            .where('id', '!=', userId)
            .executeTakeFirstOrThrow();
          if (Number(others.count) === 0) return 'last-admin' as const;
        }
        const set: { isAdmin?: boolean | number; disabledAt?: Date | string | null } = {};
        if (change.isAdmin !== undefined) set.isAdmin = storedBoolean(change.isAdmin);
        if (change.disabledAt !== undefined) set.disabledAt = change.disabledAt ? storedDate(change.disabledAt) : null;
        await trx.updateTable('user').set(set).where('id', '=', userId).execute();
        return 'changed' as const;
      }),
    async insertResetLink(row): Promise<void> {
      await db
        .insertInto('verification')
        .values({ id: row.id, identifier: row.identifier, value: row.userId, expiresAt: storedDate(row.expiresAt), createdAt: storedDate(row.createdAt), updatedAt: storedDate(row.createdAt) })
        .execute();
    },
    findResetLink: async (identifier) =>
      toLink(await db.selectFrom('verification').select(['value', 'expiresAt']).where('identifier', '=', identifier).executeTakeFirst()),
    takeResetLink: async (identifier) =>
      toLink(await db.deleteFrom('verification').where('identifier', '=', identifier).returning(['value', 'expiresAt']).executeTakeFirst()),
    async deleteResetLinksOf(userId: string): Promise<void> {
      await db.deleteFrom('verification').where('identifier', 'like', `${resetLinkIdentifierPrefix}%`).where('value', '=', userId).execute();
    },
  };
};
