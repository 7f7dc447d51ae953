import { expect, it } from 'vitest';
import { gate, untilAborted, type ContractHarness } from './harness.ts';

/** Several instances on one backend (registered only for cross-process adapters). */
export const crossProcessContract = ({ open, work, newQueueName, releasedAfterTest, eventually, reaches, timeout, options }: ContractHarness): void => {
  if (options.capabilities.crossProcess) {
    it('runs a job enqueued on one instance on a worker of another', async () => {
      const producer = await open();
      const consumer = await open();
      const queueName = newQueueName();
      work(consumer, queueName, { 'test.echo': async (job) => `consumed ${job.payload.value}` });
      const job = await producer.enqueue('test.echo', { value: 'x' }, { queue: queueName });
      expect(await reaches(producer, job.id, 'completed')).toMatchObject({ result: 'consumed x' });
    });

    it('moves a hung instance’s job to another instance once the lease expires', async () => {
      const hung = await open({ renewLeases: false });
      const healthy = await open();
      const queueName = newQueueName();
      const stale = releasedAfterTest();
      const firstStarted = gate();
      const hungWorker = work(hung, queueName, {
        'test.echo': async () => {
          firstStarted.resolve();
          await stale.promise;
          return 'stale';
        },
      });
      const job = await healthy.enqueue('test.echo', { value: 'x' }, { queue: queueName });
      await firstStarted.promise;
      work(healthy, queueName, { 'test.echo': async () => 'taken over' });
      expect(await reaches(healthy, job.id, 'completed')).toMatchObject({ result: 'taken over', attempts: 1, stalls: 1 });
      stale.resolve();
      await hungWorker.close(timeout);
      expect(await healthy.get(job.id)).toMatchObject({ state: 'completed', result: 'taken over' });
    });

    it('fires the signal of a job cancelled from another instance', async () => {
      const runner = await open();
      const canceller = await open();
      const queueName = newQueueName();
      const started = gate();
      let aborted = false;
      work(runner, queueName, {
        'test.echo': async (job) => {
          started.resolve();
          await untilAborted(job.signal);
          aborted = true;
        },
      });
      const job = await canceller.enqueue('test.echo', { value: 'x' }, { queue: queueName });
      await started.promise;
      expect(await canceller.cancel(job.id)).toBe(true);
      await eventually(() => expect(aborted).toBe(true));
      expect((await runner.get(job.id))?.state).toBe('cancelled');
    });
  }
};
