import { Cron } from 'croner';
import type { Ids } from '../../platform/clock/clock.ts';
import type { DatabaseClock } from '../../platform/database/database-clock.ts';
import { isSteadError, SteadError } from '../../platform/errors/stead-error.ts';
import type { WorkspaceRole } from '../../platform/http/permissions.ts';
import type { ScheduleFireRow, ScheduleRow, SchedulesRepository } from './schedules.repository.ts';
import type {
  CreateScheduleInput,
  FiresQuery,
  MissedPolicy,
  Schedule,
  ScheduleFire,
  ScheduleTrigger,
  UpdateScheduleInput,
} from './schedules.schema.ts';

/**
 * What schedules need from tasks; the tasks service implements it. Schedules never touch task tables.
 */
export interface ScheduleTaskStarter {
  /**
   * Checks a kind and input as `user` would start it (SteadError task_kind_unknown / validation_failed /
   * secret_unknown / secret_not_usable) and returns the input to store with its credential values moved into
   * `sealed` (`previous`: the values sealed before, kept where the input says `[redacted]`). Creates nothing.
   */
  prepare(workspaceId: string, kind: string, input: unknown, user: ScheduleUser, previous?: Record<string, string>): Promise<{ input: unknown; sealed: Record<string, string> }>;
  /** A stored input as readers may see it (credentials `[redacted]`). */
  redactInput(kind: string, input: unknown): unknown;
  /** A stored input with its sealed values put back. */
  unsealInput(kind: string, input: unknown, sealed: Record<string, string>): unknown;
  /** Creates and enqueues a task acting as `userId`/`role`; `idempotencyKey` makes a repeated call return the first task. */
  start(workspaceId: string, request: { kind: string; input: unknown }, origin: { type: 'schedule'; id: string; idempotencyKey: string } & ScheduleUser): Promise<{ id: string }>;
}

/**
 * Whose role a schedule's tasks act with: its creator's (recorded when created; an API key's role for a key), lowered
 * to their current role when a task starts. The command line (`userId` null) acts as the host's operator.
 */
export interface ScheduleUser {
  userId: string | null;
  role: WorkspaceRole | null;
}

/** Encrypted storage for the credential values sealed out of schedule inputs. */
export interface ScheduleVault {
  store(workspaceId: string | null, name: string, value: string): Promise<void>;
  reveal(workspaceId: string | null, name: string): Promise<string | undefined>;
  remove(workspaceId: string | null, name: string): Promise<void>;
}

/** The encrypted secret holding a schedule's sealed input values. */
export const scheduleInputSecretName = (scheduleId: string): string => `schedule-input:${scheduleId}`;

export interface SchedulesServiceOptions {
  repository: SchedulesRepository;
  starter: ScheduleTaskStarter;
  vault: ScheduleVault;
  /** The database's time (`createDatabaseClock`): every node of a cluster reads the same one. */
  clock: DatabaseClock;
  ids: Ids;
  /** Due schedules handled per tick; the rest wait for the next tick. Default 100. */
  batchSize?: number;
  /**
   * How long a claimed fire may stay `pending` before a tick assumes its node died and starts the task again
   * (the idempotency key returns the task if it had been created). Default 60,000 ms.
   */
  pendingTimeoutMs?: number;
}

/** How many times a tick fires one schedule to catch up with fires that are due but within the grace window. */
const maxCatchUp = 100;
/** Fire times shown with a schedule. */
const shownFireTimes = 3;
/** A fire later than this (or than one period of the schedule, if longer) counts as missed during downtime. */
const minimumGraceMs = 60_000;

/** What one tick did; the scheduler logs it. */
export interface TickResult {
  started: number;
  skipped: number;
  /** Fires whose task could not be started (recorded in the fire's `error`). */
  failed: number;
  /** Schedules that could not be handled this tick (a database error); they are tried again next tick. */
  errors: { scheduleId: string; error: unknown }[];
}

