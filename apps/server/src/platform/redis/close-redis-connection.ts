import type { Redis } from 'ioredis';

/**
 * Closes a Redis connection politely: QUIT lets commands already sent (publishes, queue writes) go out first;
 * a connection that cannot answer is dropped after `graceMs`. Shared by every Redis adapter.
 */
export const closeRedisConnection = async (connection: Redis, graceMs = 2_000): Promise<void> => {
  if (connection.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connection.quit(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
  } catch {
    // Already closing or unreachable: disconnect below is all that is left to do.
  } finally {
    clearTimeout(timer);
    connection.disconnect();
  }
};
