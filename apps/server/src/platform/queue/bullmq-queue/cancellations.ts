import { JobAbortedError } from '../queue.port.ts';
import type { BullmqConnection } from './connection.ts';
import type { StoredJob } from './stored-job.ts';

/** An attempt running in this process. */
export interface RunningAttempt {
  job: StoredJob;
  controller: AbortController;
}

/** Fires the signal of this process's running attempts when any process cancels their job. */
export interface BullmqCancellations {
  /** Subscribes (once) to the cancel channel. */
  listen(): void;
  /** Makes a worker's running attempts (by lock token) reachable; returns the removal. */
  register(running: Map<string, RunningAttempt>): () => void;
  /** When a cancel of `id` was heard recently, if it was. */
  heardAt(id: string): number | undefined;
}

export const createBullmqCancellations = (connection: BullmqConnection, leaseMs: number): BullmqCancellations => {
  const workers = new Set<Map<string, RunningAttempt>>();
  /**
   * Cancels heard (id → when) that may have arrived before the job's processor registered it: the job was
   * picked up while `cancel` ran. Only a run that started before the message is affected, so a retried run is not.
   */
  const recentCancels = new Map<string, number>();
  let listening = false;

  const abortLocal = (id: string): void => {
    const now = Date.now();
    for (const [key, heardAt] of recentCancels) if (heardAt + leaseMs < now) recentCancels.delete(key);
    recentCancels.set(id, now);
    for (const running of workers) {
      for (const entry of running.values()) if (entry.job.id === id) entry.controller.abort(new JobAbortedError('cancelled', 'The job was cancelled'));
    }
  };

  return {
    listen() {
      if (listening) return;
      listening = true;
      const subscriber = connection.subscriber();
      subscriber.on('message', (_channel: string, id: string) => abortLocal(id));
      subscriber.subscribe(connection.keys.channel).catch(connection.reportConnectionError);
    },
    register(running) {
      workers.add(running);
      return () => workers.delete(running);
    },
    heardAt: (id) => recentCancels.get(id),
  };
};