// Intl knows every IANA zone of the runtime's ICU data; it also canonicalises the spelling (europe/berlin).
const canonicalTimeZone = (timeZone: string): string => {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw new SteadError('schedule_invalid', `Unknown time zone "${timeZone}"; use an IANA name such as UTC or Europe/Berlin`);
  }
};

const cronOf = (trigger: Extract<ScheduleTrigger, { type: 'cron' }>): Cron => {
  try {
    return new Cron(trigger.expression, { timezone: trigger.timeZone, mode: '5-or-6-parts' });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
    throw new SteadError('schedule_invalid', `Invalid cron expression "${trigger.expression}": ${reason}`, { cause: error });
  }
};

/** Intervals count from the creation time in whole seconds, so their fire times read cleanly (12:00:05, not 12:00:05.273). */
const anchorOf = (createdAt: string | Date): Date => new Date(Math.floor(new Date(createdAt).getTime() / 1000) * 1000);

/** The first fire time strictly after `after`, or null when the trigger never fires again. */
const nextAfter = (trigger: ScheduleTrigger, anchor: Date, after: Date): Date | null => {
  if (trigger.type === 'cron') return cronOf(trigger).nextRun(after);
  if (trigger.type === 'once') {
    const at = new Date(trigger.at);
    return at > after ? at : null;
  }
  // Anchored: anchor + k·period, so a slow tick or downtime never shifts the phase of later fires.
  const period = trigger.seconds * 1000;
  const periods = Math.max(1, Math.floor((after.getTime() - anchor.getTime()) / period) + 1);
  return new Date(anchor.getTime() + periods * period);
};

/** The last fire time at or before `now`, given that `earliest` (≤ now) is one. */
const latestDue = (trigger: ScheduleTrigger, anchor: Date, earliest: Date, now: Date): Date => {
  let latest: Date | undefined;
  if (trigger.type === 'cron') latest = cronOf(trigger).previousRuns(1, new Date(now.getTime() + 1))[0];
  else if (trigger.type === 'interval') {
    const period = trigger.seconds * 1000;
    latest = new Date(anchor.getTime() + Math.floor((now.getTime() - anchor.getTime()) / period) * period);
  }
  return latest && latest > earliest ? latest : earliest;
};

/** How late a fire may be and still count as on time: one minute, or one period of the schedule if longer. */
const graceMs = (trigger: ScheduleTrigger, anchor: Date, fireAt: Date): number => {
  if (trigger.type === 'interval') return Math.max(minimumGraceMs, trigger.seconds * 1000);
  if (trigger.type === 'once') return minimumGraceMs;
  const following = nextAfter(trigger, anchor, fireAt);
  return Math.max(minimumGraceMs, following ? following.getTime() - fireAt.getTime() : 0);
};

/** The next `count` fire times strictly after `after`. */
const fireTimes = (trigger: ScheduleTrigger, anchor: Date, after: Date, count: number): Date[] => {
  const times: Date[] = [];
  let cursor = after;
  while (times.length < count) {
    const next = nextAfter(trigger, anchor, cursor);
    if (!next) break;
    times.push(next);
    cursor = next;
  }
  return times;
};

/** Normalises a trigger (canonical zone, UTC time) and rejects one that can never fire after `now`. */
const checkTrigger = (trigger: ScheduleTrigger, now: Date): ScheduleTrigger => {
  if (trigger.type === 'interval') {
    if (!Number.isInteger(trigger.seconds) || trigger.seconds < 1) throw new SteadError('schedule_invalid', 'The interval must be a whole number of seconds, at least 1');
    return trigger;
  }
  if (trigger.type === 'once') {
    const at = new Date(trigger.at);
    if (Number.isNaN(at.getTime())) throw new SteadError('schedule_invalid', `"${trigger.at}" is not an ISO-8601 time`);
    if (at <= now) throw new SteadError('schedule_invalid', `The one-off time ${at.toISOString()} has passed (it is now ${now.toISOString()}); choose a time in the future`);
    return { type: 'once', at: at.toISOString() };
  }
  const checked = { type: 'cron' as const, expression: trigger.expression.trim(), timeZone: canonicalTimeZone(trigger.timeZone) };
  if (!cronOf(checked).nextRun(now)) throw new SteadError('schedule_invalid', `The cron expression "${checked.expression}" never fires (no future time matches it)`);
  return checked;
};

