import type { Kysely, Selectable, Updateable } from 'kysely';
import type { WorkspaceSecretTable, WorkspaceSecretsTables } from './workspace-secrets.tables.ts';

export type WorkspaceSecretRow = Selectable<WorkspaceSecretTable>;

export const createWorkspaceSecretsRepository = (db: Kysely<WorkspaceSecretsTables>) => ({
  list: (workspaceId: string) => db.selectFrom('workspaceSecret').selectAll().where('workspaceId', '=', workspaceId).orderBy('name').execute(),
  find: (workspaceId: string, name: string) =>
    db.selectFrom('workspaceSecret').selectAll().where('workspaceId', '=', workspaceId).where('name', '=', name).executeTakeFirst(),
  async insert(row: WorkspaceSecretRow): Promise<void> {
    await db.insertInto('workspaceSecret').values(row).execute();
  },
  async update(id: string, changes: Updateable<WorkspaceSecretTable>): Promise<void> {
    await db.updateTable('workspaceSecret').set(changes).where('id', '=', id).execute();
  },
  async remove(id: string): Promise<void> {
    await db.deleteFrom('workspaceSecret').where('id', '=', id).execute();
  },
});

export type WorkspaceSecretsRepository = ReturnType<typeof createWorkspaceSecretsRepository>;
