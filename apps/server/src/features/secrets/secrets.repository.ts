import type { Kysely, Selectable, Transaction } from 'kysely';
import type { SecretTable, SecretsTables } from './secrets.tables.ts';

export type SecretRow = Selectable<SecretTable>;

/** The queries key rotation runs inside one transaction. */
export interface SecretsRotationQueries {
  listAll(): Promise<SecretRow[]>;
  updateCiphertext(id: string, ciphertext: string, keyId: string, updatedAt: string): Promise<void>;
}

/** Queries of encrypted secrets (`workspaceId` null: the instance's own). */
export interface SecretsRepository extends SecretsRotationQueries {
  transaction<T>(work: (repository: SecretsRotationQueries) => Promise<T>): Promise<T>;
  find(workspaceId: string | null, name: string): Promise<SecretRow | undefined>;
  insert(row: SecretRow): Promise<void>;
  delete(id: string): Promise<void>;
}

export const createSecretsRepository = (db: Kysely<SecretsTables>): SecretsRepository => {
  const queries = (scope: Kysely<SecretsTables> | Transaction<SecretsTables>): SecretsRotationQueries => ({
    listAll: () => scope.selectFrom('secret').selectAll().orderBy('id').execute(),
    async updateCiphertext(id: string, ciphertext: string, keyId: string, updatedAt: string): Promise<void> {
      await scope.updateTable('secret').set({ ciphertext, keyId, updatedAt }).where('id', '=', id).execute();
    },
  });
  return {
    ...queries(db),
    transaction: (work) => db.transaction().execute((trx) => work(queries(trx))),
    find: (workspaceId, name) => {
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
