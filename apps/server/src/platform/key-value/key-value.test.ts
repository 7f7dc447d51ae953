import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { redisTestScope } from '../../../test/support/redis-tests.ts';
import { serviceUrl } from '../../../test/support/services.ts';
import type { Clock } from '../clock/clock.ts';
import { runKeyValueContract } from './key-value.contract.ts';
import type { KeyValueStore } from './key-value.port.ts';
import { createMemoryKeyValueStore } from './memory-key-value.adapter.ts';
import { createRedisKeyValueStore } from './redis-key-value.adapter.ts';

/** A clock that moves only when told, so expiry tests take no real time. */
const createManualClock = (start = Date.parse('2030-01-01T00:00:00.000Z')) => {
  let now = start;
  const clock: Clock = { now: () => new Date(now) };
  return { clock, advance: (milliseconds: number) => void (now += milliseconds) };
};

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

const contractClock = createManualClock();
runKeyValueContract('memory', async () => createMemoryKeyValueStore({ clock: contractClock.clock }), {
  capabilities: { crossProcess: false },
  elapse: async (milliseconds) => contractClock.advance(milliseconds),
});

describe('memory key-value store', () => {
  const stores: KeyValueStore[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  const memory = (options: Parameters<typeof createMemoryKeyValueStore>[0] = {}) => {
    const store = createMemoryKeyValueStore(options);
    stores.push(store);
    return store;
  };

  it('keeps a key readable through the last millisecond of its TTL, as Redis does', async () => {
    const { clock, advance } = createManualClock();
    const store = memory({ clock });
    await store.set('key', 'value', { ttlMs: 1_000 });
    await store.increment('counter', 1, { ttlMs: 1_000 });
    advance(1_000);
    await expect(store.get('key')).resolves.toBe('value');
    await expect(store.get('counter')).resolves.toBe('1');
    advance(1);
    await expect(store.get('key')).resolves.toBeUndefined();
    await expect(store.get('counter')).resolves.toBeUndefined();
  });

  it('rounds a fractional TTL up to whole milliseconds', async () => {
    const { clock, advance } = createManualClock();
    const store = memory({ clock });
    await store.set('key', 'value', { ttlMs: 0.2 });
    advance(1);
    await expect(store.get('key')).resolves.toBe('value');
    advance(1);
    await expect(store.get('key')).resolves.toBeUndefined();
  });

  it('drops an expired key when it is read, without waiting for the sweep', async () => {
    const { clock, advance } = createManualClock();
    const store = memory({ clock, sweepIntervalMs: 3_600_000 });
    await store.set('key', 'value', { ttlMs: 10 });
    expect(store.size).toBe(1);
    advance(11);
    expect(store.size).toBe(1);
    await expect(store.get('key')).resolves.toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('sweeps expired keys nobody reads again, and keeps live ones', async () => {
    const { clock, advance } = createManualClock();
    const store = memory({ clock, sweepIntervalMs: 5 });
    await store.set('expiring-1', 'a', { ttlMs: 10 });
    await store.setIfAbsent('expiring-2', 'b', { ttlMs: 10 });
    await store.increment('expiring-3', 1, { ttlMs: 10 });
    await store.set('lasting', 'c');
    await store.set('later', 'd', { ttlMs: 1_000 });
    advance(11);
    await vi.waitFor(() => expect(store.size).toBe(2), { timeout: 2_000, interval: 5 });
    await expect(store.get('lasting')).resolves.toBe('c');
    await expect(store.get('later')).resolves.toBe('d');
  });

  it('runs its sweep on an unref’d timer and stops it on close', async () => {
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const clearIntervalSpy = vi.spyOn(globalThis, 'clearInterval');
    const store = createMemoryKeyValueStore();
    const timer = setIntervalSpy.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    await store.close();
    expect(clearIntervalSpy).toHaveBeenCalledWith(timer);
    expect(store.size).toBe(0);
  });

  it('shares nothing between two stores of one process', async () => {
    const first = memory();
    const second = memory();
    expect(first.capabilities.crossProcess).toBe(false);
    await first.set('key', 'first');
    await first.increment('counter', 1, { ttlMs: 60_000 });
    await expect(second.get('key')).resolves.toBeUndefined();
    await expect(second.increment('counter', 1, { ttlMs: 60_000 })).resolves.toBe(1);
  });

  it('rejects a sweep interval that is not positive', () => {
    expect(() => createMemoryKeyValueStore({ sweepIntervalMs: 0 })).toThrow(RangeError);
  });
});

const redisUrl = serviceUrl('redis');

describe.skipIf(!redisUrl)('redis key-value store', () => {
  // A prefix per run keeps parallel runs (and other suites) on the shared Redis out of each other's keys.
  const runPrefix = `stead-test:kv:${randomBytes(6).toString('hex')}:`;
  runKeyValueContract('redis', async (namespace) => createRedisKeyValueStore({ url: redisUrl!, prefix: `${runPrefix}${namespace}:` }), {
    capabilities: { crossProcess: true },
    elapse: sleep,
    ttlMs: 150,
  });

  const { defer, inspector } = redisTestScope(redisUrl!);
  const store = (options: Partial<Parameters<typeof createRedisKeyValueStore>[0]> = {}): KeyValueStore => {
    const created = createRedisKeyValueStore({ url: redisUrl!, prefix: `${runPrefix}${randomBytes(4).toString('hex')}:`, ...options });
    defer(() => created.close());
    return created;
  };

  // Keys written without a TTL would otherwise stay in the shared Redis after the run.
  afterAll(async () => {
    const client = new Redis(redisUrl!);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${runPrefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await client.del(...keys);
      } while (cursor !== '0');
    } finally {
      await client.quit();
    }
  });

  it('stores keys under its prefix, and fixes a counter’s TTL when it is created', async () => {
    const redis = inspector();
    const prefix = `${runPrefix}layout:`;
    const kv = store({ prefix });
    await kv.set('plain', 'value');
    await expect(redis.get(`${prefix}plain`)).resolves.toBe('value');
    await expect(redis.pttl(`${prefix}plain`)).resolves.toBe(-1);

    await kv.increment('window', 1, { ttlMs: 60_000 });
    const first = await redis.pttl(`${prefix}window`);
    expect(first).toBeGreaterThan(59_000);
    await sleep(20);
    await kv.incrementMany([{ key: 'window', by: 1, ttlMs: 120_000 }]);
    await kv.increment('window', 1, { ttlMs: 120_000 });
    const later = await redis.pttl(`${prefix}window`);
    expect(later).toBeLessThanOrEqual(first);
    await expect(redis.get(`${prefix}window`)).resolves.toBe('3');
  });

  it('uses the prefix stead:kv: by default', async () => {
    const redis = inspector();
    const key = `contract-default-prefix-${randomBytes(6).toString('hex')}`;
    const kv = store({ prefix: undefined });
    await kv.set(key, 'value', { ttlMs: 10_000 });
    await expect(redis.get(`stead:kv:${key}`)).resolves.toBe('value');
    await redis.del(`stead:kv:${key}`);
  });

  it('runs its script again with EVAL when Redis forgot it', async () => {
    const client = inspector();
    let refusals = 0;
    // A client that answers the first EVALSHA as a flushed or restarted Redis would.
    const forgetful = new Proxy(client, {
      get(target, property, receiver) {
        if (property === 'evalsha' && refusals === 0) {
          return async () => {
            refusals += 1;
            throw Object.assign(new Error('NOSCRIPT No matching script. Please use EVAL.'), { name: 'ReplyError' });
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const kv = store({ client: forgetful });
    await expect(kv.increment('counter', 2, { ttlMs: 60_000 })).resolves.toBe(2);
    await expect(kv.increment('counter', 2, { ttlMs: 60_000 })).resolves.toBe(4);
    expect(refusals).toBe(1);
  });

  it('leaves an injected client open on close', async () => {
    const client = inspector();
    const kv = createRedisKeyValueStore({ client, prefix: `${runPrefix}injected:` });
    await kv.set('key', 'value', { ttlMs: 10_000 });
    await kv.close();
    await expect(client.ping()).resolves.toBe('PONG');
    await expect(client.get(`${runPrefix}injected:key`)).resolves.toBe('value');
  });

  it('rejects with service_unavailable when Redis cannot be reached', async () => {
    // Port 1 refuses connections; a single attempt keeps the test fast.
    const client = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    client.on('error', () => {});
    defer(async () => client.disconnect());
    const kv = store({ client });
    await expect(kv.ping()).rejects.toMatchObject({ code: 'service_unavailable' });
    await expect(kv.get('key')).rejects.toMatchObject({ code: 'service_unavailable' });
    await expect(kv.increment('key', 1, { ttlMs: 1_000 })).rejects.toMatchObject({ code: 'service_unavailable' });
  });

  it('requires a url or a client', () => {
    expect(() => createRedisKeyValueStore({})).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });
});
