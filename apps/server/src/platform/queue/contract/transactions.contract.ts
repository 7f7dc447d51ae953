import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { type QueueTransaction } from '../queue.port.ts';
import { type ContractHarness } from './harness.ts';

/** Transactional enqueue (or its refusal). */
export const transactionsContract = ({ open, work, newQueueName, reaches, marker, options }: ContractHarness): void => {
  if (options.capabilities.transactional) {
    it('writes a job inside the caller’s transaction: it exists if and only if the transaction commits', async () => {
      const inTransaction = options.inTransaction;
      if (!inTransaction) throw new Error('a transactional adapter must give the contract inTransaction');
      const queue = await open();
      const queueName = newQueueName();
      const ran: string[] = [];
      work(queue, queueName, { 'test.echo': async (job) => void ran.push(job.payload.value) });

      const key = `run:${randomUUID()}`;
      let abandonedId = '';
      await expect(
        inTransaction(async (transaction) => {
          abandonedId = (await queue.enqueue('test.echo', { value: 'rolled back' }, { queue: queueName, idempotencyKey: key, transaction })).id;
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await queue.get(abandonedId)).toBeUndefined();

      const committed = await inTransaction((transaction) => queue.enqueue('test.echo', { value: 'committed' }, { queue: queueName, idempotencyKey: key, transaction }));
      expect(committed.id).not.toBe(abandonedId);
      // The same key after a transactional enqueue names the first job.
      expect((await queue.enqueue('test.echo', { value: 'again' }, { queue: queueName, idempotencyKey: key })).id).toBe(committed.id);
      await reaches(queue, committed.id, 'completed');
      await marker(queue, queueName);
      expect(ran.sort()).toEqual(['committed', 'marker']);
    });
  } else {
    it('rejects a transaction in enqueue and creates nothing', async () => {
      const queue = await open();
      const queueName = newQueueName();
      const transaction: QueueTransaction = { isTransaction: true };
      await expect(queue.enqueue('test.echo', { value: 'x' }, { queue: queueName, transaction })).rejects.toMatchObject({ code: 'internal_error' });
      const ran: string[] = [];
      work(queue, queueName, { 'test.echo': async (job) => void ran.push(job.payload.value) });
      await marker(queue, queueName);
      expect(ran).toEqual(['marker']);
    });
  }
};
