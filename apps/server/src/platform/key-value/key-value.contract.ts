import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyValueCapabilities, KeyValueStore } from './key-value.port.ts';

export interface KeyValueContractOptions {
  /** What the adapter under test claims; the suite checks the claim and runs the tests it implies. */
  capabilities: KeyValueCapabilities;
  /**
   * Lets `ms` milliseconds pass for every store `create` returned: advance the clock the stores were given,
   * or sleep when the backend keeps real time.
   */
  elapse: (ms: number) => Promise<void>;
  /**
   * The TTL the expiry tests give keys. Default 150 ms. On a real-time backend it must comfortably exceed a
   * round trip (the suite reads a key within 60 % of its TTL and expects it still there).
   */
  ttlMs?: number;
}

/**
 * The definition of the KeyValue port: every adapter runs this suite unchanged. `create(namespace)` returns
 * a fresh store; stores created with different namespaces never see each other's keys, and for an adapter
 * with `capabilities.crossProcess`, stores created with the same namespace share them, standing in for two
 * processes. Each test picks a new namespace, so a backend shared across tests and runs keeps them apart.
 *
 * Concurrency tests spread their callers over several stores when the adapter is cross-process, so
 * atomicity is checked across connections and not only within one.
 */
export const runKeyValueContract = (name: string, create: (namespace: string) => Promise<KeyValueStore>, options: KeyValueContractOptions): void => {
  const ttlMs = options.ttlMs ?? 150;
  // Past a TTL by a margin, so a backend that expires on the millisecond boundary is not a race.
  const pastTtl = (ttl: number): number => ttl + Math.max(20, Math.ceil(ttl / 3));

  describe(`KeyValue contract: ${name}`, () => {
    const opened: KeyValueStore[] = [];
    let namespace = '';

    beforeEach(() => {
      namespace = randomUUID().slice(0, 8);
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    const open = async (inNamespace = namespace): Promise<KeyValueStore> => {
      const store = await create(inNamespace);
      opened.push(store);
      return store;
    };

    /** Stores to spread concurrent callers over: one per simulated process when the adapter has processes. */
    const openMany = async (): Promise<KeyValueStore[]> => Promise.all(Array.from({ length: options.capabilities.crossProcess ? 5 : 1 }, () => open()));

    it('reads back what was set, overwrites, and deletes', async () => {
      const store = await open();
      await expect(store.get('missing')).resolves.toBeUndefined();
      await store.set('greeting', 'hello');
      await expect(store.get('greeting')).resolves.toBe('hello');
      await store.set('greeting', 'hello again');
      await expect(store.get('greeting')).resolves.toBe('hello again');
      await store.set('empty', '');
      await expect(store.get('empty')).resolves.toBe('');
      const text = 'ünïcode ✓ {"json": [1, 2]}\n';
      await store.set('text', text);
      await expect(store.get('text')).resolves.toBe(text);

      await expect(store.delete('greeting')).resolves.toBe(true);
      await expect(store.get('greeting')).resolves.toBeUndefined();
      await expect(store.delete('greeting')).resolves.toBe(false);
      await expect(store.delete('never-set')).resolves.toBe(false);
    });

    it('expires a key after its TTL, and a later set without a TTL keeps it', async () => {
      const store = await open();
      await store.set('short', 'value', { ttlMs });
      await store.set('cleared', 'first', { ttlMs });
      await store.set('cleared', 'second');
      await store.set('lasting', 'value');
      await expect(store.get('short')).resolves.toBe('value');

      await options.elapse(pastTtl(ttlMs));
      await expect(store.get('short')).resolves.toBeUndefined();
      await expect(store.delete('short')).resolves.toBe(false);
      await expect(store.get('cleared')).resolves.toBe('second');
      await expect(store.get('lasting')).resolves.toBe('value');
    });

    it('lets exactly one setIfAbsent win, until the key expires or is deleted', async () => {
      const store = await open();
      await expect(store.setIfAbsent('lock', 'owner-1', { ttlMs })).resolves.toBe(true);
      await expect(store.setIfAbsent('lock', 'owner-2', { ttlMs })).resolves.toBe(false);
      await expect(store.get('lock')).resolves.toBe('owner-1');

      await options.elapse(pastTtl(ttlMs));
      await expect(store.setIfAbsent('lock', 'owner-3', { ttlMs: ttlMs * 100 })).resolves.toBe(true);
      await expect(store.get('lock')).resolves.toBe('owner-3');
      await expect(store.delete('lock')).resolves.toBe(true);
      await expect(store.setIfAbsent('lock', 'owner-4', { ttlMs: ttlMs * 100 })).resolves.toBe(true);

      await store.set('plain', 'taken');
      await expect(store.setIfAbsent('plain', 'other', { ttlMs })).resolves.toBe(false);
      await expect(store.get('plain')).resolves.toBe('taken');
    });

    it('gives a lock to exactly one of 50 concurrent callers', async () => {
      const stores = await openMany();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, index) => stores[index % stores.length]!.setIfAbsent('contended', `caller-${index}`, { ttlMs: 60_000 })),
      );
      const winners = results.flatMap((won, index) => (won ? [index] : []));
      expect(winners).toHaveLength(1);
      await expect(stores[0]!.get('contended')).resolves.toBe(`caller-${winners[0]}`);
    });

    it('increments from zero, returns the new value, and takes negative and fractional amounts', async () => {
      const store = await open();
      await expect(store.increment('requests', 1, { ttlMs: 60_000 })).resolves.toBe(1);
      await expect(store.increment('requests', 4, { ttlMs: 60_000 })).resolves.toBe(5);
      await expect(store.get('requests')).resolves.toBe('5');

      // A budget reserves an estimate before a call and reconciles it with the actual cost afterwards.
      const reserved = await store.increment('spend', 0.5, { ttlMs: 60_000 });
      expect(reserved).toBeCloseTo(0.5, 9);
      const reconciled = await store.increment('spend', 0.125 - 0.5, { ttlMs: 60_000 });
      expect(reconciled).toBeCloseTo(0.125, 9);
      expect(Number(await store.get('spend'))).toBeCloseTo(0.125, 9);
      await expect(store.increment('spend', -0.125, { ttlMs: 60_000 })).resolves.toBeCloseTo(0, 9);

      await store.set('preset', '10');
      await expect(store.increment('preset', 2.5, { ttlMs: 60_000 })).resolves.toBe(12.5);
    });

    it('loses no update under 200 concurrent increments, and each caller sees its own step', async () => {
      const stores = await openMany();
      const values = await Promise.all(Array.from({ length: 200 }, (_, index) => stores[index % stores.length]!.increment('hot', 1, { ttlMs: 60_000 })));
      expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
      await expect(stores[0]!.get('hot')).resolves.toBe('200');
    });

    it('sums fractional amounts under concurrency within floating-point error', async () => {
      const stores = await openMany();
      await Promise.all(Array.from({ length: 10 }, (_, index) => stores[index % stores.length]!.increment('dollars', 0.1, { ttlMs: 60_000 })));
      expect(Math.abs(Number(await stores[0]!.get('dollars')) - 1)).toBeLessThan(1e-9);

      const amounts = Array.from({ length: 100 }, (_, index) => (index % 2 === 0 ? 0.0123 : 0.0007));
      const results = await Promise.all(amounts.map((by, index) => stores[index % stores.length]!.increment('micro', by, { ttlMs: 60_000 })));
      expect(Math.abs(Math.max(...results) - 0.65)).toBeLessThan(1e-9);
    });

    it('keeps a fixed window: later increments never extend the TTL', async () => {
      const store = await open();
      const window = ttlMs * 2;
      await expect(store.increment('window', 1, { ttlMs: window })).resolves.toBe(1);
      await options.elapse(window * 0.6);
      await expect(store.increment('window', 1, { ttlMs: window })).resolves.toBe(2);
      // 1.2 windows after the first increment: gone, though the second one was only 0.6 windows ago.
      await options.elapse(window * 0.6);
      await expect(store.get('window')).resolves.toBeUndefined();
      await expect(store.increment('window', 1, { ttlMs: window })).resolves.toBe(1);
    });

    it('gives a TTL to a counter that was written without one', async () => {
      const store = await open();
      await store.set('untimed', '5');
      await expect(store.increment('untimed', 1, { ttlMs })).resolves.toBe(6);
      await options.elapse(pastTtl(ttlMs));
      await expect(store.get('untimed')).resolves.toBeUndefined();
    });

    it('rejects incrementing a non-number and leaves the value alone', async () => {
      const store = await open();
      await store.set('word', 'abc');
      await expect(store.increment('word', 1, { ttlMs })).rejects.toThrow(TypeError);
      await expect(store.get('word')).resolves.toBe('abc');
      await store.set('padded', ' 1');
      await expect(store.increment('padded', 1, { ttlMs })).rejects.toThrow(TypeError);
    });

    it('rejects invalid amounts and TTLs before writing anything', async () => {
      const store = await open();
      for (const by of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        await expect(store.increment('checked', by, { ttlMs })).rejects.toThrow(RangeError);
      }
      for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(store.increment('checked', 1, { ttlMs: ttl })).rejects.toThrow(RangeError);
        await expect(store.setIfAbsent('checked', 'x', { ttlMs: ttl })).rejects.toThrow(RangeError);
        await expect(store.set('checked', 'x', { ttlMs: ttl })).rejects.toThrow(RangeError);
      }
      await expect(
        store.incrementMany([
          { key: 'checked', by: 1, ttlMs },
          { key: 'checked-too', by: Number.NaN, ttlMs },
        ]),
      ).rejects.toThrow(RangeError);
      await expect(store.get('checked')).resolves.toBeUndefined();
      await expect(store.get('checked-too')).resolves.toBeUndefined();
    });

    it('applies incrementMany in order, each key with its own TTL', async () => {
      const store = await open();
      await expect(store.incrementMany([])).resolves.toEqual([]);
      const values = await store.incrementMany([
        { key: 'rpm', by: 1, ttlMs },
        { key: 'tpm', by: 2.5, ttlMs: ttlMs * 100 },
        { key: 'rpm', by: 1, ttlMs },
      ]);
      expect(values).toEqual([1, 2.5, 2]);
      await expect(store.get('rpm')).resolves.toBe('2');
      await expect(store.get('tpm')).resolves.toBe('2.5');

      await options.elapse(pastTtl(ttlMs));
      await expect(store.get('rpm')).resolves.toBeUndefined();
      await expect(store.incrementMany([{ key: 'rpm', by: 3, ttlMs }, { key: 'tpm', by: 1, ttlMs }])).resolves.toEqual([3, 3.5]);
    });

    it('loses no update when incrementMany calls run concurrently', async () => {
      const stores = await openMany();
      const batches = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          stores[index % stores.length]!.incrementMany([
            { key: 'requests', by: 1, ttlMs: 60_000 },
            { key: 'tokens', by: 100, ttlMs: 60_000 },
            { key: 'spend', by: 0.01, ttlMs: 60_000 },
          ]),
        ),
      );
      expect(batches.map((values) => values[0]).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
      await expect(stores[0]!.get('requests')).resolves.toBe('50');
      await expect(stores[0]!.get('tokens')).resolves.toBe('5000');
      expect(Math.abs(Number(await stores[0]!.get('spend')) - 0.5)).toBeLessThan(1e-9);
    });

    it('keeps stores of different namespaces apart', async () => {
      const mine = await open();
      const theirs = await open(`${namespace}-other`);
      await mine.set('shared-name', 'mine');
      await mine.increment('counter', 5, { ttlMs: 60_000 });
      await expect(mine.setIfAbsent('lock', 'mine', { ttlMs: 60_000 })).resolves.toBe(true);

      await expect(theirs.get('shared-name')).resolves.toBeUndefined();
      await expect(theirs.increment('counter', 1, { ttlMs: 60_000 })).resolves.toBe(1);
      await expect(theirs.setIfAbsent('lock', 'theirs', { ttlMs: 60_000 })).resolves.toBe(true);
      await expect(theirs.delete('shared-name')).resolves.toBe(false);
      await expect(mine.get('shared-name')).resolves.toBe('mine');
      await expect(mine.get('counter')).resolves.toBe('5');
    });

    it('answers ping while open, closes idempotently, and rejects calls afterwards', async () => {
      const store = await open();
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
      await expect(Promise.all([store.close(), store.close()])).resolves.toBeDefined();
      const closed = { code: 'service_unavailable' };
      await expect(store.ping()).rejects.toMatchObject(closed);
      await expect(store.get('k')).rejects.toMatchObject(closed);
      await expect(store.set('k', 'v')).rejects.toMatchObject(closed);
      await expect(store.setIfAbsent('k', 'v', { ttlMs })).rejects.toMatchObject(closed);
      await expect(store.delete('k')).rejects.toMatchObject(closed);
      await expect(store.increment('k', 1, { ttlMs })).rejects.toMatchObject(closed);
      await expect(store.incrementMany([{ key: 'k', by: 1, ttlMs }])).rejects.toMatchObject(closed);
    });

    it('declares the capabilities the suite was told to expect', async () => {
      expect((await open()).capabilities).toEqual(options.capabilities);
    });

    // Registered only for cross-process adapters, so a run that must not skip anything has nothing to skip.
    if (options.capabilities.crossProcess) it('shares counters, locks and deletes between store instances', async () => {
      const first = await open();
      const second = await open();
      await expect(first.increment('budget', 3, { ttlMs: 60_000 })).resolves.toBe(3);
      await expect(second.increment('budget', 4, { ttlMs: 60_000 })).resolves.toBe(7);
      await expect(second.incrementMany([{ key: 'budget', by: 0.5, ttlMs: 60_000 }])).resolves.toEqual([7.5]);
      await expect(first.get('budget')).resolves.toBe('7.5');

      await expect(first.setIfAbsent('lock', 'first', { ttlMs: 60_000 })).resolves.toBe(true);
      await expect(second.setIfAbsent('lock', 'second', { ttlMs: 60_000 })).resolves.toBe(false);
      await expect(second.delete('lock')).resolves.toBe(true);
      await expect(first.get('lock')).resolves.toBeUndefined();

      await first.set('cached', 'answer', { ttlMs });
      await expect(second.get('cached')).resolves.toBe('answer');
      await options.elapse(pastTtl(ttlMs));
      await expect(second.get('cached')).resolves.toBeUndefined();
    });
  });
};
