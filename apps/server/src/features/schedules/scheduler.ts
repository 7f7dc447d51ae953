import type { Logger } from 'pino';
import type { Ids } from '../../platform/clock/clock.ts';
import type { DatabaseClock } from '../../platform/database/database-clock.ts';
import type { SchedulesRepository } from './schedules.repository.ts';
import type { SchedulesService } from './schedules.service.ts';

/** The lease row every node competes for; one scheduler leads the whole cluster. */
export const schedulerLeaseName = 'scheduler';

export interface SchedulerOptions {
  service: Pick<SchedulesService, 'tick'>;
  leases: Pick<SchedulesRepository, 'acquireLease' | 'releaseLease'>;
  /** The database's time, so lease expiry means the same on every node. */
  clock: DatabaseClock;
  ids: Ids;
  logger: Pick<Logger, 'debug' | 'info' | 'warn'>;
  /** Pause between the end of one tick and the start of the next. Default 1,000 ms. */
  tickMs?: number;
  /**
   * How long leadership lasts without renewal (every tick renews it); a leader that dies is replaced after at
   * most this long. Must exceed `tickMs` plus a tick's duration. Default 10,000 ms.
   */
  leaseMs?: number;
  /** This node's name in the lease. Default a fresh id. */
  holder?: string;
}

export interface Scheduler {
  /** Starts the loop; calling it again while running does nothing. */
  start(): void;
  /** Stops the loop, waits for a running tick, and gives up leadership at once so another node takes over. */
  stop(): Promise<void>;
  isLeader(): boolean;
  readonly holder: string;
}

/**
 * The scheduler loop: every tick, take or renew the lease, and only the leader calls `service.tick()`. Fire
 * keys make fires happen once even if two nodes briefly both believe they lead (a tick longer than the lease).
 * Errors are logged and the loop goes on.
 */
export const createScheduler = ({ service, leases, clock, ids, logger, tickMs = 1000, leaseMs = 10_000, holder = ids.next() }: SchedulerOptions): Scheduler => {
  let running = false;
  let leader = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;

  const cycle = async (): Promise<void> => {
    try {
      const now = await clock.now();
      const held = await leases.acquireLease(schedulerLeaseName, holder, now.toISOString(), new Date(now.getTime() + leaseMs).toISOString());
      if (held !== leader) logger.info({ holder }, held ? 'scheduler leadership taken' : 'scheduler leadership lost');
      leader = held;
      if (!leader) return;
      const result = await service.tick();
      for (const { scheduleId, error } of result.errors) logger.warn({ err: error, scheduleId }, 'schedule could not be handled');
      if (result.started + result.skipped + result.failed > 0) {
        logger[result.failed > 0 ? 'warn' : 'debug']({ started: result.started, skipped: result.skipped, failed: result.failed }, 'schedules fired');
      }
    } catch (error) {
      logger.warn({ err: error }, 'scheduler tick failed');
    }
  };

  const loop = (): void => {
    current = cycle().finally(() => {
      current = undefined;
      if (!running) return;
      timer = setTimeout(loop, tickMs);
      // The loop alone never keeps a process alive; the server or worker that owns it does.
      timer.unref();
    });
  };

  return {
    holder,
    isLeader: () => leader,
    start() {
      if (running) return;
      running = true;
      loop();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await current;
      if (!leader) return;
      leader = false;
      try {
        await leases.releaseLease(schedulerLeaseName, holder);
      } catch (error) {
        // The lease then simply expires.
        logger.warn({ err: error }, 'scheduler lease could not be released');
      }
    },
  };
};
