/**
 * A schedule that fires tasks of `kind` with `input` (JSON text). `triggerType` picks which trigger columns
 * apply: `cron` (`cronExpression` read in `timeZone`), `interval` (`intervalSeconds`, anchored to `createdAt`)
 * or `once` (`runAt`). `enabled` is 0/1; `nextFireAt` is null while disabled or when nothing is left to fire.
 */
export interface ScheduleTable {
  id: string;
  workspaceId: string;
  name: string;
  kind: string;
  input: string;
  triggerType: string;
  cronExpression: string | null;
  timeZone: string;
  intervalSeconds: number | null;
  runAt: string | null;
  enabled: number;
  /** `skip` | `run-once`: what a fire missed during downtime does. */
  missedPolicy: string;
  nextFireAt: string | null;
  lastFiredAt: string | null;
  createdBy: string | null;
  /** The role the creator acted with; its tasks use secrets as this role. Null on rows from before it was recorded. */
  createdByRole: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One fire of a schedule at its nominal time `fireAt`; `(scheduleId, fireAt)` is unique (the fire key). */
export interface ScheduleFireTable {
  id: string;
  scheduleId: string;
  fireAt: string;
  firedAt: string;
  taskId: string | null;
  /** `pending` (claimed, task being started) | `started` | `skipped` | `failed`. */
  outcome: string;
  error: string | null;
}

/** A named lease for leader election; `holder` leads until `expiresAt` unless it renews. */
export interface SchedulerLeaseTable {
  name: string;
  holder: string;
  expiresAt: string;
}

export interface SchedulesTables {
  schedule: ScheduleTable;
  scheduleFire: ScheduleFireTable;
  schedulerLease: SchedulerLeaseTable;
}
