import { expect, it } from 'vitest';
import { gate, sleep, untilAborted, ms, type ContractHarness } from './harness.ts';

/** Workers: concurrency, rate limits, close() and its grace period. */
export const workersContract = ({ open, work, newQueueName, reaches, timeout }: ContractHarness): void => {
  it('never runs more jobs of a queue at once than the worker concurrency', async () => {
    const queue = await open();
    const queueName = newQueueName();
    let running = 0;
    let most = 0;
    const jobs = [];
    for (let index = 0; index < 9; index += 1) jobs.push(await queue.enqueue('test.echo', { value: `${index}` }, { queue: queueName }));
    work(
      queue,
      queueName,
      {
        'test.echo': async () => {
          running += 1;
          most = Math.max(most, running);
          await sleep(30);
          running -= 1;
        },
      },
      { concurrency: 3 },
    );
    for (const job of jobs) await reaches(queue, job.id, 'completed');
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1);
  });

  it('starts at most rateLimit.max jobs of a queue per rateLimit.durationMs', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const jobs = [];
    for (let index = 0; index < 5; index += 1) jobs.push(await queue.enqueue('test.echo', { value: `${index}` }, { queue: queueName }));
    work(queue, queueName, { 'test.echo': async () => 'ran' }, { concurrency: 5, rateLimit: { max: 2, durationMs: 300 } });
    // The limit governs starts as the queue records them (claims), not when a loaded event loop got to each handler.
    const starts: number[] = [];
    for (const job of jobs) starts.push(ms((await reaches(queue, job.id, 'completed')).startedAt));
    starts.sort((left, right) => left - right);
    for (let index = 2; index < starts.length; index += 1) expect(starts[index]! - starts[index - 2]!).toBeGreaterThanOrEqual(290);
  });

  it('lets running jobs finish within the close() grace period', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const started = gate();
    const worker = work(queue, queueName, {
      'test.echo': async () => {
        started.resolve();
        await sleep(100);
        return 'finished';
      },
    });
    const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName });
    await started.promise;
    await worker.close(timeout);
    expect(await queue.get(job.id)).toMatchObject({ state: 'completed', result: 'finished' });
  });

  it('aborts jobs still running after the grace period and gives them back, and a closed worker takes nothing more', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const started = gate();
    const seenByFirst: string[] = [];
    let aborted = false;
    const first = work(queue, queueName, {
      'test.echo': async (job) => {
        seenByFirst.push(job.payload.value);
        started.resolve();
        await untilAborted(job.signal);
        aborted = true;
      },
    });
    const job = await queue.enqueue('test.echo', { value: 'long' }, { queue: queueName, maxAttempts: 1 });
    await started.promise;
    await first.close(50);
    expect(aborted).toBe(true);
    const afterClose = await queue.enqueue('test.echo', { value: 'after close' }, { queue: queueName });

    const seenBySecond: string[] = [];
    work(queue, queueName, { 'test.echo': async (next) => void seenBySecond.push(next.payload.value) });
    // The aborted attempt was the job's only one, yet it runs again: shutdown is not the job's failure.
    await reaches(queue, job.id, 'completed');
    await reaches(queue, afterClose.id, 'completed');
    expect(seenByFirst).toEqual(['long']);
    expect(seenBySecond.sort()).toEqual(['after close', 'long']);
  });

  it('closes idempotently, draining its workers, and rejects enqueues afterwards', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const started = gate();
    let finished = false;
    work(queue, queueName, {
      'test.echo': async () => {
        started.resolve();
        await sleep(50);
        finished = true;
      },
    });
    await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName });
    await started.promise;
    await Promise.all([queue.close(), queue.close()]);
    expect(finished).toBe(true);
    await expect(queue.close()).resolves.toBeUndefined();
    await expect(queue.enqueue('test.echo', { value: 'late' }, { queue: queueName })).rejects.toThrow();
    expect(() => queue.work(queueName, {})).toThrow();
  });
};
