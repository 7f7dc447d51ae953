import type { Kysely } from 'kysely';
import type { SqlDialect } from '../../platform/database/sql-dialect.ts';
import type { DataClass } from './models.schema.ts';
import type { ModelsTables } from './models.tables.ts';
import type { UsageEntry } from './models.types.ts';

/** The usage ledger's table. */
export interface ModelUsageRepository {
  /** One statement (one transaction, one fsync) for a batch of entries. */
  insert(entries: UsageEntry[]): Promise<void>;
  /** Newest first, after `cursor` (an entry id); up to `limit + 1` entries, so the caller knows whether more follow. */
  list(workspaceId: string, cursor: string | undefined, limit: number): Promise<UsageEntry[]>;
  /** Calls, failed calls, tokens and cost of a workspace's entries from `since` on, summed by the database. */
  totalsSince(workspaceId: string, since: string): Promise<UsageTotals>;
}

export interface UsageTotals {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  spend: number;
}

export const createModelUsageRepository = (db: Kysely<ModelsTables>, dialect: SqlDialect): ModelUsageRepository => ({
  async totalsSince(workspaceId, since) {
    const row = await db
      .selectFrom('modelUsage')
      .select((eb) => [
        eb.fn.countAll<number | string>().as('requests'),
        eb.fn.sum<number | string | null>(eb.case().when('status', '=', 'error').then(1).else(0).end()).as('errors'),
        eb.fn.sum<number | string | null>('inputTokens').as('inputTokens'),
        eb.fn.sum<number | string | null>('outputTokens').as('outputTokens'),
        eb.fn.sum<number | string | null>('cost').as('spend'),
      ])
      .where('workspaceId', '=', workspaceId)
      .where('at', '>=', since)
      .executeTakeFirstOrThrow();
    // PostgreSQL answers sums and counts of big types as strings.
    return { requests: Number(row.requests), errors: Number(row.errors ?? 0), inputTokens: Number(row.inputTokens ?? 0), outputTokens: Number(row.outputTokens ?? 0), spend: Number(row.spend ?? 0) };
  },

  async insert(entries) {
    if (entries.length === 0) return;
    // Each column named (a spread with overrides takes V8's slow path, and this runs for every gateway call).
    const rows = entries.map((entry) => ({
      id: entry.id,
      workspaceId: entry.workspaceId,
      keyId: entry.keyId,
      userId: entry.userId,
      requestedModel: entry.requestedModel,
      providerId: entry.providerId,
      modelName: entry.modelName,
      candidates: JSON.stringify(entry.candidates),
      reason: entry.reason,
      dataClass: entry.dataClass,
      stream: entry.stream ? 1 : 0,
      inputTokens: entry.inputTokens,
      outputTokens: entry.outputTokens,
      cost: entry.cost,
      firstTokenMs: entry.firstTokenMs,
      totalMs: entry.totalMs,
      status: entry.status,
      errorCode: entry.errorCode,
      at: entry.at,
    }));
    // The ledger is written in batches behind the calls; waiting for the disk on each batch blocked the event
    // loop for milliseconds. A process crash still loses nothing committed.
    await dialect.commitWithoutDiskWait(db, (relaxed) => relaxed.insertInto('modelUsage').values(rows).execute());
  },
  async list(workspaceId, cursor, limit) {
    let select = db.selectFrom('modelUsage').selectAll().where('workspaceId', '=', workspaceId);
    if (cursor) select = select.where('id', '<', cursor);
    const rows = await select.orderBy('id', 'desc').limit(limit + 1).execute();
    return rows.map((row) => ({
      ...row,
      candidates: JSON.parse(row.candidates) as string[],
      dataClass: row.dataClass as DataClass,
      stream: row.stream === 1,
      status: row.status as UsageEntry['status'],
    }));
  },
});
