import { expect, it } from 'vitest';
import { DelayJobError, RateLimitJobError, UnrecoverableJobError } from '../queue.port.ts';
import { untilAborted, type ContractHarness } from './harness.ts';

/** Attempts: backoff, the dead letter and retry(), and what handlers throw to steer them. */
export const retriesContract = ({ open, work, newQueueName, reaches }: ContractHarness): void => {
  it('retries with exponential backoff until an attempt succeeds', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const starts: number[] = [];
    work(queue, queueName, {
      'test.echo': async (job) => {
        starts.push(Date.now());
        if (job.attempt < 3) throw new Error(`flaky ${job.attempt}`);
        return job.attempt;
      },
    });
    const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 5, backoff: { type: 'exponential', delayMs: 60, jitter: 0 } });
    const done = await reaches(queue, job.id, 'completed');
    expect(done).toMatchObject({ attempts: 3, result: 3 });
    expect(starts).toHaveLength(3);
    // Without jitter the waits are 60 ms, then 120 ms (a few ms of slack for timer and clock granularity).
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(55);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(115);
  });

  it('keeps fixed backoff within its jitter', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const starts: number[] = [];
    work(queue, queueName, {
      'test.echo': async (job) => {
        starts.push(Date.now());
        if (job.attempt < 3) throw new Error('flaky');
      },
    });
    const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, backoff: { type: 'fixed', delayMs: 80, jitter: 0.5 } });
    await reaches(queue, job.id, 'completed');
    // Jitter only shortens a wait: each is within 40–80 ms (plus scheduling slack), never doubled.
    for (const gap of [starts[1]! - starts[0]!, starts[2]! - starts[1]!]) {
      expect(gap).toBeGreaterThanOrEqual(35);
      expect(gap).toBeLessThan(80 + 1_000);
    }
  });

  it('moves a job to failed after maxAttempts with the last error, and retry() revives it with fresh attempts', async () => {
    const queue = await open();
    const queueName = newQueueName();
    let healed = false;
    work(queue, queueName, {
      'test.echo': async (job) => {
        if (!healed) throw new Error(`boom ${job.attempt}`);
        return 'healed';
      },
    });
    const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 2, backoff: { delayMs: 10, jitter: 0 } });
    const failed = await reaches(queue, job.id, 'failed');
    expect(failed).toMatchObject({ attempts: 2, maxAttempts: 2, error: 'boom 2' });
    expect(failed.finishedAt).not.toBeNull();

    healed = true;
    expect(await queue.retry(job.id)).toBe(true);
    const done = await reaches(queue, job.id, 'completed');
    expect(done).toMatchObject({ attempts: 1, result: 'healed' });
    expect(await queue.retry(job.id)).toBe(false);
    expect(await queue.retry('no-such-job')).toBe(false);
  });

  it('fails at once on UnrecoverableJobError', async () => {
    const queue = await open();
    const queueName = newQueueName();
    let calls = 0;
    work(queue, queueName, {
      'test.echo': async () => {
        calls += 1;
        throw new UnrecoverableJobError('bad input');
      },
    });
    const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 5, backoff: { delayMs: 10 } });
    expect(await reaches(queue, job.id, 'failed')).toMatchObject({ attempts: 1, error: 'bad input' });
    expect(calls).toBe(1);
  });

  it('runs a job again after DelayJobError without counting the attempt', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const calls: { attempt: number; at: number }[] = [];
    work(queue, queueName, {
      'test.echo': async (job) => {
        calls.push({ attempt: job.attempt, at: Date.now() });
        if (calls.length < 3) throw new DelayJobError(50);
        return 'done';
      },
    });
    // One attempt allowed: if a delay counted, the second call would never happen.
    const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, maxAttempts: 1 });
    expect(await reaches(queue, job.id, 'completed')).toMatchObject({ result: 'done', attempts: 1 });
    expect(calls.map((call) => call.attempt)).toEqual([1, 1, 1]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(45);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(45);
  });

  it('pauses the whole queue on RateLimitJobError without counting the attempt', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const starts: { value: string; at: number }[] = [];
    let limited = false;
    work(queue, queueName, {
      'test.echo': async (job) => {
        starts.push({ value: job.payload.value, at: Date.now() });
        if (!limited) {
          limited = true;
          throw new RateLimitJobError(250);
        }
      },
    });
    const first = await queue.enqueue('test.echo', { value: 'first' }, { queue: queueName, priority: 10, maxAttempts: 1 });
    const others = [await queue.enqueue('test.echo', { value: 'second' }, { queue: queueName, maxAttempts: 1 }), await queue.enqueue('test.echo', { value: 'third' }, { queue: queueName, maxAttempts: 1 })];
    for (const job of [first, ...others]) expect(await reaches(queue, job.id, 'completed')).toMatchObject({ attempts: 1 });
    expect(starts).toHaveLength(4);
    // Nothing of the queue started during the pause, not only the job that hit the limit.
    for (const start of starts.slice(1)) expect(start.at - starts[0]!.at).toBeGreaterThanOrEqual(245);
  });

  it('aborts an attempt that runs past timeoutMs, fires its signal, and counts it as failed', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const aborted: string[] = [];
    work(
      queue,
      queueName,
      {
        'test.echo': async (job) => {
          if (job.payload.value === 'recovers' && job.attempt > 1) return 'second attempt';
          await untilAborted(job.signal);
          aborted.push(job.payload.value);
          // A handler that keeps going after its signal fired: the late result must not count.
          return 'too late';
        },
      },
      { concurrency: 2 },
    );
    const once = await queue.enqueue('test.echo', { value: 'once' }, { queue: queueName, timeoutMs: 50, maxAttempts: 1 });
    const recovers = await queue.enqueue('test.echo', { value: 'recovers' }, { queue: queueName, timeoutMs: 50, maxAttempts: 2, backoff: { delayMs: 10 } });
    const failed = await reaches(queue, once.id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.error).toMatch(/time/i);
    expect(await reaches(queue, recovers.id, 'completed')).toMatchObject({ attempts: 2, result: 'second attempt' });
    expect(aborted.sort()).toEqual(['once', 'recovers']);
  });
};
