import type { Kysely, Selectable } from 'kysely';
import type { ApiKeyTable, KeysTables } from './keys.tables.ts';

export type ApiKeyRow = Selectable<ApiKeyTable>;

/** Queries of workspace API keys. */
export interface KeysRepository {
  insert(row: ApiKeyRow): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRow | undefined>;
  find(workspaceId: string, id: string): Promise<ApiKeyRow | undefined>;
  /** Newest first; `createdBy`: only the keys one person made. */
  list(workspaceId: string, createdBy?: string): Promise<ApiKeyRow[]>;
  listAll(): Promise<ApiKeyRow[]>;
  revoke(id: string, at: string): Promise<void>;
  /** Revokes every key one person created; returns those it revoked. */
  revokeCreatedBy(userId: string, at: string): Promise<{ id: string; workspaceId: string }[]>;
  /** Revokes the keys one person created in one workspace; returns the ids it revoked. */
  revokeCreatedByInWorkspace(workspaceId: string, userId: string, at: string): Promise<string[]>;
  touch(id: string, at: string): Promise<void>;
}

export const createKeysRepository = (db: Kysely<KeysTables>): KeysRepository => ({
  async insert(row: ApiKeyRow): Promise<void> {
    await db.insertInto('apiKey').values(row).execute();
  },
  findByHash: (hash: string) => db.selectFrom('apiKey').selectAll().where('hash', '=', hash).executeTakeFirst(),
  find: (workspaceId: string, id: string) =>
    db.selectFrom('apiKey').selectAll().where('workspaceId', '=', workspaceId).where('id', '=', id).executeTakeFirst(),
  list: (workspaceId: string, createdBy?: string) => {
    let query = db.selectFrom('apiKey').selectAll().where('workspaceId', '=', workspaceId);
    if (createdBy !== undefined) query = query.where('createdBy', '=', createdBy);
    return query.orderBy('createdAt', 'desc').execute();
  },
  listAll: () => db.selectFrom('apiKey').selectAll().orderBy('createdAt', 'desc').execute(),
  async revoke(id: string, at: string): Promise<void> {
    await db.updateTable('apiKey').set({ revokedAt: at }).where('id', '=', id).where('revokedAt', 'is', null).execute();
  },
  /** Revokes every key one person created; returns those it revoked. */
  revokeCreatedBy: (userId: string, at: string): Promise<{ id: string; workspaceId: string }[]> =>
    db.updateTable('apiKey').set({ revokedAt: at }).where('createdBy', '=', userId).where('revokedAt', 'is', null).returning(['id', 'workspaceId']).execute(),
  /** Revokes the keys one person created in one workspace; returns the ids it revoked. */
  async revokeCreatedByInWorkspace(workspaceId: string, userId: string, at: string): Promise<string[]> {
    const rows = await db
      .updateTable('apiKey')
      .set({ revokedAt: at })
      .where('workspaceId', '=', workspaceId)
      .where('createdBy', '=', userId)
      .where('revokedAt', 'is', null)
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  },
  async touch(id: string, at: string): Promise<void> {
    await db.updateTable('apiKey').set({ lastUsedAt: at }).where('id', '=', id).execute();
  },
});
