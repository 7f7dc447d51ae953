import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { SteadError } from '../errors/stead-error.ts';
import { checkAmount, checkEntries, checkTtl, closedError, notANumberError } from './key-value-input.ts';
import type { IncrementEntry, KeyValueStore } from './key-value.port.ts';
import { closeRedisConnection } from '../redis/close-redis-connection.ts';

export interface RedisKeyValueOptions {
  /** `redis://` or `rediss://` URL. Required unless `client` is given. */
  url?: string;
  /**
   * An existing connection (custom TLS or retry settings). It must not set ioredis's `keyPrefix`, which would
   * apply on top of `prefix`. The caller keeps ownership: `close` leaves it open.
   */
  client?: Redis;
  /**
   * Prepended to every key. Default `'stead:kv:'`. Installations sharing one Redis, and parallel test runs,
   * use distinct prefixes; stores with the same prefix share their keys.
   */
  prefix?: string;
  /** Receives connection errors of a connection the store opened itself. Default: ignore (pass the logger in app.ts). */
  onError?: (error: unknown) => void;
}

/**
 * Adds each amount and gives a counter its TTL only when it has none, inside one script so no other client
 * can see a counter without its TTL (a crash between two commands would leave a window that never resets).
 * PTTL is -1 exactly when the key exists without a TTL; checking it rather than `PEXPIRE ... NX` keeps the
 * script working on Redis 6. INCRBYFLOAT's reply is a string, which the script returns untouched: a Lua number
 * would be truncated to an integer on the way out.
 */
const incrementScript = `
local values = {}
for index, key in ipairs(KEYS) do
  values[index] = redis.call('INCRBYFLOAT', key, ARGV[index * 2 - 1])
  if redis.call('PTTL', key) == -1 then
    redis.call('PEXPIRE', key, ARGV[index * 2])
  end
end
return values
`;
const incrementScriptSha = createHash('sha1').update(incrementScript).digest('hex');

const isReplyError = (error: unknown): error is Error => error instanceof Error && error.name === 'ReplyError';

/**
 * Vendor failures become the port's errors: a reply about a non-numeric value is the caller's mistake (as on
 * the memory adapter); any other reply means Redis holds something this store did not write; everything else
 * (refused connection, retries exhausted) means the backend is unavailable.
 */
const translate = (action: string, error: unknown, key: string | undefined): Error => {
  if (isReplyError(error)) {
    if (error.message.includes('not a valid float')) return key === undefined ? new TypeError('Key-value store: a key of the batch does not hold a number', { cause: error }) : notANumberError(key);
    if (error.message.includes('NaN or Infinity')) return new RangeError(`Key-value store: ${action} would overflow`, { cause: error });
    return new SteadError('internal_error', `Key-value store (Redis): ${action} was refused`, { cause: error });
  }
  return new SteadError('service_unavailable', `Key-value store (Redis): ${action} failed`, { cause: error });
};

/**
 * The cluster key-value store on one Redis server (or a primary with replicas; not Redis Cluster, where the
 * keys of one `incrementMany` would have to share a hash slot). Increments run as one Lua script per call, so
 * `incrementMany` is a single round trip and each counter's update and TTL are applied together.
 */
export const createRedisKeyValueStore = (options: RedisKeyValueOptions): KeyValueStore => {
  if (!options.client && !options.url) throw new SteadError('config_invalid', 'Key-value store (Redis): a url or a client is required');
  const prefix = options.prefix ?? 'stead:kv:';
  const ownsClient = options.client === undefined;
  // Budget checks sit on the gateway's hot path: with Redis away a command fails after one reconnect attempt
  // (service_unavailable) instead of waiting in ioredis's offline queue through twenty.
  const client = options.client ?? new Redis(options.url!, { connectionName: 'stead-key-value', maxRetriesPerRequest: 1 });
  // Without a listener ioredis prints every connection error to stderr; route them to the caller instead.
  if (ownsClient) client.on('error', (error: unknown) => options.onError?.(error));
  let closing: Promise<void> | undefined;

  const ensureOpen = (): void => {
    if (closing) throw closedError();
  };

  const run = async <T>(action: string, key: string | undefined, command: () => Promise<T>): Promise<T> => {
    ensureOpen();
    try {
      return await command();
    } catch (error) {
      throw translate(action, error, key);
    }
  };

  const incrementAll = async (entries: readonly IncrementEntry[], key: string | undefined): Promise<number[]> => {
    if (entries.length === 0) return [];
    const keys = entries.map((entry) => prefix + entry.key);
    // String(number) never loses digits, and Redis parses its exponent form (1e-7).
    const args = entries.flatMap((entry) => [String(entry.by), String(entry.ttlMs)]);
    const replies = await run('increment', key, async () => {
      try {
        return await client.evalsha(incrementScriptSha, keys.length, ...keys, ...args);
      } catch (error) {
        // A restarted or flushed Redis forgot the script; EVAL runs it and caches it again.
        if (!isReplyError(error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return await client.eval(incrementScript, keys.length, ...keys, ...args);
      }
    });
    return (replies as string[]).map(Number);
  };

  return {
    capabilities: { crossProcess: true },

    async get(key) {
      const value = await run('get', key, () => client.get(prefix + key));
      return value ?? undefined;
    },

    async set(key, value, setOptions = {}) {
      ensureOpen();
      const ttlMs = setOptions.ttlMs === undefined ? undefined : checkTtl(setOptions.ttlMs);
      // A plain SET clears an earlier TTL, which is what the port promises.
      await run('set', key, () => (ttlMs === undefined ? client.set(prefix + key, value) : client.set(prefix + key, value, 'PX', ttlMs)));
    },

    async setIfAbsent(key, value, setOptions) {
      ensureOpen();
      const ttlMs = checkTtl(setOptions.ttlMs);
      const reply = await run('setIfAbsent', key, () => client.set(prefix + key, value, 'PX', ttlMs, 'NX'));
      return reply === 'OK';
    },

    async delete(key) {
      const removed = await run('delete', key, () => client.del(prefix + key));
      return removed > 0;
    },

    async increment(key, by, incrementOptions) {
      ensureOpen();
      const values = await incrementAll([{ key, by: checkAmount(by), ttlMs: checkTtl(incrementOptions.ttlMs) }], key);
      return values[0]!;
    },

    async incrementMany(entries) {
      ensureOpen();
      return incrementAll(checkEntries(entries), undefined);
    },

    async ping() {
      await run('ping', undefined, () => client.ping());
    },

    close() {
      closing ??= ownsClient ? closeRedisConnection(client) : Promise.resolve();
      return closing;
    },
  };
};

