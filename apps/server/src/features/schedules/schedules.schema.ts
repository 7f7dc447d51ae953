import { z } from 'zod';

/** What a schedule does about fires it missed while no scheduler ran (downtime longer than the grace window). */
export const missedPolicies = ['skip', 'run-once'] as const;
export const missedPolicySchema = z
  .enum(missedPolicies)
  .describe('After downtime: `skip` records the missed fire as skipped and waits for the next one; `run-once` fires once for the latest missed time');
export type MissedPolicy = z.infer<typeof missedPolicySchema>;

/** Longest interval accepted: a year (a longer gap is better said as a cron expression or a one-off time). */
export const maxIntervalSeconds = 366 * 86_400;

export const cronTriggerSchema = z.strictObject({
  type: z.literal('cron'),
  expression: z.string().trim().min(1).max(200).describe('Cron expression: 5 fields (minute hour day month weekday), or 6 with seconds first'),
  timeZone: z.string().trim().min(1).max(64).default('UTC').describe('IANA time zone the expression is read in, e.g. `Europe/Berlin`'),
});
export const intervalTriggerSchema = z.strictObject({
  type: z.literal('interval'),
  seconds: z.number().int().min(1).max(maxIntervalSeconds).describe('Fires every this many seconds, counted from the schedule’s creation'),
});
export const onceTriggerSchema = z.strictObject({
  type: z.literal('once'),
  at: z.iso.datetime({ offset: true }).describe('The one time to fire (ISO-8601, in the future)'),
});
export const scheduleTriggerSchema = z.discriminatedUnion('type', [cronTriggerSchema, intervalTriggerSchema, onceTriggerSchema]);
/** A trigger with its defaults applied (the time zone of a cron trigger is always set). */
export type ScheduleTrigger = z.infer<typeof scheduleTriggerSchema>;
export type ScheduleTriggerInput = z.input<typeof scheduleTriggerSchema>;

const nameSchema = z.string().trim().min(1, 'must not be empty').max(120);
const kindSchema = z.string().trim().min(1, 'must not be empty').max(100).describe('Task kind the schedule starts; `GET /api/task-kinds` lists them');
const inputSchema = z.unknown().describe('Input of each task started, checked against the kind’s schema when saving');

export const createScheduleBody = z.strictObject({
  name: nameSchema,
  kind: kindSchema,
  input: inputSchema.optional(),
  trigger: scheduleTriggerSchema,
  missedPolicy: missedPolicySchema.default('skip'),
  enabled: z.boolean().default(true),
});
export type CreateScheduleInput = z.infer<typeof createScheduleBody>;

/** Fields left out stay as they are; a new trigger recomputes the next fire time. Enabling has its own routes. */
export const updateScheduleBody = z.strictObject({
  name: nameSchema.optional(),
  kind: kindSchema.optional(),
  input: inputSchema.optional(),
  trigger: scheduleTriggerSchema.optional(),
  missedPolicy: missedPolicySchema.optional(),
});
export type UpdateScheduleInput = z.infer<typeof updateScheduleBody>;

export const scheduleSchema = z.object({
  id: z.string(),
  workspaceId: z.string(),
  name: z.string(),
  kind: z.string(),
  input: z.unknown(),
  trigger: scheduleTriggerSchema,
  missedPolicy: missedPolicySchema,
  enabled: z.boolean(),
  /** Null while disabled, and once a one-off schedule has fired. */
  nextFireAt: z.string().nullable(),
  /** The next few fire times, `nextFireAt` first; empty when nothing is due. */
  nextFireTimes: z.array(z.string()),
  lastFiredAt: z.string().nullable(),
  /** The person who created it; null when it came from the command line. */
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Schedule = z.infer<typeof scheduleSchema>;

export const fireOutcomes = ['pending', 'started', 'skipped', 'failed'] as const;
export const scheduleFireSchema = z.object({
  id: z.string(),
  scheduleId: z.string(),
  /** The nominal time the schedule was due; unique per schedule, so each fire happens once. */
  fireAt: z.string(),
  /** When a scheduler acted on it. */
  firedAt: z.string(),
  taskId: z.string().nullable(),
  /** `pending`: claimed, its task being started (a node that died here is finished by the next tick). */
  outcome: z.enum(fireOutcomes),
  error: z.string().nullable(),
});
export type ScheduleFire = z.infer<typeof scheduleFireSchema>;

export const firesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(100).optional().describe('`nextCursor` of the previous page'),
});
export type FiresQuery = z.infer<typeof firesQuerySchema>;
export const firesPageSchema = z.object({ fires: z.array(scheduleFireSchema), nextCursor: z.string().nullable() });

/**
 * Preview is read-only, so it is a GET and the trigger travels as flat query parameters:
 * `type=cron&expression=…&timeZone=…`, `type=interval&seconds=…` or `type=once&at=…`.
 */
export const previewQuerySchema = z
  .strictObject({
    type: z.enum(['cron', 'interval', 'once']),
    expression: z.string().trim().min(1).max(200).optional(),
    timeZone: z.string().trim().min(1).max(64).optional(),
    seconds: z.coerce.number().int().min(1).max(maxIntervalSeconds).optional(),
    at: z.iso.datetime({ offset: true }).optional(),
    count: z.coerce.number().int().min(1).max(50).default(5).describe('How many fire times to return'),
  })
  .superRefine((query, context) => {
    const required = { cron: 'expression', interval: 'seconds', once: 'at' } as const;
    const field = required[query.type];
    if (query[field] === undefined) context.addIssue({ code: 'custom', path: [field], message: `is required when type is ${query.type}` });
  });
export type PreviewQuery = z.infer<typeof previewQuerySchema>;
export const previewResponseSchema = z.object({ fireTimes: z.array(z.string()) });

/** The trigger a preview query describes (its refinement guarantees the field the type needs). */
export const triggerOfPreviewQuery = (query: PreviewQuery): ScheduleTrigger => {
  if (query.type === 'cron') return { type: 'cron', expression: query.expression ?? '', timeZone: query.timeZone ?? 'UTC' };
  if (query.type === 'interval') return { type: 'interval', seconds: query.seconds ?? 0 };
  return { type: 'once', at: query.at ?? '' };
};

/** A trigger in a few words, for lists and the command line. */
export const describeTrigger = (trigger: ScheduleTrigger): string => {
  if (trigger.type === 'cron') return `cron "${trigger.expression}" (${trigger.timeZone})`;
  if (trigger.type === 'interval') return `every ${trigger.seconds} s`;
  return `once at ${trigger.at}`;
};
