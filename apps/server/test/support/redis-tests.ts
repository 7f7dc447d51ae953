import { Redis } from 'ioredis';
import { afterEach } from 'vitest';

export interface RedisTestScope {
  /** Runs `close` after the current test, with everything else deferred in it. */
  defer(close: () => Promise<unknown>): void;
  /** A plain client on `url` for a test to look at Redis directly; quit after the test. */
  inspector(): Redis;
}

/** What Redis adapter tests open in a test is closed after it, even when the test fails. */
export const redisTestScope = (url: string): RedisTestScope => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((close) => close()));
  });
  return {
    defer: (close) => {
      cleanup.push(close);
    },
    inspector: () => {
      const client = new Redis(url);
      cleanup.push(() => client.quit());
      return client;
    },
  };
};