const triggerOf = (row: ScheduleRow): ScheduleTrigger => {
  if (row.triggerType === 'cron') return { type: 'cron', expression: row.cronExpression ?? '', timeZone: row.timeZone };
  if (row.triggerType === 'interval') return { type: 'interval', seconds: row.intervalSeconds ?? 0 };
  return { type: 'once', at: row.runAt ?? '' };
};

const triggerColumns = (trigger: ScheduleTrigger) => ({
  triggerType: trigger.type,
  cronExpression: trigger.type === 'cron' ? trigger.expression : null,
  timeZone: trigger.type === 'cron' ? trigger.timeZone : 'UTC',
  intervalSeconds: trigger.type === 'interval' ? trigger.seconds : null,
  runAt: trigger.type === 'once' ? trigger.at : null,
});

const userOf = (row: Pick<ScheduleRow, 'createdBy' | 'createdByRole'>): ScheduleUser => ({
  userId: row.createdBy,
  role: (row.createdByRole as WorkspaceRole | null) ?? (row.createdBy === null ? 'owner' : null),
});

const toScheduleView = (row: ScheduleRow, redactInput: ScheduleTaskStarter['redactInput']): Schedule => {
  const trigger = triggerOf(row);
  const next = row.nextFireAt ? new Date(row.nextFireAt) : null;
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    kind: row.kind,
    input: redactInput(row.kind, JSON.parse(row.input) as unknown),
    trigger,
    missedPolicy: row.missedPolicy as MissedPolicy,
    enabled: row.enabled === 1,
    nextFireAt: row.nextFireAt,
    nextFireTimes: next ? [next, ...fireTimes(trigger, anchorOf(row.createdAt), next, shownFireTimes - 1)].map((time) => time.toISOString()) : [],
    lastFiredAt: row.lastFiredAt,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
};

const toFire = (row: ScheduleFireRow): ScheduleFire => ({
  id: row.id,
  scheduleId: row.scheduleId,
  fireAt: row.fireAt,
  firedAt: row.firedAt,
  taskId: row.taskId,
  outcome: row.outcome as ScheduleFire['outcome'],
  error: row.error,
});

const describeError = (error: unknown): string =>
  isSteadError(error) ? `[${error.code}] ${error.message}` : error instanceof Error ? error.message : String(error);

/** The idempotency key of one fire: the same on every node, so a repeated start returns the first task. */
export const fireIdempotencyKey = (scheduleId: string, fireAt: string): string => `schedule:${scheduleId}:${fireAt}`;

/** Schedules of a workspace, and the tick that fires them. */
export interface SchedulesService {
  /** `actor.role`: the role the creator acts with (member role or API key role); null (the command line) is the operator. */
  create(workspaceId: string, input: CreateScheduleInput, actor: { userId: string | null; role?: WorkspaceRole | null }): Promise<Schedule>;
  list(workspaceId: string): Promise<Schedule[]>;
  /** Throws `schedule_not_found`. */
  get(workspaceId: string, id: string): Promise<Schedule>;
  /**
   * A new trigger restarts the count from now (an interval stays anchored to the creation time). A changed kind
   * or input is checked as the schedule's creator and as `actor`, so neither can make it use a secret beyond their role.
   */
  update(workspaceId: string, id: string, changes: UpdateScheduleInput, actor?: { userId: string | null; role?: WorkspaceRole | null }): Promise<Schedule>;
  enable(workspaceId: string, id: string): Promise<Schedule>;
  disable(workspaceId: string, id: string): Promise<Schedule>;
  remove(workspaceId: string, id: string): Promise<void>;
  /** The next `count` fire times of a trigger (default 5), without creating anything. */
  preview(trigger: ScheduleTrigger, count?: number): Promise<string[]>;
  /** Newest nominal time first. */
  fires(workspaceId: string, scheduleId: string, query: FiresQuery): Promise<{ fires: ScheduleFire[]; nextCursor: string | null }>;
  /** One pass of the scheduler over due schedules (see the implementation for missed fires). */
  tick(): Promise<TickResult>;
}

