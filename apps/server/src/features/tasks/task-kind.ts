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
  /**
   * The value of a workspace secret (the workspace secrets store, nothing else), if the task's creator may use it;
   * throws `UnrecoverableJobError` naming `secret_unknown` / `secret_not_usable` otherwise.
   */
  secret(name: string): Promise<string>;
}

/** What a stored input shows in place of a credential (a header value moved to encrypted storage). */
export const redactedValue = '[redacted]';

/**
 * Credential values inside an input that are never stored in the task (or schedule) row: `seal` moves them out
 * (the row keeps `[redacted]`), the tasks service stores them encrypted per task, and `unseal` puts them back
 * just before the task runs. `redact` hides them in reads of rows stored before sealing existed.
 */
export interface InputSealing<TInput = unknown> {
  /** `previous`: values sealed earlier for the same input; a `[redacted]` placeholder keeps the previous value. */
  seal(input: TInput, previous?: Record<string, string>): { input: TInput; sealed: Record<string, string> };
  /** Throws when a placeholder has no sealed value. */
  unseal(input: TInput, sealed: Record<string, string>): TInput;
  redact(input: unknown): unknown;
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
  /** Names of workspace secrets the input uses: checked against the creator's role at creation and at run time. */
  secretNames?(input: TInput): string[];
  /** Credential values in the input that are stored encrypted, not in the row (`http.request` headers). */
  sealing?: InputSealing<TInput>;
  /** The JSON stored as the task's output. */
  run(input: TInput, context: TaskRunContext): Promise<unknown>;
}

/** Keeps `TInput` checked between the schema, the example and `run` while registering kinds in one list. */
export const defineTaskKind = <TInput>(kind: TaskKind<TInput>): TaskKind => kind as unknown as TaskKind;
