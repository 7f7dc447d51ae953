import type { Insertable } from 'kysely';
import type { DatabaseHandle } from '../../database/database.port.ts';
import { createDatabaseQueueRepository, queueTablesOf, type DatabaseQueueRepository, type JobRow } from '../database-queue.repository.ts';
import type { JobTable } from '../queue.tables.ts';

/**
 * Group commit: calls made while a flush runs (or in the same tick) are written together by the next flush, one
 * transaction for many jobs. On SQLite with `synchronous=FULL` that is one fsync instead of one per job, and it
 * keeps at most one write of this kind waiting for the connection (Kysely's SQLite mutex wakes every waiter on
 * each release, so thousands of waiting queries cost quadratic time). A failed batch is retried item by item,
 * so one bad item fails alone.
 */
export const createBatcher = <T, R>(flush: (items: T[]) => Promise<R[]>, maxBatch = 500): ((item: T) => Promise<R>) => {
  type Pending = { item: T; resolve: (result: R) => void; reject: (error: unknown) => void };
  let pending: Pending[] = [];
  let flushing = false;
  const settle = async (batch: Pending[]): Promise<void> => {
    try {
      const results = await flush(batch.map((entry) => entry.item));
      batch.forEach((entry, index) => entry.resolve(results[index]!));
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const entry of batch) await settle([entry]);
    }
  };
  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending.slice(0, maxBatch);
      pending = pending.slice(batch.length);
      await settle(batch);
    }
    flushing = false;
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (flushing) return;
      flushing = true;
      queueMicrotask(() => void drain());
    });
};

/** The queue's writes that are worth batching: enqueues, and the writes that end or report on an attempt. */
export interface BatchedWrites {
  /** Inserts a job (or returns the live job holding its idempotency key), batched with concurrent enqueues. */
  insert(row: Insertable<JobTable>): Promise<JobRow>;
  /** Runs `operation` in a transaction shared with the other attempt writes (complete, fail, release, progress) of this tick. */
  write<T>(operation: (repository: DatabaseQueueRepository) => Promise<T>): Promise<T>;
}

export const createBatchedWrites = (database: DatabaseHandle): BatchedWrites => {
  const inTransaction = <R>(work: (repository: DatabaseQueueRepository) => Promise<R>): Promise<R> =>
    database.db.transaction().execute((trx) => work(createDatabaseQueueRepository(queueTablesOf(trx), database.sqlDialect)));
  const insert = createBatcher((rows: Insertable<JobTable>[]) => inTransaction((repository) => repository.insertMany(rows)));
  const write = createBatcher((operations: ((repository: DatabaseQueueRepository) => Promise<unknown>)[]) =>
    inTransaction(async (repository) => {
      const results: unknown[] = [];
      for (const operation of operations) results.push(await operation(repository));
      return results;
    }),
  );
  return {
    insert,
    write: <T>(operation: (repository: DatabaseQueueRepository) => Promise<T>) => write(operation) as Promise<T>,
  };
};
