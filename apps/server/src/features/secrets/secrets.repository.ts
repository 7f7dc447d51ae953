import type { Kysely, Selectable, Transaction } from 'kysely';
import type { SecretTable, SecretsTables } from './secrets.tables.ts';

export type SecretRow = Selectable<SecretTable>;

export const createSecretsRepository = (db: Kysely<SecretsTables>) => {
  const queries = (scope: Kysely<SecretsTables> | Transaction<SecretsTables>) => ({
    listAll: () => scope.selectFrom('secret').selectAll().orderBy('id').execute(),
    async updateCiphertext(id: string, ciphertext: string, keyId: string, updatedAt: string): Promise<void> {
      await scope.updateTable('secret').set({ ciphertext, keyId, updatedAt }).where('id', '=', id).execute();
    },
  });
  return {
    ...queries(db),
    transaction: <T>(work: (repository: ReturnType<typeof queries>) => Promise<T>) => db.transaction().execute((trx) => work(queries(trx))),
    find: (workspaceId: string | null, name: string) => {
      const query = db.selectFrom('secret').selectAll().where('name', '=', name);
      return (workspaceId === null ? query.where('workspaceId', 'is', null) : query.where('workspaceId', '=', workspaceId)).executeTakeFirst();
    },
    async insert(row: SecretRow): Promise<void> {
      await db.insertInto('secret').values(row).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('secret').where('id', '=', id).execute();
    },
  };
};

export type SecretsRepository = ReturnType<typeof createSecretsRepository>;
