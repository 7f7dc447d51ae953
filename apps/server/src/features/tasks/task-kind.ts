import type { z } from 'zod';

/** What a task kind's `run` gets besides its input. */
export interface TaskRunContext {
  taskId: string;
  workspaceId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Stable across attempts and retries of this task: send it with every external side effect. */
  idempotencyKey: string;
  /** Fires on cancel, timeout, lost lease or shutdown; pass it to every outbound call. */
  signal: AbortSignal;
  /** Stored, and streamed to the tasks page. */
  progress(percent: number, message?: string): Promise<void>;
  log(line: string): Promise<void>;
}

/**
 * A kind of background work people can run as a task. Features register theirs with the tasks service.
 * `run` steers retries like any job handler: throw `UnrecoverableJobError` for a failure another attempt cannot
 * fix (a 4xx answer), `DelayJobError` to wait without spending an attempt; any other error is retried with backoff.
 */
export interface TaskKind<TInput = unknown> {
  /** `noun.verb`, e.g. `http.request`. */
  name: string;
  description: string;
  input: z.ZodType<TInput>;
  example: TInput;
  /** Default 3. */
  maxAttempts?: number;
  /** An attempt running longer is aborted and counts as failed. Default 5 minutes. */
  timeoutMs?: number;
  /** The JSON stored as the task's output. */
  run(input: TInput, context: TaskRunContext): Promise<unknown>;
}

/** Keeps `TInput` checked between the schema, the example and `run` while registering kinds in one list. */
export const defineTaskKind = <TInput>(kind: TaskKind<TInput>): TaskKind => kind as unknown as TaskKind;
