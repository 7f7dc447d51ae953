import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock/clock.ts';
import type { DatabaseQueueRepository } from '../database-queue.repository.ts';

/**
 * Starts every lease token this process hands out, so a SQLite worker starting up can tell a dead process's
 * active jobs (another prefix) from the ones running here.
 */
export const processLeasePrefix = `${randomUUID()}:`;

/** A fresh lease token of this process, for one claim. */
export const newLeaseToken = (): string => `${processLeasePrefix}${randomUUID()}`;

export interface HeartbeatOptions {
  repository: DatabaseQueueRepository;
  clock: Clock;
  leaseMs: number;
  /** `Infinity`: no renewal (tests simulating a hung worker). */
  heartbeatMs: number;
  jobId: string;
  leaseToken: string;
  /** The job is no longer held under this token: cancelled, or taken over by another worker after a stall. */
  onLost(): void;
  onError(error: unknown): void;
}

/**
 * Renews a running job's lease every `heartbeatMs` (a third of the lease by default, so two renewals may fail
 * before the lease runs out); returns the function that stops it. Each renewal also notices a cancellation made
 * by another process.
 */
export const startHeartbeat = (options: HeartbeatOptions): (() => void) => {
  if (!Number.isFinite(options.heartbeatMs)) return () => {};
  const { repository, clock, leaseMs, jobId, leaseToken } = options;
  const timer = setInterval(() => {
    const now = clock.now().getTime();
    repository.renewLease(jobId, leaseToken, new Date(now + leaseMs).toISOString(), new Date(now).toISOString()).then(
      (held) => {
        if (!held) options.onLost();
      },
      (error: unknown) => options.onError(error),
    );
  }, options.heartbeatMs);
  return () => clearInterval(timer);
};
