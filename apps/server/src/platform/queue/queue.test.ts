import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.ts';
import { serviceUrl } from '../../../test/support/services.ts';
import type { Clock } from '../clock/clock.ts';
import type { DatabaseDialect, DatabaseHandle } from '../database/database.port.ts';
import { createDatabaseQueue, type DatabaseQueueOptions } from './database-queue.adapter.ts';
import { runJobQueueContract } from './queue.contract.ts';
import { backoffDelay, resolveEnqueueOptions } from './queue-options.ts';

const deferred = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
};

// Waits in these adapter tests poll often and give a loaded machine time.
const patiently = { timeout: 5_000, interval: 10 };

// Short leases and polls keep the stall and delay tests in the contract to fractions of a second.
const testTimings = { leaseMs: 250, pollMs: 20 } satisfies Partial<DatabaseQueueOptions>;

for (const dialect of ['sqlite', 'postgres'] as const satisfies readonly DatabaseDialect[]) {
  const enabled = dialect === 'sqlite' || serviceUrl('postgres') !== undefined;
  describe.skipIf(!enabled)(`database queue [${dialect}]`, () => {
    let database: TestDatabase | undefined;
    beforeAll(async () => {
      database = await createTestDatabase(dialect);
    });
    afterAll(async () => {
      await database?.dispose();
    });
    const handle = (): DatabaseHandle => database!.handle;

    // Every queue of one suite shares the database: on PostgreSQL that is what several processes see.
    runJobQueueContract(
      `database (${dialect})`,
      async (variant) => createDatabaseQueue({ database: handle(), ...testTimings, ...(variant?.renewLeases === false ? { heartbeatMs: Infinity } : {}) }),
      {
        capabilities: { crossProcess: dialect === 'postgres', transactional: true },
        leaseMs: testTimings.leaseMs,
        inTransaction: (work) => handle().db.transaction().execute((trx) => work(trx)),
      },
    );

    // Only SQLite: one process works the file, so a starting worker knows every other lease is a dead process's.
    if (dialect === 'sqlite') {
      it('takes over a dead process’s active jobs as soon as a worker starts, counting a stall', async () => {
        const queue = createDatabaseQueue({ database: handle(), leaseMs: 60_000, pollMs: 10 });
        const first = await queue.enqueue('test.echo', { value: 'cut' }, { queue: 'taken-over', maxAttempts: 1 });
        const second = await queue.enqueue('test.echo', { value: 'also cut' }, { queue: 'taken-over', maxAttempts: 1 });
        // As a killed process leaves them: active, leased for another minute under another process's token.
        const leaseExpiresAt = new Date(Date.now() + 60_000).toISOString();
        await handle().db.updateTable('job').set({ state: 'active', attempts: 1, leaseToken: 'dead-process:token', leaseExpiresAt }).where('id', 'in', [first.id, second.id]).execute();
        const seen: { value: string; attempt: number; stalls: number }[] = [];
        const worker = queue.work('taken-over', { 'test.echo': async (job) => void seen.push({ value: job.payload.value, attempt: job.attempt, stalls: job.stalls }) }, { concurrency: 2 });
        for (const job of [first, second]) await vi.waitFor(async () => expect(await queue.get(job.id)).toMatchObject({ state: 'completed', attempts: 1, stalls: 1 }), patiently);
        expect(seen.sort((left, right) => left.value.localeCompare(right.value))).toEqual([
          { value: 'also cut', attempt: 1, stalls: 1 },
          { value: 'cut', attempt: 1, stalls: 1 },
        ]);
        await worker.close();
        await queue.close();
      });
    }

    it('recovers a dead worker’s job once the injected clock passes its lease', async () => {
      let now = Date.parse('2030-01-01T00:00:00.000Z');
      const clock: Clock = { now: () => new Date(now) };
      const queue = createDatabaseQueue({ database: handle(), clock, leaseMs: 30_000, heartbeatMs: Infinity, pollMs: 10 });
      const hung = deferred();
      const attempts: number[] = [];
      const worker = queue.work(
        'clocked',
        {
          'test.echo': async (job) => {
            attempts.push(job.stalls);
            if (job.stalls === 0) await hung.promise;
          },
        },
        { concurrency: 2 },
      );
      const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: 'clocked' });
      await vi.waitFor(() => expect(attempts).toEqual([0]), patiently);
      // Polls keep running, but the lease holds until the clock says it expired.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(attempts).toEqual([0]);
      now += 30_001;
      await vi.waitFor(async () => expect(await queue.get(job.id)).toMatchObject({ state: 'completed', attempts: 1, stalls: 1 }), patiently);
      hung.resolve();
      await worker.close();
      await queue.close();
    });
  });
}

describe('queue options', () => {
  it('fills the port defaults', () => {
    expect(resolveEnqueueOptions('a.b')).toEqual({
      queue: 'a.b',
      priority: 0,
      delayMs: 0,
      maxAttempts: 3,
      maxStalls: 5,
      backoff: { type: 'exponential', delayMs: 1_000, jitter: 0.2 },
      timeoutMs: null,
      idempotencyKey: null,
    });
  });

  it('computes exponential and fixed backoff, jitter only shortening the wait', () => {
    const exponential = { type: 'exponential', delayMs: 100, jitter: 0.5 } as const;
    expect([1, 2, 3].map((attempt) => backoffDelay(exponential, attempt, () => 0))).toEqual([100, 200, 400]);
    expect(backoffDelay(exponential, 3, () => 0.999_999)).toBe(200);
    expect(backoffDelay({ type: 'fixed', delayMs: 100, jitter: 0 }, 5, () => 0.5)).toBe(100);
  });
});
