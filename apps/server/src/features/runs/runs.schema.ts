import type { DomainEventOf } from '../../platform/events/domain-events.ts';
import type { WorkspaceRole } from '../../platform/http/permissions.ts';

export const runStates = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'] as const;
export type RunState = (typeof runStates)[number];
/** States a run does not leave by itself. */
export const finishedRunStates: readonly RunState[] = ['succeeded', 'failed', 'cancelled'];
export const isFinishedRunState = (state: RunState): boolean => finishedRunStates.includes(state);

export type RunOriginType = 'api' | 'cli' | 'schedule';
export type RunAttemptOutcome = 'running' | 'succeeded' | 'failed' | 'interrupted' | 'delayed';

/** A run as the runs service and its repository hand it around (JSON parsed, progress as one value). */
export interface Run {
  id: string;
  workspaceId: string;
  kind: string;
  feature: string;
  /** As stored: sealed credentials show as `[redacted]`. */
  input: unknown;
  state: RunState;
  attempts: number;
  maxAttempts: number;
  interruptedAttempts: number;
  maxInterruptedAttempts: number;
  currentAttemptId: string | null;
  jobId: string | null;
  progress: { percent: number; message: string | null } | null;
  output: unknown;
  error: string | null;
  parentRunId: string | null;
  idempotencyKey: string | null;
  origin: { type: RunOriginType; id: string | null };
  createdBy: string | null;
  createdByRole: WorkspaceRole | null;
  createdAt: string;
  runAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface RunAttempt {
  id: string;
  number: number;
  startedAt: string;
  finishedAt: string | null;
  outcome: RunAttemptOutcome;
  error: string | null;
}

export interface RunLogLine {
  id: string;
  attempt: number;
  at: string;
  line: string;
}

export interface RunDetail {
  run: Run;
  attempts: RunAttempt[];
  logs: RunLogLine[];
}

export interface RunListQuery {
  state?: RunState;
  kind?: string;
  feature?: string;
  /** Runs started by this schedule (or other origin). */
  originId?: string;
  /** ISO times: created at or after `from`, before `to`. */
  from?: string;
  to?: string;
  limit: number;
  /** The last id of the previous page. */
  cursor?: string;
}

declare module '../../platform/events/domain-events.ts' {
  interface DomainEventMap {
    /** A run reached `succeeded`, `failed` or `cancelled`, for the features that react to it. */
    'run-end': { runId: string; workspaceId: string; kind: string; feature: string; parentRunId: string | null; state: 'succeeded' | 'failed' | 'cancelled'; error: string | null };
  }
}

/** Announced when a run reaches `succeeded`, `failed` or `cancelled`. */
export type RunEndEvent = DomainEventOf<'run-end'>;
