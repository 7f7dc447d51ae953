import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { runInputSecretName, type RunInputs } from './run-inputs.ts';
import type { RunEnqueue } from './run-enqueue.ts';
import type { RunReads } from './run-reads.ts';
import type { RunsRepository } from './runs.repository.ts';
import type { Run } from './runs.schema.ts';
import type { CreateRunRequest, RunSecretUser, RunVault } from './runs.service.ts';

const defaultMaxAttempts = 3;
const defaultMaxInterruptedAttempts = 5;

export interface RunCreationOptions {
  repository: RunsRepository;
  clock: Clock;
  ids: Ids;
  inputs: RunInputs;
  vault: RunVault;
  enqueue: RunEnqueue;
  reads: RunReads;
  /** Tells the run's observer, before commit. */
  announce(run: Run): void;
}

/** Stores the run and its queue job in one step: once the returned promise resolves, the run will be carried out. */
export const createRunCreation =
  ({ repository, clock, ids, inputs, vault, enqueue, reads, announce }: RunCreationOptions) =>
  async (workspaceId: string, request: CreateRunRequest): Promise<Run> => {
    const kind = inputs.kind(request.kind);
    const input = inputs.validate(kind, request.input);
    if (request.idempotencyKey) {
      const existing = await repository.findByIdempotencyKey(workspaceId, request.idempotencyKey);
      if (existing) return reads.shown(existing);
    }
    if (request.parentRunId) await reads.findOrThrow(workspaceId, request.parentRunId);
    const { origin } = request;
    const user: RunSecretUser = { userId: origin.userId ?? null, role: origin.role ?? (origin.type === 'cli' ? 'owner' : null) };
    await inputs.checkSecrets(workspaceId, kind, input, user);
    const sealed = inputs.seal(kind, input);
    const at = clock.now();
    const run: Run = {
      id: ids.next(),
      workspaceId,
      kind: kind.name,
      feature: request.feature,
      input: sealed.input,
      state: 'queued',
      attempts: 0,
      maxAttempts: request.maxAttempts ?? kind.maxAttempts ?? defaultMaxAttempts,
      interruptedAttempts: 0,
      maxInterruptedAttempts: defaultMaxInterruptedAttempts,
      currentAttemptId: null,
      jobId: null,
      progress: null,
      output: null,
      error: null,
      parentRunId: request.parentRunId ?? null,
      idempotencyKey: request.idempotencyKey ?? null,
      origin: { type: origin.type, id: origin.id ?? null },
      createdBy: user.userId,
      createdByRole: user.role,
      createdAt: at.toISOString(),
      runAt: new Date(at.getTime() + (request.delayMs ?? 0)).toISOString(),
      startedAt: null,
      finishedAt: null,
      updatedAt: at.toISOString(),
    };
    const hasSealed = Object.keys(sealed.sealed).length > 0;
    // Stored before the row, so a worker never finds the run without its values.
    if (hasSealed) await vault.store(workspaceId, runInputSecretName(run.id), JSON.stringify(sealed.sealed));
    const key = `run:${run.id}`;
    let outboxed: boolean;
    try {
      outboxed = await repository.transaction(async (tx, transaction) => {
        await tx.insert(run);
        const viaOutbox = await enqueue.within(tx, transaction, run, key);
        // Announced before commit: once committed a worker may announce `running` before this request resumes,
        // and a later `queued` would leave live views showing a finished run as queued.
        announce(reads.shown(run));
        return viaOutbox;
      });
    } catch (error) {
      if (hasSealed) await vault.remove(workspaceId, runInputSecretName(run.id));
      // Two requests with one idempotency key raced: the unique index let one through; answer with it.
      const winner = request.idempotencyKey ? await repository.findByIdempotencyKey(workspaceId, request.idempotencyKey) : undefined;
      if (winner) return reads.shown(winner);
      throw error;
    }
    // Committed: the run will be carried out. A failed hand-over is left to the relay, never to the caller.
    if (outboxed) await enqueue.handOver(run.id, key);
    return reads.shown(run);
  };
