import { expect, it } from 'vitest';
import { z } from 'zod';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { createIds, systemClock, type Clock } from '../../platform/clock/clock.ts';
import type { DatabaseHandle } from '../../platform/database/database.port.ts';
import { createDatabaseQueue } from '../../platform/queue/database-queue.adapter.ts';
import { JobAbortedError, type EnqueueOptions, type JobContext, type JobHandlers, type JobQueue, type JobRecord } from '../../platform/queue/queue.port.ts';
import { defineRunKind, type RunContext } from './runs.kinds.ts';
import { createRunsRepository } from './runs.repository.ts';
import type { RunEndEvent } from './runs.schema.ts';
import { createRunsService, type RunsService } from './runs.service.ts';

/**
 * The runs service against a real database and a queue that only records: each test plays the queue's part
 * (calling the handler as a worker would, twice at once for a stalled process) to reach the races a crash makes.
 */

interface RecordingQueue extends JobQueue {
  jobs: { payload: unknown; options: EnqueueOptions }[];
  handlers: JobHandlers;
  failNextEnqueue: boolean;
}

const recordingQueue = (transactional: boolean): RecordingQueue => {
  const queue: RecordingQueue = {
    capabilities: { crossProcess: true, transactional },
    jobs: [],
    handlers: {},
    failNextEnqueue: false,
    async enqueue(name, payload, options = {}) {
      if (queue.failNextEnqueue) {
        queue.failNextEnqueue = false;
        throw new Error('redis is away');
      }
      const existing = queue.jobs.findIndex((job) => job.options.idempotencyKey === options.idempotencyKey);
      if (existing < 0) queue.jobs.push({ payload, options });
      return { id: `job-${existing < 0 ? queue.jobs.length : existing + 1}`, name, payload } as unknown as JobRecord<never>;
    },
    get: async () => undefined,
    cancel: async () => true,
    retry: async () => false,
    work(_queue, handlers) {
      Object.assign(queue.handlers, handlers);
      return { close: async () => {} };
    },
    close: async () => {},
  };
  return queue;
};

/** A kind whose attempts wait until the test lets them finish. */
const gatedKind = () => {
  const gates: (() => void)[] = [];
  const contexts: RunContext[] = [];
  const kind = defineRunKind({
    name: 'test.gated',
    description: 'waits for the test',
    input: z.strictObject({ label: z.string() }),
    example: { label: 'x' },
    maxAttempts: 1,
    async run(input, context) {
      contexts.push(context);
      await context.log(`start ${context.attempt}`);
      await new Promise<void>((resolve) => gates.push(resolve));
      context.signal.throwIfAborted(); // as a request given the signal would
      await context.progress(100, `end ${context.attempt}`);
      await context.log(`end ${context.attempt}`);
      return { label: input.label, attempt: context.attempt };
    },
  });
  return { kind, gates, contexts };
};

const jobContext = (runId: string, attempt = 1, signal = new AbortController().signal): JobContext<{ runId: string }> => ({
  id: `job-${runId}`,
  name: 'run.execute',
  payload: { runId },
  attempt,
  stalls: 0,
  idempotencyKey: `run:${runId}`,
  signal,
  progress: async () => {},
});

