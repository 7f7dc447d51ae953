import { z } from 'zod';

export const taskStates = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskState = (typeof taskStates)[number];
/** States a task does not leave by itself. */
export const finishedTaskStates: readonly TaskState[] = ['succeeded', 'failed', 'cancelled'];

export const taskSchema = z.object({
  id: z.string(),
  workspaceId: z.string(),
  kind: z.string(),
  input: z.unknown(),
  state: z.enum(taskStates),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  /** Attempts cut off by a killed or stalled worker; they do not count against `maxAttempts` (they have their own ceiling). */
  interruptedAttempts: z.number().int(),
  progress: z.object({ percent: z.number(), message: z.string().nullable() }).nullable(),
  output: z.unknown(),
  error: z.string().nullable(),
  origin: z.object({
    type: z.enum(['api', 'cli', 'schedule']),
    id: z.string().nullable(),
    name: z.string().nullable().describe("The schedule's name when a schedule started the task; null otherwise or once the schedule is deleted"),
    deleted: z.boolean().describe('The schedule that started the task no longer exists'),
  }),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  runAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Milliseconds from the first start to the end (or to now while running). */
  durationMs: z.number().nullable(),
});
export type Task = z.infer<typeof taskSchema>;

export const taskAttemptSchema = z.object({
  number: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  outcome: z.enum(['running', 'succeeded', 'failed', 'interrupted', 'delayed']),
  error: z.string().nullable(),
});
export type TaskAttempt = z.infer<typeof taskAttemptSchema>;

export const taskLogLineSchema = z.object({ id: z.string(), attempt: z.number().int(), at: z.string(), line: z.string() });
export type TaskLogLine = z.infer<typeof taskLogLineSchema>;

export const taskDetailSchema = z.object({ task: taskSchema, attempts: z.array(taskAttemptSchema), logs: z.array(taskLogLineSchema) });
export type TaskDetail = z.infer<typeof taskDetailSchema>;

export const createTaskBody = z.strictObject({
  kind: z.string().min(1).max(100).describe('A task kind (`GET /api/workspaces/{workspaceId}/task-kinds`)'),
  input: z.unknown().describe("The kind's input; validated against its schema"),
  delayMs: z.number().int().min(0, 'must be zero or more').max(2_147_483_647).optional().describe('Start no earlier than this many milliseconds from now'),
  maxAttempts: z.number().int().min(1).max(100).optional().describe("Attempts before the task fails for good; default per kind"),
  idempotencyKey: z.string().min(1).max(200).optional().describe('A repeated request with the same key returns the first task'),
});
export type CreateTaskRequest = z.infer<typeof createTaskBody>;

export const taskListQuery = z.strictObject({
  state: z.enum(taskStates).optional(),
  kind: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Created at or after (ISO-8601)'),
  to: z.iso.datetime({ offset: true }).optional().describe('Created before (ISO-8601)'),
  originId: z.string().max(64).optional().describe('Tasks started by this schedule'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(100).optional().describe('`nextCursor` of the previous page'),
});
export type TaskListQuery = z.infer<typeof taskListQuery>;

export const taskPageSchema = z.object({ tasks: z.array(taskSchema), nextCursor: z.string().nullable() });

export const taskKindSchema = z.object({
  name: z.string(),
  description: z.string(),
  /** JSON schema of the input. */
  inputSchema: z.record(z.string(), z.unknown()),
  maxAttempts: z.number().int(),
  /** An example input, for forms and the CLI's help. */
  example: z.unknown(),
});
export type TaskKindView = z.infer<typeof taskKindSchema>;

/** Events on `/api/events` (noun-then-verb). */
export const taskEventTypes = { update: 'task-update', progress: 'task-progress', log: 'task-log' } as const;
