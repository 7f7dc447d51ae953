import { expect, it } from 'vitest';
import { UnrecoverableJobError, type JobQueueFailure } from '../queue.port.ts';
import { gate, sleep, type ContractHarness } from './harness.ts';

/** Leases: stalls are not counted attempts, stale holders are ignored, healthy heartbeats are never taken over. */
export const leasesContract = ({ open, work, newQueueName, releasedAfterTest, reaches, timeout, options }: ContractHarness): void => {
  it('runs a stalled job again once its lease expires, and ignores the stale holder when it finishes late', async () => {
    const queue = await open({ renewLeases: false });
    const queueName = newQueueName();
    const stale = releasedAfterTest();
    const firstStarted = gate();
    let staleReturned = false;
    const worker = work(
      queue,
      queueName,
      {
        'test.echo': async (job) => {
          if (job.stalls > 0) return 'fresh';
          firstStarted.resolve();
          await stale.promise;
          staleReturned = true;
          return 'stale';
        },
      },
      { concurrency: 2 },
    );
    const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 3 });
    await firstStarted.promise;
    const recovered = await reaches(queue, job.id, 'completed');
    // The cut-off attempt is a stall, not a counted attempt.
    expect(recovered).toMatchObject({ attempts: 1, stalls: 1, result: 'fresh' });

    stale.resolve();
    // close() waits for the stale attempt, so its completion has been tried when it resolves.
    await worker.close(timeout);
    expect(staleReturned).toBe(true);
    expect(await queue.get(job.id)).toMatchObject({ state: 'completed', attempts: 1, stalls: 1, result: 'fresh' });
  });

  it('ignores a stale holder that fails late', async () => {
    const queue = await open({ renewLeases: false });
    const queueName = newQueueName();
    const stale = releasedAfterTest();
    const firstStarted = gate();
    const worker = work(
      queue,
      queueName,
      {
        'test.echo': async (job) => {
          if (job.stalls > 0) return 'fresh';
          firstStarted.resolve();
          await stale.promise;
          throw new UnrecoverableJobError('stale failure');
        },
      },
      { concurrency: 2 },
    );
    const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName });
    await firstStarted.promise;
    await reaches(queue, job.id, 'completed');
    stale.resolve();
    await worker.close(timeout);
    expect(await queue.get(job.id)).toMatchObject({ state: 'completed', result: 'fresh', error: null });
  });

  it('runs a job stalled on its only attempt again: a lost lease does not count against maxAttempts', async () => {
    const queue = await open({ renewLeases: false });
    const queueName = newQueueName();
    const stale = releasedAfterTest();
    const seen: { attempt: number; stalls: number }[] = [];
    work(
      queue,
      queueName,
      {
        'test.echo': async (job) => {
          seen.push({ attempt: job.attempt, stalls: job.stalls });
          if (job.stalls === 0) await stale.promise;
          return 'resumed';
        },
      },
      { concurrency: 2 },
    );
    const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 1 });
    expect(await reaches(queue, job.id, 'completed')).toMatchObject({ attempts: 1, maxAttempts: 1, stalls: 1, result: 'resumed', error: null });
    expect(seen).toEqual([
      { attempt: 1, stalls: 0 },
      { attempt: 1, stalls: 1 },
    ]);
  });

  it('fails a job cut off by lost leases more than maxStalls times, telling onQueueFailure first', async () => {
    const queue = await open({ renewLeases: false });
    const queueName = newQueueName();
    const stale = releasedAfterTest();
    const seen: number[] = [];
    const failures: JobQueueFailure[] = [];
    work(
      queue,
      queueName,
      {
        'test.echo': async (job) => {
          seen.push(job.stalls);
          await stale.promise;
        },
      },
      {
        concurrency: 3,
        onQueueFailure: async (failure) => {
          // The job is not failed yet while its owner records the end.
          expect((await queue.get(failure.id))?.state).toBe('active');
          failures.push(failure);
        },
      },
    );
    const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 5, maxStalls: 1 });
    const failed = await reaches(queue, job.id, 'failed');
    expect(failed).toMatchObject({ stalls: 2, maxStalls: 1, error: expect.stringMatching(/lost lease 2 times/) });
    expect(failed.attempts).toBeLessThanOrEqual(1);
    expect(seen).toEqual([0, 1]);
    expect(failures).toEqual([{ id: job.id, name: 'test.echo', payload: { value: 'x' }, attempt: 1, stalls: 2, error: failed.error }]);
    // retry() gives the job fresh attempts and stalls.
    stale.resolve();
    expect(await queue.retry(job.id)).toBe(true);
    expect(await reaches(queue, job.id, 'completed')).toMatchObject({ attempts: 1, stalls: 0 });
  });

  it('never takes over a handler that runs for several leases while its heartbeat renews the lease', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const seen: { attempt: number; stalls: number }[] = [];
    let aborted = false;
    work(
      queue,
      queueName,
      {
        'test.echo': async (job) => {
          seen.push({ attempt: job.attempt, stalls: job.stalls });
          await sleep(options.leaseMs * 5);
          aborted = job.signal.aborted;
          return 'long';
        },
      },
      { concurrency: 2 },
    );
    const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName });
    expect(await reaches(queue, job.id, 'completed')).toMatchObject({ attempts: 1, stalls: 0, result: 'long' });
    expect(seen).toEqual([{ attempt: 1, stalls: 0 }]);
    expect(aborted).toBe(false);
  });
};
