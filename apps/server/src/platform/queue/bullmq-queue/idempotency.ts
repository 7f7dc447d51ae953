import type { BullmqConnection } from './connection.ts';

/**
 * A stale idempotency claim (its creator died between claiming the key and adding the job) is taken over after
 * this long; until then a second enqueue waits for the first one's job to appear.
 */
export const claimGraceMs = 5_000;

/**
 * Claims an idempotency key for a new job id, atomically. The current holder wins unless it was cancelled, or
 * its job never appeared within the grace period. Returns `{ id, queue, status }` with status `claimed`,
 * `existing` or `pending`. Runs on keys it computes (the job hash), so it is not Redis Cluster-safe — nor is
 * BullMQ without hash tags.
 */
const claimScript = `
local current = redis.call('HMGET', KEYS[1], 'id', 'queue', 'at')
if current[1] and redis.call('HEXISTS', KEYS[3], current[1]) == 0 then
  if redis.call('EXISTS', ARGV[3] .. ':' .. current[2] .. ':' .. current[1]) == 1 then
    return { current[1], current[2], 'existing' }
  end
  if tonumber(current[3]) + tonumber(ARGV[5]) > tonumber(ARGV[4]) then
    return { current[1], current[2], 'pending' }
  end
end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'queue', ARGV[2], 'at', ARGV[4])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return { ARGV[1], ARGV[2], 'claimed' }
`;

export type KeyClaim = { id: string; status: 'claimed' | 'existing' | 'pending' };

/** Claims `key` for job `id` of `queue`; with `takeOverStale`, a pending claim of any age is taken over. */
export const claimIdempotencyKey = async (connection: BullmqConnection, claim: { key: string; id: string; queue: string; takeOverStale: boolean }): Promise<KeyClaim> => {
  const { client, keys, prefix } = connection;
  const [id, , status] = (await client.eval(
    claimScript,
    3,
    keys.idempotency(claim.key),
    keys.index,
    keys.cancelled,
    claim.id,
    claim.queue,
    prefix,
    Date.now(),
    claim.takeOverStale ? 0 : claimGraceMs,
  )) as [string, string, KeyClaim['status']];
  return { id, status };
};
