import type { Clock } from '../../clock/clock.ts';
import type { DatabaseQueueRepository, JobRow } from '../database-queue.repository.ts';
import type { AttemptRunner, RunningJob } from './attempt.ts';
import { createRunningJob } from './attempt.ts';
import { newLeaseToken, processLeasePrefix } from './lease.ts';

/** Default `Worker.close` grace period. */
const defaultGraceMs = 10_000;

export interface WorkerLoopOptions {
  queue: string;
  concurrency: number;
  rateLimit: { max: number; durationMs: number } | undefined;
  /** Other processes share the database (PostgreSQL); false: this process alone works it (a SQLite file). */
  crossProcess: boolean;
  repository: DatabaseQueueRepository;
  runner: AttemptRunner;
  clock: Clock;
  leaseMs: number;
  pollMs: number;
  /** Registers a running attempt for local cancellation; returns its removal. */
  track(job: RunningJob): () => void;
  onError(error: unknown, reason: 'claim_failed' | 'attempt_end_failed', jobId?: string): void;
}

/** One worker of one queue: claims while slots are free, runs what it claimed, and drains on close. */
export interface WorkerLoop {
  /** Look for ready jobs now, or after `afterMs` (a delayed job comes due). */
  wake(afterMs?: number): void;
  close(graceMs?: number): Promise<void>;
}

const iso = (milliseconds: number): string => new Date(milliseconds).toISOString();

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * Idle workers poll every `pollMs`; wake-ups (a local enqueue, a retry coming due) claim at once, and a finished
 * job makes its worker claim the next one straight away, so throughput is bounded by the database, not the poll.
 */
export const startWorkerLoop = (options: WorkerLoopOptions): WorkerLoop => {
  const { queue, concurrency, rateLimit, repository, clock } = options;
  const active = new Map<RunningJob, Promise<void>>();
  const wakeTimers = new Set<NodeJS.Timeout>();
  const idle = new Set<() => void>();
  let stopping = false;
  let pumping: Promise<void> | undefined;
  let pumpAgain = false;
  let lastStalledCheck = Number.NEGATIVE_INFINITY;
  // One process works a SQLite file: at start, active jobs leased by another process are a dead one's.
  let takeOverForeign = !options.crossProcess;
  const prepared = repository.ensureQueue(queue, clock.now().toISOString());

  const claim = (wanted: number, leaseToken: string): Promise<JobRow[]> => {
    const now = clock.now().getTime();
    // Looking for stalled jobs once per poll interval is enough: a stalled job has waited out its lease anyway.
    const recoverStalled = performance.now() - lastStalledCheck >= options.pollMs;
    if (recoverStalled) lastStalledCheck = performance.now();
    return repository.claim({
      queue,
      now: iso(now),
      limit: wanted,
      leaseToken,
      leaseExpiresAt: iso(now + options.leaseMs),
      rateLimit: rateLimit && { max: rateLimit.max, windowStart: iso(now - rateLimit.durationMs) },
      recoverStalled,
      takeOverExcept: takeOverForeign ? processLeasePrefix : undefined,
    });
  };

  const start = (row: JobRow, leaseToken: string): void => {
    const job = createRunningJob(row.id, leaseToken);
    const untrack = options.track(job);
    const done = options.runner
      .run(row, job)
      .catch((error: unknown) => options.onError(error, 'attempt_end_failed', row.id))
      .finally(() => {
        active.delete(job);
        untrack();
        if (active.size === 0) for (const resolve of idle) resolve();
        pump();
      });
    active.set(job, done);
  };

  /** Claims jobs while slots are free; wake-ups that arrive meanwhile make it look once more. */
  const pump = (): void => {
    if (stopping) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = (async () => {
      try {
        await prepared;
        do {
          pumpAgain = false;
          while (!stopping && active.size < concurrency) {
            const wanted = concurrency - active.size;
            const leaseToken = newLeaseToken();
            const rows = await claim(wanted, leaseToken);
            for (const row of rows) {
              // Claimed while close() began: hand the job straight back rather than start it.
              if (stopping) await repository.release(row.id, leaseToken, clock.now().toISOString());
              else start(row, leaseToken);
            }
            if (rows.length < wanted) break;
          }
        } while (pumpAgain && !stopping);
        takeOverForeign = false;
      } catch (error) {
        options.onError(error, 'claim_failed');
      } finally {
        pumping = undefined;
      }
    })();
  };

  const wake = (afterMs = 0): void => {
    if (stopping) return;
    if (afterMs <= 0) {
      pump();
      return;
    }
    const timer = setTimeout(() => {
      wakeTimers.delete(timer);
      pump();
    }, afterMs + 1);
    timer.unref();
    wakeTimers.add(timer);
  };

  const poll = setInterval(pump, options.pollMs);
  pump();

  let closing: Promise<void> | undefined;
  const close = (graceMs = defaultGraceMs): Promise<void> => {
    closing ??= (async () => {
      stopping = true;
      clearInterval(poll);
      for (const timer of wakeTimers) clearTimeout(timer);
      await pumping;
      if (active.size > 0) {
        let resolveIdle!: () => void;
        const drained = new Promise<void>((resolve) => (resolveIdle = resolve));
        idle.add(resolveIdle);
        await Promise.race([drained, sleep(graceMs)]);
        idle.delete(resolveIdle);
      }
      // Jobs still running after the grace period go back to the queue at once, uncounted.
      const remaining = [...active];
      for (const [job] of remaining) job.abort('closing');
      await Promise.all(remaining.map(([, done]) => done));
    })();
    return closing;
  };

  return { wake, close };
};