const waitUntil = async (check: () => boolean): Promise<void> => {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 5_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const setUp = async (database: DatabaseHandle, options: { transactional?: boolean; clock?: Clock } = {}) => {
  const workspaceId = createIds().next();
  const at = new Date().toISOString();
  await database.db.insertInto('workspace').values({ id: workspaceId, name: 'Runs', slug: `runs-${workspaceId}`, createdAt: at, updatedAt: at }).execute();
  const queue = recordingQueue(options.transactional ?? false);
  const gated = gatedKind();
  const ended: RunEndEvent[] = [];
  const runs: RunsService = createRunsService({
    repository: createRunsRepository(database.db),
    queue,
    clock: options.clock ?? systemClock,
    ids: createIds(),
    kinds: () => [gated.kind],
    secrets: { check: async () => {}, reveal: async () => 'secret' },
    vault: { store: async () => {}, reveal: async () => undefined, remove: async () => {} },
    domainEvents: { emit: async (event) => void ended.push(event) },
  });
  runs.work({ concurrency: 1 });
  const execute = (runId: string, attempt?: number, signal?: AbortSignal) => queue.handlers['run.execute']!(jobContext(runId, attempt, signal));
  const create = (extra: { idempotencyKey?: string; parentRunId?: string } = {}) => runs.create(workspaceId, { kind: 'test.gated', input: { label: 'a' }, feature: 'tests', origin: { type: 'api' }, ...extra });
  return { workspaceId, queue, gated, ended, runs, execute, create };
};

describeEachDialect('runs', (use) => {
  it('stores a run with its job in one step, carries it out, and announces run-end once; children list the parts', async () => {
    const { workspaceId, queue, gated, ended, runs, execute, create } = await setUp(use());
    const parent = await create();
    expect(parent).toMatchObject({ state: 'queued', attempts: 0, interruptedAttempts: 0, feature: 'tests' });
    expect(queue.jobs).toEqual([expect.objectContaining({ payload: { runId: parent.id }, options: expect.objectContaining({ idempotencyKey: `run:${parent.id}`, queue: 'runs' }) })]);
    const child = await create({ parentRunId: parent.id });
    expect((await runs.children(parent.id)).map((run) => run.id)).toEqual([child.id]);

    const done = execute(parent.id);
    await waitUntil(() => gated.gates.length === 1);
    expect(await runs.get(workspaceId, parent.id)).toMatchObject({ state: 'running', attempts: 1 });
    gated.gates[0]!();
    await done;
    const detail = await runs.detail(workspaceId, parent.id);
    expect(detail.run).toMatchObject({ state: 'succeeded', output: { label: 'a', attempt: 1 }, progress: { percent: 100, message: 'end 1' } });
    expect(detail.logs.map((line) => line.line)).toEqual(['start 1', 'end 1']);
    expect(ended).toEqual([expect.objectContaining({ type: 'run-end', runId: parent.id, state: 'succeeded', feature: 'tests' })]);
    // A job delivered again after the end does nothing.
    await execute(parent.id);
    expect(ended).toHaveLength(1);
  });

  it('answers concurrent creates with one idempotency key with one run and one job', async () => {
    const { queue, create } = await setUp(use());
    const created = await Promise.all(Array.from({ length: 5 }, () => create({ idempotencyKey: 'same' })));
    expect(new Set(created.map((run) => run.id)).size).toBe(1);
    expect(queue.jobs).toHaveLength(1);
  });

  it('fences a stalled attempt: the attempt that replaced it wins, the late writes are dropped, the cut shows as crash-cut', async () => {
    const { workspaceId, gated, ended, runs, execute, create } = await setUp(use());
    const run = await create();
    const stalled = execute(run.id);
    await waitUntil(() => gated.gates.length === 1);
    // The lease ran out: the queue hands the job to another worker (a stall does not count as an attempt).
    const replacement = execute(run.id);
    await waitUntil(() => gated.gates.length === 2);
    gated.gates[1]!();
    await replacement;
    // The stalled process wakes up and finishes: nothing it writes lands.
    gated.gates[0]!();
    await stalled;
    const detail = await runs.detail(workspaceId, run.id);
    expect(detail.run).toMatchObject({ state: 'succeeded', attempts: 1, maxAttempts: 1, interruptedAttempts: 1, output: { attempt: 2 }, progress: { percent: 100, message: 'end 2' } });
    expect(detail.attempts.map((attempt) => [attempt.number, attempt.outcome, attempt.error])).toEqual([
      [1, 'interrupted', 'The worker stopped before the attempt finished'],
      [2, 'succeeded', null],
    ]);
    expect(detail.logs.map((line) => line.line)).toEqual(['start 1', 'start 2', 'end 2']);
    expect(ended).toHaveLength(1);
  });

  it('a lost lease on the only attempt puts the run back in the queue, never leaves it queued after the job ended', async () => {
    const { workspaceId, gated, runs, execute, create } = await setUp(use());
    const run = await create();
    const abort = new AbortController();
    const cut = execute(run.id, 1, abort.signal);
    await waitUntil(() => gated.gates.length === 1);
    abort.abort(new JobAbortedError('lease-lost', 'the lease was lost'));
    gated.gates[0]!();
    await expect(cut).rejects.toThrow();
    expect(await runs.get(workspaceId, run.id)).toMatchObject({ state: 'queued', attempts: 0, interruptedAttempts: 1 });
    // The queue runs it again (a lost lease does not count against maxAttempts): it succeeds.
    const again = execute(run.id, 1);
    await waitUntil(() => gated.gates.length === 2);
    gated.gates[1]!();
    await again;
    expect(await runs.get(workspaceId, run.id)).toMatchObject({ state: 'succeeded', attempts: 1, interruptedAttempts: 1 });
  });

  it('fails a run cut off more often than its ceiling with an error of its own; retry runs it again', async () => {
    const { workspaceId, gated, ended, runs, execute, create } = await setUp(use());
    const run = await create();
    // Each delivery finds the previous attempt still running: its worker died.
    const pending = [];
    for (let delivery = 1; delivery <= 6; delivery += 1) {
      pending.push(execute(run.id));
      await waitUntil(() => gated.gates.length === delivery);
    }
    await execute(run.id);
    const failed = await runs.get(workspaceId, run.id);
    expect(failed).toMatchObject({ state: 'failed', interruptedAttempts: 6, maxInterruptedAttempts: 5 });
    expect(failed.error).toBe('Cut off 6 times by a stopped worker or a lost lease (at most 5 allowed)');
    expect(ended).toEqual([expect.objectContaining({ state: 'failed' })]);
    for (const gate of gated.gates) gate();
    await Promise.allSettled(pending);
    expect(await runs.get(workspaceId, run.id)).toMatchObject({ state: 'failed' });

    expect(await runs.retry(workspaceId, run.id)).toMatchObject({ state: 'queued', attempts: 0, interruptedAttempts: 0, error: null });
    const again = execute(run.id);
    await waitUntil(() => gated.gates.length === 7);
    gated.gates[6]!();
    await again;
    expect(await runs.get(workspaceId, run.id)).toMatchObject({ state: 'succeeded' });
  });

  it('hands an outbox row the request could not deliver to the queue by the relay, and cancels without a job', async () => {
    let now = Date.now();
    const { workspaceId, queue, runs, create } = await setUp(use(), { clock: { now: () => new Date(now) } });
    queue.failNextEnqueue = true;
    const run = await create();
    expect(queue.jobs).toEqual([]);
    expect(await runs.relay()).toBe(0); // too young: its request may still be handing it over
    now += 2_000;
    expect(await runs.relay()).toBe(1);
    expect(queue.jobs).toEqual([expect.objectContaining({ payload: { runId: run.id } })]);
    expect((await runs.get(workspaceId, run.id)).jobId).toBe('job-1');
    expect(await runs.relay()).toBe(0);

    queue.failNextEnqueue = true;
    const unsent = await create();
    expect(await runs.cancel(workspaceId, unsent.id)).toMatchObject({ state: 'cancelled' });
    now += 2_000;
    expect(await runs.relay()).toBe(0);
    await expect(runs.cancel(workspaceId, unsent.id)).rejects.toMatchObject({ code: 'task_state_conflict' });
  });

  it('on the database queue, writes the run and its job in one transaction: a create that loses an idempotency race leaves no job', async () => {
    const database = use();
    const { workspaceId } = await setUp(database);
    const queue = createDatabaseQueue({ database, pollMs: 10 });
    expect(queue.capabilities.transactional).toBe(true);
    const runs = createRunsService({
      repository: createRunsRepository(database.db),
      queue,
      clock: systemClock,
      ids: createIds(),
      kinds: () => [gatedKind().kind],
      secrets: { check: async () => {}, reveal: async () => 'secret' },
      vault: { store: async () => {}, reveal: async () => undefined, remove: async () => {} },
      domainEvents: { emit: async () => {} },
    });
    const jobsOf = async (ids: string[]) => (await database.db.selectFrom('job').select(['id', 'payload', 'name']).where('name', '=', 'run.execute').execute()).filter((job) => ids.some((id) => job.payload.includes(id)));
    const created = await Promise.all(Array.from({ length: 4 }, () => runs.create(workspaceId, { kind: 'test.gated', input: { label: 'b' }, feature: 'tests', origin: { type: 'cli' }, idempotencyKey: 'once' })));
    const ids = [...new Set(created.map((run) => run.id))];
    expect(ids).toHaveLength(1);
    const jobs = await jobsOf(ids);
    expect(jobs).toHaveLength(1);
    expect(JSON.parse(jobs[0]!.payload)).toEqual({ runId: ids[0] });
    expect((await runs.get(workspaceId, ids[0]!)).jobId).toBe(jobs[0]!.id);
    expect(await database.db.selectFrom('runOutbox').selectAll().execute()).toEqual([]);
    await queue.close();
  });
});
