import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../../../test/support/databases.ts';
import { serviceUrl } from '../../../test/support/services.ts';
import { createIds } from '../../platform/clock/clock.ts';
import { createDatabaseClock } from '../../platform/database/database-clock.ts';
import { createPostgresDatabase } from '../../platform/database/database.factory.ts';
import type { DatabaseHandle } from '../../platform/database/database.port.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { createScheduler, schedulerLeaseName } from './scheduler.ts';
import { createSchedulesRepository } from './schedules.repository.ts';
import { createScheduleBody, type CreateScheduleInput, type ScheduleTriggerInput } from './schedules.schema.ts';
import { createSchedulesService, type ScheduleTaskStarter } from './schedules.service.ts';

const ids = createIds();
const silent = pino({ level: 'silent' });
const knownKinds = new Set(['noop', 'http.request']);

interface StartCall {
  workspaceId: string;
  kind: string;
  input: unknown;
  scheduleId: string;
  idempotencyKey: string;
}

/** A stand-in for the tasks service: records every start, honours idempotency keys, and can be made to fail. */
const recordingStarter = () => {
  const calls: StartCall[] = [];
  const tasks = new Map<string, string>();
  const starter: ScheduleTaskStarter & { calls: StartCall[]; failNext: Error | undefined } = {
    calls,
    failNext: undefined,
    async prepare(_workspaceId, kind, input) {
      if (!knownKinds.has(kind)) throw new SteadError('task_kind_unknown', `No task kind is named ${kind}`);
      return { input, sealed: {} };
    },
    redactInput: (_kind, input) => input,
    unsealInput: (_kind, input) => input,
    async start(workspaceId, request, origin) {
      calls.push({ workspaceId, kind: request.kind, input: request.input, scheduleId: origin.id, idempotencyKey: origin.idempotencyKey });
      // Yield, so ticks racing each other really interleave.
      await sleep(5);
      if (starter.failNext) {
        const error = starter.failNext;
        starter.failNext = undefined;
        throw error;
      }
      const existing = tasks.get(origin.idempotencyKey);
      if (existing) return { id: existing };
      const id = ids.next();
      tasks.set(origin.idempotencyKey, id);
      return { id };
    },
  };
  return starter;
};

/** The encrypted store, in memory. */
const memoryVault = () => {
  const values = new Map<string, string>();
  return {
    store: async (workspaceId: string | null, name: string, value: string) => void values.set(`${workspaceId}/${name}`, value),
    reveal: async (workspaceId: string | null, name: string) => values.get(`${workspaceId}/${name}`),
    remove: async (workspaceId: string | null, name: string) => void values.delete(`${workspaceId}/${name}`),
  };
};

/** A clock the test moves by hand. */
const manualClock = (start: string) => {
  let current = new Date(start);
  return {
    now: async () => current,
    set: (iso: string) => {
      current = new Date(iso);
    },
  };
};

const setUp = (handle: DatabaseHandle, start: string) => {
  const clock = manualClock(start);
  const starter = recordingStarter();
  const repository = createSchedulesRepository(handle.db, handle.sqlDialect);
  const service = createSchedulesService({ repository, starter, vault: memoryVault(), clock, ids });
  return { clock, starter, repository, service };
};

const createWorkspace = async (handle: DatabaseHandle): Promise<string> => {
  const id = ids.next();
  const at = new Date().toISOString();
  await handle.db.insertInto('workspace').values({ id, name: `Workspace ${id}`, slug: `ws-${id}`, createdAt: at, updatedAt: at }).execute();
  return id;
};

const body = (trigger: ScheduleTriggerInput, extra: Partial<Record<keyof CreateScheduleInput, unknown>> = {}): CreateScheduleInput =>
  createScheduleBody.parse({ name: 'nightly', kind: 'noop', input: { n: 1 }, trigger, ...extra });

