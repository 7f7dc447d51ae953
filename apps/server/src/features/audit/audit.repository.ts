import type { Insertable, Kysely, Selectable } from 'kysely';
import type { AuditEventTable, AuditTables } from './audit.tables.ts';
import type { AuditQuery } from './audit.schema.ts';

export type AuditRow = Selectable<AuditEventTable>;

/** Append-only: there is deliberately no update or delete here (and the database refuses them). */
export interface AuditRepository {
  insert(row: Insertable<AuditEventTable>): Promise<void>;
  /** `workspaceId` undefined lists every event (instance administrators). Newest first; up to `limit + 1`. */
  list(workspaceId: string | undefined, query: AuditQuery): Promise<AuditRow[]>;
  /** The names targets of one type were recorded with (any event naming them; the newest first), by id. */
  recordedNames(workspaceId: string | undefined, targetType: string, targetIds: readonly string[]): Promise<Map<string, string>>;
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
  async recordedNames(workspaceId: string | undefined, targetType: string, targetIds: readonly string[]): Promise<Map<string, string>> {
    if (targetIds.length === 0) return new Map();
    let select = db
      .selectFrom('auditEvent')
      .select(['targetId', 'targetName'])
      .where('targetType', '=', targetType)
      .where('targetId', 'in', [...targetIds])
      .where('targetName', 'is not', null);
    if (workspaceId !== undefined) select = select.where('workspaceId', '=', workspaceId);
    const names = new Map<string, string>();
    for (const row of await select.orderBy('id', 'desc').execute()) {
      if (row.targetId && row.targetName && !names.has(row.targetId)) names.set(row.targetId, row.targetName);
    }
    return names;
  },
});
