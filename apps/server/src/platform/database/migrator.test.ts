import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { migrations } from '../../feature-list.ts';
import { pendingMigrations } from './migrator.ts';

describeEachDialect('migrations', (use) => {
  it('leaves nothing pending and creates every table', async () => {
    const { db } = use();
    expect(await pendingMigrations(db, migrations)).toEqual([]);
    const tables = await db.introspection.getTables();
    const names = tables.map((table) => table.name);
    for (const table of ['user', 'session', 'account', 'workspace', 'workspaceMember', 'apiKey', 'auditEvent', 'secret']) {
      expect(names).toContain(table);
    }
  });

  it('refuses to change or delete audit events', async () => {
    const { db } = use();
    await db
      .insertInto('auditEvent')
      .values({ id: 'a1', at: new Date().toISOString(), workspaceId: null, actorType: 'system', actorId: null, actorLabel: null, action: 'test.append', targetType: null, targetId: null, requestId: null, clientAddress: null, outcome: 'success', metadata: null })
      .execute();
    await expect(db.updateTable('auditEvent').set({ action: 'changed' }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('auditEvent').execute()).rejects.toThrow(/append-only/);
    const count = await sql<{ n: number }>`select count(*) as n from "auditEvent"`.execute(db);
    expect(Number(count.rows[0]!.n)).toBe(1);
  });
});