const countSchedules = async (handle: DatabaseHandle) => (await handle.db.selectFrom('schedule').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;

describeEachDialect('schedules', (use) => {
  beforeEach(async () => {
    // Ticks see every workspace's schedules; each test starts from none.
    await use().db.deleteFrom('schedule').execute();
  });

  it('rejects a bad cron expression, time zone, past one-off time or unknown kind, and creates nothing', async () => {
    const handle = use();
    const { service } = setUp(handle, '2025-06-01T12:00:00.000Z');
    const workspaceId = await createWorkspace(handle);
    const failures: [CreateScheduleInput, string, RegExp][] = [
      [body({ type: 'cron', expression: 'every day at noon' }), 'schedule_invalid', /Invalid cron expression "every day at noon"/],
      [body({ type: 'cron', expression: '61 * * * *' }), 'schedule_invalid', /minute/],
      [body({ type: 'cron', expression: '0 0 30 2 *' }), 'schedule_invalid', /never fires/],
      [body({ type: 'cron', expression: '0 9 * * *', timeZone: 'Mars/Olympus' }), 'schedule_invalid', /Unknown time zone "Mars\/Olympus"/],
      [body({ type: 'once', at: '2025-06-01T11:59:59Z' }), 'schedule_invalid', /has passed/],
      [body({ type: 'interval', seconds: 60 }, { kind: 'no.such.kind' }), 'task_kind_unknown', /no.such.kind/],
    ];
    for (const [input, code, message] of failures) {
      const error = await service.create(workspaceId, input, { userId: null }).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(input.trigger)).toBeInstanceOf(SteadError);
      expect((error as SteadError).code).toBe(code);
      expect((error as SteadError).message).toMatch(message);
    }
    expect(Number(await countSchedules(handle))).toBe(0);
    expect(createScheduleBody.safeParse({ name: 'x', kind: 'noop', trigger: { type: 'interval', seconds: 0 } }).success).toBe(false);
  });

  it('previews fire times in a time zone across both daylight-saving changes', async () => {
    const { service, clock } = setUp(use(), '2025-03-28T12:00:00.000Z');
    // 09:00 in Berlin is 08:00 UTC in winter time and 07:00 UTC from 30 March (summer time).
    expect(await service.preview({ type: 'cron', expression: '0 9 * * *', timeZone: 'Europe/Berlin' }, 4)).toEqual([
      '2025-03-29T08:00:00.000Z',
      '2025-03-30T07:00:00.000Z',
      '2025-03-31T07:00:00.000Z',
      '2025-04-01T07:00:00.000Z',
    ]);
    // 02:30 does not exist on 30 March in Berlin; the fire moves to the first time after the gap (03:00 CEST).
    expect(await service.preview({ type: 'cron', expression: '30 2 * * *', timeZone: 'Europe/Berlin' }, 3)).toEqual([
      '2025-03-29T01:30:00.000Z',
      '2025-03-30T01:00:00.000Z',
      '2025-03-31T00:30:00.000Z',
    ]);
    clock.set('2025-10-25T12:00:00.250Z');
    expect(await service.preview({ type: 'cron', expression: '0 9 * * *', timeZone: 'europe/berlin' }, 2)).toEqual(['2025-10-26T08:00:00.000Z', '2025-10-27T08:00:00.000Z']);
    expect(await service.preview({ type: 'interval', seconds: 90 }, 3)).toEqual(['2025-10-25T12:01:30.000Z', '2025-10-25T12:03:00.000Z', '2025-10-25T12:04:30.000Z']);
    expect(await service.preview({ type: 'once', at: '2025-10-26T10:00:00+02:00' }, 3)).toEqual(['2025-10-26T08:00:00.000Z']);
    await expect(service.preview({ type: 'once', at: '2025-10-25T11:00:00Z' }, 3)).rejects.toMatchObject({ code: 'schedule_invalid' });
  });

  it('creates, lists, updates, disables, enables and removes a schedule', async () => {
    const handle = use();
    const { service, clock } = setUp(handle, '2025-01-01T00:00:30.000Z');
    const workspaceId = await createWorkspace(handle);
    const created = await service.create(workspaceId, body({ type: 'cron', expression: '0 9 * * *', timeZone: 'Europe/Berlin' }), { userId: 'user-1' });
    expect(created).toMatchObject({
      name: 'nightly',
      kind: 'noop',
      input: { n: 1 },
      enabled: true,
      missedPolicy: 'skip',
      trigger: { type: 'cron', expression: '0 9 * * *', timeZone: 'Europe/Berlin' },
      nextFireAt: '2025-01-01T08:00:00.000Z',
      nextFireTimes: ['2025-01-01T08:00:00.000Z', '2025-01-02T08:00:00.000Z', '2025-01-03T08:00:00.000Z'],
      createdBy: 'user-1',
    });
    expect((await service.list(workspaceId)).map((schedule) => schedule.id)).toEqual([created.id]);
    expect(await service.list(await createWorkspace(handle))).toEqual([]);
    await expect(service.get('another-workspace', created.id)).rejects.toMatchObject({ code: 'schedule_not_found' });

    const updated = await service.update(workspaceId, created.id, { name: 'every 10 minutes', trigger: { type: 'interval', seconds: 600 }, missedPolicy: 'run-once' });
    // Anchored to the creation time (00:00:30), not to the edit.
    expect(updated).toMatchObject({ name: 'every 10 minutes', missedPolicy: 'run-once', nextFireAt: '2025-01-01T00:10:30.000Z', input: { n: 1 } });
    await expect(service.update(workspaceId, created.id, { kind: 'no.such.kind' })).rejects.toMatchObject({ code: 'task_kind_unknown' });

    const disabled = await service.disable(workspaceId, created.id);
    expect(disabled).toMatchObject({ enabled: false, nextFireAt: null, nextFireTimes: [] });
    clock.set('2025-01-01T01:05:00.000Z');
    const enabled = await service.enable(workspaceId, created.id);
    // Fires missed while disabled are not made up: the next time after now, on the original phase.
    expect(enabled).toMatchObject({ enabled: true, nextFireAt: '2025-01-01T01:10:30.000Z' });
    expect((await service.get(workspaceId, created.id)).nextFireAt).toBe('2025-01-01T01:10:30.000Z');

    await service.remove(workspaceId, created.id);
    await expect(service.get(workspaceId, created.id)).rejects.toMatchObject({ code: 'schedule_not_found' });
    await expect(service.remove(workspaceId, created.id)).rejects.toMatchObject({ code: 'schedule_not_found' });
  });

  it('fires a due schedule exactly once at its nominal time, and records the fire', async () => {
    const handle = use();
    const { service, clock, starter } = setUp(handle, '2025-01-01T00:00:30.000Z');
    const workspaceId = await createWorkspace(handle);
    const schedule = await service.create(workspaceId, body({ type: 'cron', expression: '*/5 * * * *' }), { userId: null });
    expect(schedule.nextFireAt).toBe('2025-01-01T00:05:00.000Z');

    clock.set('2025-01-01T00:04:59.999Z');
    expect(await service.tick()).toMatchObject({ started: 0 });
    clock.set('2025-01-01T00:05:00.400Z');
    expect(await service.tick()).toMatchObject({ started: 1, skipped: 0, failed: 0 });
    expect(await service.tick()).toMatchObject({ started: 0 });
    expect(starter.calls).toEqual([
      { workspaceId, kind: 'noop', input: { n: 1 }, scheduleId: schedule.id, idempotencyKey: `schedule:${schedule.id}:2025-01-01T00:05:00.000Z` },
    ]);
    const after = await service.get(workspaceId, schedule.id);
    expect(after).toMatchObject({ nextFireAt: '2025-01-01T00:10:00.000Z', lastFiredAt: '2025-01-01T00:05:00.000Z' });
    const { fires, nextCursor } = await service.fires(workspaceId, schedule.id, { limit: 10 });
    expect(nextCursor).toBeNull();
    expect(fires).toEqual([
      { id: expect.any(String), scheduleId: schedule.id, fireAt: '2025-01-01T00:05:00.000Z', firedAt: '2025-01-01T00:05:00.400Z', taskId: expect.any(String), outcome: 'started', error: null },
    ]);

    // A start that fails is recorded, and the schedule still moves on.
    starter.failNext = new SteadError('validation_failed', 'input no longer fits the kind');
    clock.set('2025-01-01T00:10:01.000Z');
    expect(await service.tick()).toMatchObject({ started: 0, failed: 1 });
    const failed = (await service.fires(workspaceId, schedule.id, { limit: 1 }));
    expect(failed.fires[0]).toMatchObject({ fireAt: '2025-01-01T00:10:00.000Z', outcome: 'failed', taskId: null, error: '[validation_failed] input no longer fits the kind' });
    expect(failed.nextCursor).toBe('2025-01-01T00:10:00.000Z');
    expect((await service.fires(workspaceId, schedule.id, { limit: 10, cursor: failed.nextCursor! })).fires.map((fire) => fire.fireAt)).toEqual(['2025-01-01T00:05:00.000Z']);
    expect((await service.get(workspaceId, schedule.id)).nextFireAt).toBe('2025-01-01T00:15:00.000Z');
  });

  it('anchors intervals to the creation time and catches up fires within the grace window', async () => {
    const handle = use();
    const { service, clock, starter } = setUp(handle, '2025-01-01T00:00:10.000Z');
    const workspaceId = await createWorkspace(handle);
    const schedule = await service.create(workspaceId, body({ type: 'interval', seconds: 60 }), { userId: null });
    expect(schedule.nextFireTimes).toEqual(['2025-01-01T00:01:10.000Z', '2025-01-01T00:02:10.000Z', '2025-01-01T00:03:10.000Z']);

    // A tick 15 s late fires the 00:01:10 time; the next stays on the creation phase, not 60 s after the fire.
    clock.set('2025-01-01T00:01:25.000Z');
    await service.tick();
    expect((await service.get(workspaceId, schedule.id)).nextFireAt).toBe('2025-01-01T00:02:10.000Z');

    const fast = await service.create(workspaceId, body({ type: 'interval', seconds: 10 }, { name: 'fast' }), { userId: null });
    expect(fast.nextFireAt).toBe('2025-01-01T00:01:35.000Z');
    // 25 s late, within the minute of grace: every due time fires, in order.
    clock.set('2025-01-01T00:02:00.000Z');
    await service.tick();
    expect(starter.calls.filter((call) => call.scheduleId === fast.id).map((call) => call.idempotencyKey.split(':').slice(2).join(':'))).toEqual([
      '2025-01-01T00:01:35.000Z',
      '2025-01-01T00:01:45.000Z',
      '2025-01-01T00:01:55.000Z',
    ]);
    expect((await service.get(workspaceId, fast.id)).nextFireAt).toBe('2025-01-01T00:02:05.000Z');
  });

  it('after 3 hours of downtime, skips missed fires or runs once, as each schedule says', async () => {
    const handle = use();
    const { service, clock, starter } = setUp(handle, '2025-01-01T00:00:30.000Z');
    const workspaceId = await createWorkspace(handle);
    const skip = await service.create(workspaceId, body({ type: 'cron', expression: '0 * * * *' }, { name: 'hourly skip', missedPolicy: 'skip' }), { userId: null });
    const runOnce = await service.create(workspaceId, body({ type: 'interval', seconds: 300 }, { name: 'five-minutely run once', missedPolicy: 'run-once' }), { userId: null });
    const runOnceCron = await service.create(workspaceId, body({ type: 'cron', expression: '*/15 * * * *' }, { name: 'quarterly run once', missedPolicy: 'run-once' }), { userId: null });

    // The last scheduler stopped just after creation; the next one starts three hours after the first missed fire.
    clock.set('2025-01-01T04:00:40.000Z');
    expect(await service.tick()).toMatchObject({ started: 2, skipped: 1, failed: 0 });

    expect(starter.calls.filter((call) => call.scheduleId === skip.id)).toEqual([]);
    const skipped = await service.fires(workspaceId, skip.id, { limit: 10 });
    expect(skipped.fires).toEqual([expect.objectContaining({ fireAt: '2025-01-01T04:00:00.000Z', outcome: 'skipped', taskId: null, error: expect.stringMatching(/due since 2025-01-01T01:00:00.000Z/) })]);
    expect(await service.get(workspaceId, skip.id)).toMatchObject({ nextFireAt: '2025-01-01T05:00:00.000Z', lastFiredAt: null });

    // Exactly one start each, for the latest missed time.
    expect(starter.calls.filter((call) => call.scheduleId === runOnce.id).map((call) => call.idempotencyKey)).toEqual([`schedule:${runOnce.id}:2025-01-01T04:00:30.000Z`]);
    expect(await service.get(workspaceId, runOnce.id)).toMatchObject({ nextFireAt: '2025-01-01T04:05:30.000Z', lastFiredAt: '2025-01-01T04:00:30.000Z' });
    expect(starter.calls.filter((call) => call.scheduleId === runOnceCron.id).map((call) => call.idempotencyKey)).toEqual([`schedule:${runOnceCron.id}:2025-01-01T04:00:00.000Z`]);
    expect((await service.get(workspaceId, runOnceCron.id)).nextFireAt).toBe('2025-01-01T04:15:00.000Z');

    expect(await service.tick()).toMatchObject({ started: 0, skipped: 0 });
  });

  it('disables a one-off schedule after it fires, even when it was missed', async () => {
    const handle = use();
    const { service, clock, starter } = setUp(handle, '2025-01-01T00:00:00.000Z');
    const workspaceId = await createWorkspace(handle);
    const once = await service.create(workspaceId, body({ type: 'once', at: '2025-01-01T00:10:00Z' }), { userId: null });
    const missed = await service.create(workspaceId, body({ type: 'once', at: '2025-01-01T00:20:00Z' }, { name: 'missed' }), { userId: null });
    expect(once.nextFireTimes).toEqual(['2025-01-01T00:10:00.000Z']);

    clock.set('2025-01-01T00:10:01.000Z');
    expect(await service.tick()).toMatchObject({ started: 1 });
    expect(await service.get(workspaceId, once.id)).toMatchObject({ enabled: false, nextFireAt: null, nextFireTimes: [], lastFiredAt: '2025-01-01T00:10:00.000Z' });

    clock.set('2025-01-01T02:00:00.000Z');
    expect(await service.tick()).toMatchObject({ started: 0, skipped: 1 });
    expect(await service.get(workspaceId, missed.id)).toMatchObject({ enabled: false, nextFireAt: null });
    expect(starter.calls.map((call) => call.scheduleId)).toEqual([once.id]);
    await expect(service.enable(workspaceId, once.id)).rejects.toMatchObject({ code: 'schedule_invalid', message: expect.stringMatching(/has passed/) });
  });

  it('starts each fire once when ticks race', async () => {
    const handle = use();
    const { service, clock, starter } = setUp(handle, '2025-01-01T00:00:00.000Z');
    const workspaceId = await createWorkspace(handle);
    for (const seconds of [10, 20, 30]) await service.create(workspaceId, body({ type: 'interval', seconds }, { name: `every ${seconds}` }), { userId: null });
    clock.set('2025-01-01T00:00:30.500Z');
    const results = await Promise.all([service.tick(), service.tick(), service.tick()]);
    // 10 s: 00:10, 00:20, 00:30; 20 s: 00:20; 30 s: 00:30.
    expect(results.reduce((sum, result) => sum + result.started, 0)).toBe(5);
    expect(starter.calls).toHaveLength(5);
    expect(new Set(starter.calls.map((call) => call.idempotencyKey)).size).toBe(5);
  });

  it('finishes a fire whose node died after claiming it', async () => {
    const handle = use();
    const { service, clock, starter, repository } = setUp(handle, '2025-01-01T00:00:00.000Z');
    const workspaceId = await createWorkspace(handle);
    const schedule = await service.create(workspaceId, body({ type: 'interval', seconds: 3600 }), { userId: null });
    // What a node leaves behind when it dies between claiming the fire key and starting the task.
    await repository.claimFire({ id: ids.next(), scheduleId: schedule.id, fireAt: '2025-01-01T01:00:00.000Z', firedAt: '2025-01-01T01:00:00.100Z', taskId: null, outcome: 'pending', error: null });

    clock.set('2025-01-01T01:00:30.000Z');
    await service.tick();
    expect(starter.calls).toEqual([]);
    expect((await service.get(workspaceId, schedule.id)).nextFireAt).toBe('2025-01-01T02:00:00.000Z');

    clock.set('2025-01-01T01:01:30.000Z');
    expect(await service.tick()).toMatchObject({ started: 1 });
    expect(starter.calls.map((call) => call.idempotencyKey)).toEqual([`schedule:${schedule.id}:2025-01-01T01:00:00.000Z`]);
    expect((await service.fires(workspaceId, schedule.id, { limit: 10 })).fires).toEqual([expect.objectContaining({ outcome: 'started', taskId: expect.any(String) })]);
  });

  it('reads the database clock', async () => {
    const before = Date.now();
    const now = (await createDatabaseClock(use()).now()).getTime();
    // The database runs on this machine: its clock and ours agree closely.
    expect(Math.abs(now - before)).toBeLessThan(5_000);
  });

  it('hands the scheduler lease to one holder at a time', async () => {
    const repository = createSchedulesRepository(use().db, use().sqlDialect);
    await use().db.deleteFrom('schedulerLease').execute();
    expect(await repository.acquireLease('test', 'a', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:10.000Z')).toBe(true);
    expect(await repository.acquireLease('test', 'b', '2025-01-01T00:00:05.000Z', '2025-01-01T00:00:15.000Z')).toBe(false);
    expect(await repository.acquireLease('test', 'a', '2025-01-01T00:00:05.000Z', '2025-01-01T00:00:15.000Z')).toBe(true);
    expect(await repository.acquireLease('test', 'b', '2025-01-01T00:00:15.000Z', '2025-01-01T00:00:25.000Z')).toBe(true);
    await repository.releaseLease('test', 'a');
    expect(await repository.acquireLease('test', 'a', '2025-01-01T00:00:16.000Z', '2025-01-01T00:00:26.000Z')).toBe(false);
    await repository.releaseLease('test', 'b');
    expect(await repository.acquireLease('test', 'a', '2025-01-01T00:00:16.000Z', '2025-01-01T00:00:26.000Z')).toBe(true);
  });
});

/** Counts ticks; stands in for the service so the election is observed on its own. */
const countingService = () => {
  const service = { ticks: 0, tick: async () => ((service.ticks += 1), { started: 0, skipped: 0, failed: 0, errors: [] }) };
  return service;
};

const waitFor = async (condition: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(10);
  }
};

describe.skipIf(!serviceUrl('postgres'))('schedules across nodes [postgres]', () => {
  let database: TestDatabase | undefined;
  let first: DatabaseHandle;
  let second: DatabaseHandle;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    first = database!.handle;
    // Another node: its own pool, its own connections, the same database.
    second = await createPostgresDatabase({ url: database!.url!, maxConnections: 4 });
  });
  afterAll(async () => {
    await second?.close();
    await database?.dispose();
  });

  it('starts each fire once when two nodes tick at the same moment', async () => {
    const starter = recordingStarter();
    const clock = manualClock('2025-01-01T00:00:00.000Z');
    const nodes = [first, second].map((handle) => createSchedulesService({ repository: createSchedulesRepository(handle.db, handle.sqlDialect), starter, vault: memoryVault(), clock, ids }));
    const workspaceId = await createWorkspace(first);
    for (let index = 1; index <= 10; index += 1) {
      await nodes[0]!.create(workspaceId, body({ type: 'interval', seconds: index }, { name: `every ${index} s` }), { userId: null });
    }
    clock.set('2025-01-01T00:00:10.500Z');
    await Promise.all([nodes[0]!.tick(), nodes[1]!.tick(), nodes[0]!.tick(), nodes[1]!.tick()]);
    // Schedule k (every k seconds) is due at k, 2k, … ≤ 10 s: 10 + 5 + 3 + 2 + 2 + 1 + 1 + 1 + 1 + 1 = 27 fires.
    expect(starter.calls).toHaveLength(27);
    expect(new Set(starter.calls.map((call) => call.idempotencyKey)).size).toBe(27);
    const fires = await first.db.selectFrom('scheduleFire').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(fires.n)).toBe(27);
  });

  it('elects one scheduler; the other takes over when it stops or its lease expires', async () => {
    await first.db.deleteFrom('schedulerLease').execute();
    const options = { ids, logger: silent, tickMs: 20, leaseMs: 400 };
    const services = [countingService(), countingService()];
    const schedulers = [
      createScheduler({ ...options, service: services[0]!, leases: createSchedulesRepository(first.db, first.sqlDialect), clock: createDatabaseClock(first), holder: 'node-a' }),
      createScheduler({ ...options, service: services[1]!, leases: createSchedulesRepository(second.db, second.sqlDialect), clock: createDatabaseClock(second), holder: 'node-b' }),
    ];
    schedulers[0]!.start();
    await waitFor(() => services[0]!.ticks > 0);
    schedulers[1]!.start();
    await sleep(300);
    expect(services[0]!.ticks).toBeGreaterThan(5);
    expect(services[1]!.ticks).toBe(0);
    expect(schedulers.map((scheduler) => scheduler.isLeader())).toEqual([true, false]);

    // Stopping releases the lease at once: the other node leads well within the lease time.
    const stoppedAt = Date.now();
    await schedulers[0]!.stop();
    await waitFor(() => services[1]!.ticks > 0);
    expect(Date.now() - stoppedAt).toBeLessThan(400);
    const ticksOfStopped = services[0]!.ticks;

    // A leader that dies keeps its lease until it expires; then the survivor takes over.
    await schedulers[1]!.stop();
    const dbNow = await createDatabaseClock(first).now();
    const leases = createSchedulesRepository(first.db, first.sqlDialect);
    expect(await leases.acquireLease(schedulerLeaseName, 'node-dead', dbNow.toISOString(), new Date(dbNow.getTime() + 500).toISOString())).toBe(true);
    const ticksBefore = services[1]!.ticks;
    schedulers[1]!.start();
    await sleep(250);
    expect(services[1]!.ticks).toBe(ticksBefore);
    await waitFor(() => services[1]!.ticks > ticksBefore);
    expect(Date.now() - dbNow.getTime()).toBeGreaterThanOrEqual(450);
    await schedulers[1]!.stop();
    expect(services[0]!.ticks).toBe(ticksOfStopped);
    expect(await first.db.selectFrom('schedulerLease').selectAll().execute()).toEqual([]);
  });
});
