import { expect, it } from 'vitest';
import { type JobContext } from '../queue.port.ts';
import { ms, type ContractHarness } from './harness.ts';

/** Enqueueing, running, priorities, delays, progress and capabilities. */
export const jobsContract = ({ open, work, newQueueName, releasedAfterTest, eventually, reaches, marker, options }: ContractHarness): void => {
  it('enqueues a waiting job with the defaults, and get() returns it', async () => {
    const queue = await open();
    const job = await queue.enqueue('test.echo', { value: 'hello' });
    expect(job).toMatchObject({
      queue: 'test.echo',
      name: 'test.echo',
      payload: { value: 'hello' },
      state: 'waiting',
      priority: 0,
      attempts: 0,
      maxAttempts: 3,
      stalls: 0,
      maxStalls: 5,
      idempotencyKey: null,
      startedAt: null,
      finishedAt: null,
      progress: null,
      error: null,
    });
    expect(job.id).toEqual(expect.any(String));
    expect(new Date(job.createdAt).toISOString()).toBe(job.createdAt);
    expect(ms(job.runAt)).toBeLessThanOrEqual(ms(job.createdAt) + 5);
    expect(await queue.get(job.id)).toEqual(job);
    expect(await queue.get('no-such-job')).toBeUndefined();
    // Cancel it so that no later run of the suite on a shared backend finds it.
    await queue.cancel(job.id);
  });

  it('rejects invalid options with validation_failed and creates nothing', async () => {
    const queue = await open();
    const queueName = newQueueName();
    for (const invalid of [{ priority: 101 }, { priority: 1.5 }, { maxAttempts: 0 }, { maxStalls: -1 }, { delayMs: -1 }, { timeoutMs: 0 }, { backoff: { jitter: 2 } }]) {
      await expect(queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, ...invalid })).rejects.toMatchObject({ code: 'validation_failed' });
    }
    const ran: string[] = [];
    work(queue, queueName, { 'test.echo': async (job) => void ran.push(job.payload.value) });
    await marker(queue, queueName);
    expect(ran).toEqual(['marker']);
  });

  it('runs a job and stores its JSON result', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const contexts: JobContext<{ value: string }>[] = [];
    work(queue, queueName, {
      'test.echo': async (job) => {
        contexts.push(job);
        return { echoed: job.payload.value, at: new Date('2024-01-02T03:04:05.000Z') };
      },
    });
    const job = await queue.enqueue('test.echo', { value: 'hello' }, { queue: queueName });
    const done = await reaches(queue, job.id, 'completed');
    expect(done).toMatchObject({ id: job.id, queue: queueName, attempts: 1, error: null, result: { echoed: 'hello', at: '2024-01-02T03:04:05.000Z' } });
    expect(ms(done.startedAt)).toBeGreaterThanOrEqual(ms(done.createdAt));
    expect(ms(done.finishedAt)).toBeGreaterThanOrEqual(ms(done.startedAt));
    expect(contexts).toHaveLength(1);
    expect(contexts[0]).toMatchObject({ id: job.id, name: 'test.echo', payload: { value: 'hello' }, attempt: 1, stalls: 0 });
    expect(contexts[0]!.idempotencyKey).toEqual(expect.any(String));
    expect(contexts[0]!.signal.aborted).toBe(false);
  });

  it('runs higher priority first', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const order: string[] = [];
    for (const [value, priority] of [['low', -5], ['high', 10], ['middle', 0], ['highest', 100]] as const) {
      await queue.enqueue('test.echo', { value }, { queue: queueName, priority });
    }
    work(queue, queueName, { 'test.echo': async (job) => void order.push(job.payload.value) });
    await eventually(() => expect(order).toHaveLength(4));
    expect(order).toEqual(['highest', 'high', 'middle', 'low']);
  });

  it('does not start a delayed job before its time', async () => {
    const queue = await open();
    const queueName = newQueueName();
    work(queue, queueName, { 'test.echo': async () => 'ran' });
    const job = await queue.enqueue('test.echo', { value: 'later' }, { queue: queueName, delayMs: 300 });
    expect(job.state).toBe('delayed');
    expect(ms(job.runAt) - ms(job.createdAt)).toBeGreaterThanOrEqual(300);
    expect((await queue.get(job.id))?.state).toBe('delayed');
    const done = await reaches(queue, job.id, 'completed');
    expect(ms(done.startedAt) - ms(done.createdAt)).toBeGreaterThanOrEqual(295);
  });

  it('records progress while a job runs', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const proceed = releasedAfterTest();
    work(queue, queueName, {
      'test.echo': async (job) => {
        await job.progress(40, 'reading');
        await proceed.promise;
        await job.progress(100);
        return 'ok';
      },
    });
    const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName });
    await eventually(async () => expect((await queue.get(job.id))?.progress).toEqual({ percent: 40, message: 'reading' }));
    expect((await queue.get(job.id))?.state).toBe('active');
    proceed.resolve();
    expect(await reaches(queue, job.id, 'completed')).toMatchObject({ progress: { percent: 100, message: null }, result: 'ok' });
  });

  it('fails a job whose name has no handler in the worker', async () => {
    const queue = await open();
    const queueName = newQueueName();
    work(queue, queueName, { 'test.echo': async () => 'ok' });
    const job = await queue.enqueue('test.unhandled', { value: 'x' }, { queue: queueName, backoff: { delayMs: 10 } });
    const failed = await reaches(queue, job.id, 'failed');
    expect(failed.error).toContain('test.unhandled');
    expect(failed.attempts).toBe(1);
    await marker(queue, queueName);
  });

  it('declares the capabilities the suite was told to expect', async () => {
    expect((await open()).capabilities).toEqual(options.capabilities);
  });
};
