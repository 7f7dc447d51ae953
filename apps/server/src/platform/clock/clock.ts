import { randomFillSync } from 'node:crypto';

/** Time source; tests inject a fixed or stepping clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Id source; tests may inject a deterministic one. */
export interface Ids {
  /** A new id: 48-bit millisecond time then 80 random bits, base32 — unique, and sortable by creation time. */
  next(): string;
}

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

const encodeBase32 = (value: bigint, length: number): string => {
  let out = '';
  for (let index = 0; index < length; index += 1) {
    out = alphabet[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
};

// Random bytes are drawn a kilobyte at a time: one system call per hundred ids instead of one per id.
const randomPool = Buffer.alloc(1_000);
let randomOffset = randomPool.length;
const randomHex = (bytes: number): string => {
  if (randomOffset + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  randomOffset += bytes;
  return randomPool.toString('hex', randomOffset - bytes, randomOffset);
};

/**
 * Ids are strictly increasing within a process: inside one millisecond (or if the clock steps back) the
 * random part is incremented instead of drawn again, so rows ordered by id keep their creation order
 * (log lines, audit events).
 */
export const createIds = (clock: Clock = systemClock): Ids => {
  let lastTime = -1n;
  let lastRandom = 0n;
  return {
    next: () => {
      const time = BigInt(clock.now().getTime());
      if (time > lastTime) {
        lastTime = time;
        lastRandom = BigInt(`0x${randomHex(10)}`) >> 1n; // headroom for increments
      } else {
        lastRandom += 1n;
      }
      return encodeBase32(lastTime, 10) + encodeBase32(lastRandom, 16);
    },
  };
};
