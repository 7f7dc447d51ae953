import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { gate, untilAborted, type ContractHarness } from './harness.ts';

/** Cancellation and idempotency keys. */
export const cancelAndKeysContract = ({ open, work, newQueueName, eventually, reaches, marker }: ContractHarness): void => {
  it('cancels waiting and delayed jobs; they never run, and retry() brings one back', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const waiting = await queue.enqueue('test.echo', { value: 'waiting' }, { queue: queueName });
    const delayed = await queue.enqueue('test.echo', { value: 'delayed' }, { queue: queueName, delayMs: 60_000 });
    expect(await queue.cancel(waiting.id)).toBe(true);
    expect(await queue.cancel(delayed.id)).toBe(true);
    expect(await queue.cancel(waiting.id)).toBe(false);
    expect(await queue.cancel('no-such-job')).toBe(false);
    const cancelled = await queue.get(waiting.id);
    expect(cancelled?.state).toBe('cancelled');
    expect(cancelled?.finishedAt).not.toBeNull();

    const ran: string[] = [];
    work(queue, queueName, { 'test.echo': async (job) => void ran.push(job.payload.value) });
    await marker(queue, queueName);
    expect(ran).toEqual(['marker']);
    expect((await queue.get(delayed.id))?.state).toBe('cancelled');

    expect(await queue.retry(waiting.id)).toBe(true);
    await reaches(queue, waiting.id, 'completed');
    expect(ran).toEqual(['marker', 'waiting']);
    expect(await queue.cancel(waiting.id)).toBe(false);
  });

  it('cancels an active job: its signal fires and its late result is discarded', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const started = gate();
    let returned = false;
    work(queue, queueName, {
      'test.echo': async (job) => {
        if (job.payload.value === 'marker') return;
        started.resolve();
        await untilAborted(job.signal);
        returned = true;
        return 'late';
      },
    });
    const job = await queue.enqueue('test.echo', { value: 'long' }, { queue: queueName });
    await started.promise;
    expect(await queue.cancel(job.id)).toBe(true);
    await eventually(() => expect(returned).toBe(true));
    await marker(queue, queueName);
    expect(await queue.get(job.id)).toMatchObject({ state: 'cancelled', result: null });
  });

  it('returns the first job for a second enqueue with the same idempotency key, until that job is cancelled', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const keys: string[] = [];
    const key = `key-${randomUUID()}`;
    const first = await queue.enqueue('test.echo', { value: 'first' }, { queue: queueName, idempotencyKey: key });
    const again = await queue.enqueue('test.echo', { value: 'second' }, { queue: queueName, idempotencyKey: key });
    expect(again.id).toBe(first.id);
    expect(again.payload).toEqual({ value: 'first' });
    expect(again.idempotencyKey).toBe(key);
    const racing = await Promise.all(Array.from({ length: 5 }, () => queue.enqueue('test.echo', { value: 'race' }, { queue: queueName, idempotencyKey: `${key}-race` })));
    expect(new Set(racing.map((job) => job.id)).size).toBe(1);

    work(queue, queueName, { 'test.echo': async (job) => void keys.push(job.idempotencyKey) });
    await reaches(queue, first.id, 'completed');
    await reaches(queue, racing[0]!.id, 'completed');
    expect(keys).toContain(key);
    // A finished job still holds its key.
    expect((await queue.enqueue('test.echo', { value: 'after' }, { queue: queueName, idempotencyKey: key })).id).toBe(first.id);

    const cancelledKey = `key-${randomUUID()}`;
    const doomed = await queue.enqueue('test.echo', { value: 'doomed' }, { queue: queueName, idempotencyKey: cancelledKey, delayMs: 60_000 });
    await queue.cancel(doomed.id);
    const fresh = await queue.enqueue('test.echo', { value: 'fresh' }, { queue: queueName, idempotencyKey: cancelledKey });
    expect(fresh.id).not.toBe(doomed.id);
    await reaches(queue, fresh.id, 'completed');
  });

  it('gives a job a stable idempotency key across attempts when none was set', async () => {
    const queue = await open();
    const queueName = newQueueName();
    const keys: string[] = [];
    work(queue, queueName, {
      'test.echo': async (job) => {
        keys.push(job.idempotencyKey);
        if (job.attempt === 1) throw new Error('again');
      },
    });
    const job = await queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, backoff: { delayMs: 10 } });
    await reaches(queue, job.id, 'completed');
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]!.length).toBeGreaterThan(0);
  });
};