export const createSchedulesService = ({ repository, starter, vault, clock, ids, batchSize = 100, pendingTimeoutMs = 60_000 }: SchedulesServiceOptions): SchedulesService => {
  const toSchedule = (row: ScheduleRow): Schedule => toScheduleView(row, starter.redactInput);
  const sealedOf = async (row: Pick<ScheduleRow, 'id' | 'workspaceId'>): Promise<Record<string, string>> => {
    const stored = await vault.reveal(row.workspaceId, scheduleInputSecretName(row.id));
    return stored === undefined ? {} : (JSON.parse(stored) as Record<string, string>);
  };
  const storeSealed = async (row: Pick<ScheduleRow, 'id' | 'workspaceId'>, sealed: Record<string, string>): Promise<void> => {
    if (Object.keys(sealed).length > 0) await vault.store(row.workspaceId, scheduleInputSecretName(row.id), JSON.stringify(sealed));
    else await vault.remove(row.workspaceId, scheduleInputSecretName(row.id));
  };

  const find = async (workspaceId: string, id: string): Promise<ScheduleRow> => {
    const row = await repository.find(workspaceId, id);
    if (!row) throw new SteadError('schedule_not_found', 'No such schedule in this workspace');
    return row;
  };

  /** Starts the task of a claimed fire and records the outcome; a failure is recorded, never thrown. */
  const startClaimed = async (
    fire: { id: string; scheduleId: string; fireAt: string },
    schedule: { workspaceId: string; kind: string; input: string; createdBy: string | null; createdByRole: string | null },
    result: TickResult,
  ): Promise<void> => {
    try {
      const input = starter.unsealInput(schedule.kind, JSON.parse(schedule.input) as unknown, await sealedOf({ id: fire.scheduleId, workspaceId: schedule.workspaceId }));
      const task = await starter.start(
        schedule.workspaceId,
        { kind: schedule.kind, input },
        { type: 'schedule', id: fire.scheduleId, idempotencyKey: fireIdempotencyKey(fire.scheduleId, fire.fireAt), ...userOf(schedule) },
      );
      await repository.finishFire(fire.id, { taskId: task.id, outcome: 'started', error: null });
      result.started += 1;
    } catch (error) {
      await repository.finishFire(fire.id, { taskId: null, outcome: 'failed', error: describeError(error) });
      result.failed += 1;
    }
  };

  /** Claims the fire key; only the claimer starts the task. Another node holding the key means it fired. */
  const fire = async (row: ScheduleRow, fireAt: string, now: Date, result: TickResult): Promise<void> => {
    const claim: ScheduleFireRow = { id: ids.next(), scheduleId: row.id, fireAt, firedAt: now.toISOString(), taskId: null, outcome: 'pending', error: null };
    if (await repository.claimFire(claim)) await startClaimed(claim, row, result);
  };

  const handleDue = async (row: ScheduleRow, now: Date, result: TickResult): Promise<void> => {
    const trigger = triggerOf(row);
    const anchor = anchorOf(row.createdAt);
    let nominal = new Date(row.nextFireAt!);

    if (now.getTime() - nominal.getTime() > graceMs(trigger, anchor, nominal)) {
      // Downtime: whatever was missed collapses into one decision about the latest missed time.
      const latest = latestDue(trigger, anchor, nominal, now).toISOString();
      if (row.missedPolicy === 'run-once') {
        await fire(row, latest, now, result);
      } else {
        const skipped: ScheduleFireRow = {
          id: ids.next(),
          scheduleId: row.id,
          fireAt: latest,
          firedAt: now.toISOString(),
          taskId: null,
          outcome: 'skipped',
          error: `Missed while no scheduler was running (due since ${nominal.toISOString()}); the schedule skips missed fires`,
        };
        if (await repository.claimFire(skipped)) result.skipped += 1;
      }
      const next = nextAfter(trigger, anchor, now);
      await repository.advance(row.id, row.nextFireAt!, next?.toISOString() ?? null, row.missedPolicy === 'run-once' ? latest : undefined);
      return;
    }

    // On time (or a little late): fire each due time in order, so a short stall loses nothing.
    for (let round = 0; round < maxCatchUp; round += 1) {
      const fireAt = nominal.toISOString();
      await fire(row, fireAt, now, result);
      const next = nextAfter(trigger, anchor, nominal);
      if (!(await repository.advance(row.id, fireAt, next?.toISOString() ?? null, fireAt))) return;
      if (!next || next > now) return;
      nominal = next;
    }
  };

  /** Finishes fires whose claimer died before recording the task (its start is idempotent). */
  const finishStalePending = async (now: Date, result: TickResult): Promise<void> => {
    const stale = await repository.listStalePending(new Date(now.getTime() - pendingTimeoutMs).toISOString(), batchSize);
    for (const fireRow of stale) {
      if (await repository.reclaimFire(fireRow.id, fireRow.firedAt, now.toISOString())) await startClaimed(fireRow, fireRow, result);
    }
  };

  const service: SchedulesService = {
    /** `actor.role`: the role the creator acts with (member role or API key role); null (the command line) is the operator. */
    async create(workspaceId: string, input: CreateScheduleInput, actor: { userId: string | null; role?: WorkspaceRole | null }): Promise<Schedule> {
      const now = await clock.now();
      const trigger = checkTrigger(input.trigger, now);
      const user = userOf({ createdBy: actor.userId, createdByRole: actor.role ?? null });
      const prepared = await starter.prepare(workspaceId, input.kind, input.input ?? {}, user);
      const createdAt = now.toISOString();
      const next = input.enabled ? nextAfter(trigger, anchorOf(now), now) : null;
      const row: ScheduleRow = {
        id: ids.next(),
        workspaceId,
        name: input.name.trim(),
        kind: input.kind,
        input: JSON.stringify(prepared.input),
        ...triggerColumns(trigger),
        enabled: input.enabled ? 1 : 0,
        missedPolicy: input.missedPolicy,
        nextFireAt: next?.toISOString() ?? null,
        lastFiredAt: null,
        createdBy: actor.userId,
        createdByRole: user.role,
        createdAt,
        updatedAt: createdAt,
      };
      await storeSealed(row, prepared.sealed);
      await repository.insert(row);
      return toSchedule(row);
    },

    list: async (workspaceId: string): Promise<Schedule[]> => (await repository.list(workspaceId)).map(toSchedule),

    get: async (workspaceId: string, id: string): Promise<Schedule> => toSchedule(await find(workspaceId, id)),

    /** A new trigger restarts the count from now (an interval stays anchored to the creation time). */
    /**
     * A changed kind or input is checked as the schedule's creator (whose role its tasks act with) and as `actor`,
     * so neither can make it use a secret beyond their role.
     */
    async update(workspaceId: string, id: string, changes: UpdateScheduleInput, actor: { userId: string | null; role?: WorkspaceRole | null } = { userId: null }): Promise<Schedule> {
      const row = await find(workspaceId, id);
      const now = await clock.now();
      const trigger = changes.trigger ? checkTrigger(changes.trigger, now) : undefined;
      const kind = changes.kind ?? row.kind;
      let input = changes.input !== undefined ? changes.input : (JSON.parse(row.input) as unknown);
      let sealed: Record<string, string> | undefined;
      if (changes.kind !== undefined || changes.input !== undefined) {
        const previous = await sealedOf(row);
        await starter.prepare(workspaceId, kind, input, userOf({ createdBy: actor.userId, createdByRole: actor.role ?? null }), previous);
        ({ input, sealed } = await starter.prepare(workspaceId, kind, input, userOf(row), previous));
      }
      // Only the columns that change are written, so a tick advancing the schedule meanwhile is not undone.
      const changed: Partial<ScheduleRow> = { updatedAt: now.toISOString() };
      if (changes.name !== undefined) changed.name = changes.name.trim();
      if (changes.missedPolicy !== undefined) changed.missedPolicy = changes.missedPolicy;
      if (changes.kind !== undefined) changed.kind = kind;
      if (changes.kind !== undefined || changes.input !== undefined) changed.input = JSON.stringify(input);
      if (trigger) {
        Object.assign(changed, triggerColumns(trigger));
        if (row.enabled === 1) changed.nextFireAt = nextAfter(trigger, anchorOf(row.createdAt), now)?.toISOString() ?? null;
      }
      if (sealed) await storeSealed(row, sealed);
      await repository.update(id, changed);
      const updated: ScheduleRow = { ...row, ...changed };
      return toSchedule(updated);
    },

    /** Fires from the next time after now; fires missed while disabled are not made up. */
    async enable(workspaceId: string, id: string): Promise<Schedule> {
      const row = await find(workspaceId, id);
      if (row.enabled === 1) return toSchedule(row);
      const now = await clock.now();
      const trigger = triggerOf(row);
      const next = nextAfter(trigger, anchorOf(row.createdAt), now);
      if (!next) {
        throw new SteadError('schedule_invalid', trigger.type === 'once' ? `The one-off time ${trigger.at} has passed; update the schedule with a new time first` : 'The schedule has no future fire time');
      }
      const changes = { enabled: 1, nextFireAt: next.toISOString(), updatedAt: now.toISOString() };
      await repository.update(id, changes);
      return toSchedule({ ...row, ...changes });
    },

    async disable(workspaceId: string, id: string): Promise<Schedule> {
      const row = await find(workspaceId, id);
      if (row.enabled === 0) return toSchedule(row);
      const changes = { enabled: 0, nextFireAt: null, updatedAt: (await clock.now()).toISOString() };
      await repository.update(id, changes);
      return toSchedule({ ...row, ...changes });
    },

    /** Deletes the schedule and its fire history; tasks it started stay. */
    async remove(workspaceId: string, id: string): Promise<void> {
      const row = await find(workspaceId, id);
      await repository.remove(id);
      await vault.remove(row.workspaceId, scheduleInputSecretName(id));
    },

    /** The next `count` fire times of a trigger as if saved now, for showing before saving. */
    async preview(trigger: ScheduleTrigger, count = 5): Promise<string[]> {
      const now = await clock.now();
      const checked = checkTrigger(trigger, now);
      return fireTimes(checked, anchorOf(now), now, count).map((time) => time.toISOString());
    },

    /** Fire history, newest nominal time first. */
    async fires(workspaceId: string, scheduleId: string, query: FiresQuery): Promise<{ fires: ScheduleFire[]; nextCursor: string | null }> {
      await find(workspaceId, scheduleId);
      const rows = await repository.listFires(scheduleId, query);
      const page = rows.slice(0, query.limit);
      return { fires: page.map(toFire), nextCursor: rows.length > query.limit ? page[page.length - 1]!.fireAt : null };
    },

    /**
     * One pass of the scheduler: fires every due schedule at the database's time. Safe to run on several
     * nodes at once (each fire key is claimed by one), though normally only the elected leader runs it.
     * A schedule later than its grace window (one minute, or one period if longer) was missed during downtime
     * and follows its `missedPolicy`: `skip` records one `skipped` fire for the latest missed time and starts
     * nothing; `run-once` fires once for the latest missed time. Either way it then moves to the next future time.
     */
    async tick(): Promise<TickResult> {
      const now = await clock.now();
      const result: TickResult = { started: 0, skipped: 0, failed: 0, errors: [] };
      await finishStalePending(now, result);
      for (const row of await repository.listDue(now.toISOString(), batchSize)) {
        // One broken schedule must not hold up the others.
        try {
          await handleDue(row, now, result);
        } catch (error) {
          result.errors.push({ scheduleId: row.id, error });
        }
      }
      return result;
    },
  };
  return service;
};
