/**
 * A unit of durable work: the only record of its state. The queue's job (`jobId`) carries nothing but the run id
 * and its lease; `input`/`output` are JSON text.
 */
export interface RunTable {
  id: string;
  workspaceId: string;
  /** `noun.verb`, declared by the feature that owns it (`http.request`, `model.prompt`). */
  kind: string;
  /** The feature that created the run (`tasks` for runs people start by hand or by schedule). */
  feature: string;
  input: string;
  /** `queued` | `running` | `retrying` | `succeeded` | `failed` | `cancelled`. */
  state: string;
  /** Attempts started and not cut off by a stopped worker (they count against `maxAttempts`). */
  attempts: number;
  maxAttempts: number;
  /** Attempts cut off by a killed or stalled worker; the run fails once there are more than `maxInterruptedAttempts`. */
  interruptedAttempts: number;
  maxInterruptedAttempts: number;
  /** The attempt allowed to write progress, logs and the end; a replaced attempt's late writes are dropped. */
  currentAttemptId: string | null;
  /** The queue job that carries the run now; null until it is handed to the queue (BullMQ, via `runOutbox`). */
  jobId: string | null;
  progressPercent: number | null;
  progressMessage: string | null;
  output: string | null;
  error: string | null;
  /** The run this one is a step or part of. */
  parentRunId: string | null;
  /** Unique per workspace when set: a repeated create returns the first run. */
  idempotencyKey: string | null;
  /** `api` | `cli` | `schedule`; `originId` names the schedule. */
  origin: string;
  originId: string | null;
  createdBy: string | null;
  /** The role the creator acted with (member role or API key role); null on rows from before it was recorded. */
  createdByRole: string | null;
  createdAt: string;
  runAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface RunAttemptTable {
  id: string;
  runId: string;
  number: number;
  startedAt: string;
  finishedAt: string | null;
  /** `running` | `succeeded` | `failed` | `interrupted` (worker lost or shut down) | `delayed`. */
  outcome: string;
  error: string | null;
}

export interface RunLogTable {
  id: string;
  runId: string;
  attempt: number;
  at: string;
  line: string;
}

/**
 * Runs whose job is not yet in a queue that cannot join the database's transaction (BullMQ): written with the run,
 * deleted once the job is enqueued under `jobKey` (an idempotency key, so handing a row over twice is harmless).
 */
export interface RunOutboxTable {
  id: string;
  runId: string;
  jobKey: string;
  createdAt: string;
}

export interface RunsTables {
  run: RunTable;
  runAttempt: RunAttemptTable;
  runLog: RunLogTable;
  runOutbox: RunOutboxTable;
}
