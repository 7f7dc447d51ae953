import type { Insertable, Kysely, Selectable } from 'kysely';
import type { AuditEventTable, AuditTables } from './audit.tables.ts';
import type { AuditQuery } from './audit.schema.ts';

export type AuditRow = Selectable<AuditEventTable>;

/** Append-only: there is deliberately no update or delete here (and the database refuses them). */
export interface AuditRepository {
  insert(row: Insertable<AuditEventTable>): Promise<void>;
  /** `workspaceId` undefined lists every event (instance administrators). Newest first; up to `limit + 1`. */
  list(workspaceId: string | undefined, query: AuditQuery): Promise<AuditRow[]>;
}

export const createAuditRepository = (db: Kysely<AuditTables>): AuditRepository => ({
  async insert(row: Insertable<AuditEventTable>): Promise<void> {
    await db.insertInto('auditEvent').values(row).execute();
  },
  /** `workspaceId` undefined lists every event (instance administrators). Newest first; ids sort by time. */
  list(workspaceId: string | undefined, query: AuditQuery): Promise<AuditRow[]> {
    let select = db.selectFrom('auditEvent').selectAll();
    if (workspaceId !== undefined) select = select.where('workspaceId', '=', workspaceId);
    if (query.action) {
      select = query.action.endsWith('.') ? select.where('action', 'like', `${query.action.replace(/[%_]/g, '')}%`) : select.where('action', '=', query.action);
    }
    if (query.actorId) select = select.where('actorId', '=', query.actorId);
    if (query.targetId) select = select.where('targetId', '=', query.targetId);
    if (query.outcome) select = select.where('outcome', '=', query.outcome);
    if (query.from) select = select.where('at', '>=', new Date(query.from).toISOString());
    if (query.to) select = select.where('at', '<', new Date(query.to).toISOString());
    if (query.cursor) select = select.where('id', '<', query.cursor);
    return select.orderBy('id', 'desc').limit(query.limit + 1).execute();
  },
});
