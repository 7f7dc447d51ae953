import type { z } from 'zod';

/** What a run kind's `run` gets besides its input. */
export interface RunContext {
  runId: string;
  workspaceId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Stable across attempts and retries of this run: send it with every external side effect. */
  idempotencyKey: string;
  /** Fires on cancel, timeout, lost lease or shutdown; pass it to every outbound call. */
  signal: AbortSignal;
  /** Stored (dropped once another attempt has replaced this one), and streamed to live views. */
  progress(percent: number, message?: string): Promise<void>;
  log(line: string): Promise<void>;
  /**
   * The value of a workspace secret (the workspace secrets store, nothing else), if the run's creator may use it;
   * throws `UnrecoverableJobError` naming `secret_unknown` / `secret_not_usable` otherwise.
   */
  secret(name: string): Promise<string>;
}

/** What a stored input shows in place of a credential (a header value moved to encrypted storage). */
export const redactedValue = '[redacted]';

/**
 * Credential values inside an input that are never stored in the run (or schedule) row: `seal` moves them out
 * (the row keeps `[redacted]`), the runs service stores them encrypted per run, and `unseal` puts them back
 * just before the run executes. `redact` hides them in reads of rows stored before sealing existed.
 */
export interface InputSealing<TInput = unknown> {
  /** `previous`: values sealed earlier for the same input; a `[redacted]` placeholder keeps the previous value. */
  seal(input: TInput, previous?: Record<string, string>): { input: TInput; sealed: Record<string, string> };
  /** Throws when a placeholder has no sealed value. */
  unseal(input: TInput, sealed: Record<string, string>): TInput;
  redact(input: unknown): unknown;
}

/**
 * A kind of durable work, declared by the feature that owns it and handed to the runs service. `run` steers
 * retries like any job handler: throw `UnrecoverableJobError` for a failure another attempt cannot fix (a 4xx
 * answer), `DelayJobError` to wait without spending an attempt; any other error is retried with backoff.
 */
export interface RunKind<TInput = unknown> {
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
  /** The JSON stored as the run's output. */
  run(input: TInput, context: RunContext): Promise<unknown>;
}

/** Keeps `TInput` checked between the schema, the example and `run` while registering kinds in one list. */
export const defineRunKind = <TInput>(kind: RunKind<TInput>): RunKind => kind as unknown as RunKind;
