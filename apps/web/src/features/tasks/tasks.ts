/**
 * Pure logic of the Tasks pages: merging live events into what is on screen, filters, durations and the
 * "Run task" form's JSON input. No React and no requests here, so all of it is unit-tested.
 */
import type { Role, Task, TaskKind, TaskLogLine, TaskPage, TaskState } from '@/lib/api.ts';
import { prettyJson } from '@/lib/format.ts';

export const taskStates: readonly TaskState[] = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'];

/** States a task leaves by itself (it is waiting, running or about to run again). */
export function isTaskActive(state: TaskState): boolean {
  return state === 'queued' || state === 'running' || state === 'retrying';
}

/** The server cancels queued, running and retrying tasks (`task_state_conflict` otherwise). */
export const canCancelTask = isTaskActive;

/** The server retries only failed and cancelled tasks. */
export function canRetryTask(state: TaskState): boolean {
  return state === 'failed' || state === 'cancelled';
}

/** Viewers may read tasks; running, cancelling and retrying needs `tasks:run` (member and up). */
export function canRunTasks(role: Role | undefined): boolean {
  return role === 'owner' || role === 'admin' || role === 'member';
}

// ---------------------------------------------------------------------------------------------------------
// Live events on /api/events

/** `task-progress` event data. */
export interface TaskProgressEvent {
  taskId: string;
  percent: number;
  message: string | null;
}

/** `task-log` event data: a stored log line plus its task. */
export interface TaskLogEvent extends TaskLogLine {
  taskId: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for `task-update` data that can replace a row (a whole task object). */
export function isTaskEvent(value: unknown): value is Task {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.kind === 'string' &&
    typeof value.createdAt === 'string' &&
    taskStates.includes(value.state as TaskState)
  );
}

export function isTaskProgressEvent(value: unknown): value is TaskProgressEvent {
  return isRecord(value) && typeof value.taskId === 'string' && typeof value.percent === 'number';
}

export function isTaskLogEvent(value: unknown): value is TaskLogEvent {
  return (
    isRecord(value) &&
    typeof value.taskId === 'string' &&
    typeof value.id === 'string' &&
    typeof value.attempt === 'number' &&
    typeof value.line === 'string'
  );
}

// ---------------------------------------------------------------------------------------------------------
// The list

/** Filters of the list as sent to the server (`from`/`to` are ISO bounds of the creation time). */
export interface TaskFilters {
  state?: TaskState;
  kind?: string;
  from?: string;
  to?: string;
  /** Only tasks started by this schedule. */
  originId?: string;
}

/** Whether a task belongs in a list with these filters (the server's rule: from inclusive, to exclusive). */
export function matchesTaskFilters(task: Task, filters: TaskFilters): boolean {
  if (filters.state && task.state !== filters.state) return false;
  if (filters.kind && task.kind !== filters.kind) return false;
  if (filters.originId && (task.origin.type !== 'schedule' || task.origin.id !== filters.originId)) return false;
  const created = Date.parse(task.createdAt);
  if (filters.from && created < Date.parse(filters.from)) return false;
  if (filters.to && created >= Date.parse(filters.to)) return false;
  return true;
}

/**
 * Merges a `task-update` into the loaded pages (newest first, ordered by id, which sorts by creation).
 * A task already on screen is replaced where it is, even when it no longer matches a state filter: rows do
 * not vanish under the reader, and the next fetch applies the filter again. A task not on screen is added
 * at its place when it matches the filters and that place is within what has been loaded; one older than
 * the last loaded row waits for "Load more". Returns the same array when nothing changes.
 */
export function upsertTaskInPages(pages: readonly TaskPage[], task: Task, filters: TaskFilters, { keepCached = false } = {}): readonly TaskPage[] {
  for (let pageIndex = 0; pageIndex < pages.length; pageIndex += 1) {
    const page = pages[pageIndex]!;
    const rowIndex = page.tasks.findIndex((row) => row.id === task.id);
    if (rowIndex !== -1) {
      if (keepCached) return pages;
      const tasks = page.tasks.slice();
      tasks[rowIndex] = task;
      return pages.map((item, index) => (index === pageIndex ? { ...item, tasks } : item));
    }
  }
  if (!matchesTaskFilters(task, filters) || pages.length === 0) return pages;
  for (let pageIndex = 0; pageIndex < pages.length; pageIndex += 1) {
    const page = pages[pageIndex]!;
    const rowIndex = page.tasks.findIndex((row) => row.id < task.id);
    if (rowIndex !== -1) {
      const tasks = [...page.tasks.slice(0, rowIndex), task, ...page.tasks.slice(rowIndex)];
      return pages.map((item, index) => (index === pageIndex ? { ...item, tasks } : item));
    }
  }
  const last = pages.at(-1)!;
  if (last.nextCursor !== null) return pages;
  return [...pages.slice(0, -1), { ...last, tasks: [...last.tasks, task] }];
}

/** Applies a `task-progress` event to the row it belongs to, if that row is loaded. */
export function applyTaskProgress(pages: readonly TaskPage[], event: TaskProgressEvent): readonly TaskPage[] {
  for (let pageIndex = 0; pageIndex < pages.length; pageIndex += 1) {
    const page = pages[pageIndex]!;
    const rowIndex = page.tasks.findIndex((row) => row.id === event.taskId);
    if (rowIndex === -1) continue;
    const tasks = page.tasks.slice();
    tasks[rowIndex] = withProgress(page.tasks[rowIndex]!, event);
    return pages.map((item, index) => (index === pageIndex ? { ...item, tasks } : item));
  }
  return pages;
}

/** The task with the event's progress. */
export function withProgress(task: Task, event: TaskProgressEvent): Task {
  return { ...task, progress: { percent: Math.max(0, Math.min(100, event.percent)), message: event.message } };
}

// ---------------------------------------------------------------------------------------------------------
// Log lines

/** Lines from both the fetched detail and live events, each once, in id (= creation) order. */
export function mergeLogLines(existing: readonly TaskLogLine[], incoming: readonly TaskLogLine[]): TaskLogLine[] {
  if (incoming.length === 0) return existing as TaskLogLine[];
  // The usual live case: lines newer than everything shown, in order. Appending skips the sort.
  const lastId = existing.at(-1)?.id ?? '';
  if (incoming.every((line, index) => line.id > (index === 0 ? lastId : incoming[index - 1]!.id))) {
    return [...existing, ...incoming.map(({ id, attempt, at, line }) => ({ id, attempt, at, line }))];
  }
  const byId = new Map<string, TaskLogLine>();
  for (const line of existing) byId.set(line.id, line);
  let added = false;
  for (const line of incoming) {
    if (byId.has(line.id)) continue;
    byId.set(line.id, { id: line.id, attempt: line.attempt, at: line.at, line: line.line });
    added = true;
  }
  if (!added) return existing as TaskLogLine[];
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------------
// Display

/** "340 ms", "2.4 s", "42 s", "3m 05s", "1h 02m", "2d 3h". */
export function formatElapsed(milliseconds: number | null | undefined, fallback = '—'): string {
  if (milliseconds === null || milliseconds === undefined || !Number.isFinite(milliseconds)) return fallback;
  const ms = Math.max(0, Math.round(milliseconds));
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 60) return `${seconds} s`;
  const pad = (value: number) => String(value).padStart(2, '0');
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m ${pad(seconds % 60)}s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)}h ${pad(Math.floor((seconds % 3_600) / 60))}m`;
  return `${Math.floor(seconds / 86_400)}d ${Math.floor((seconds % 86_400) / 3_600)}h`;
}

/**
 * How long a task has run: the server's figure once it has ended, and for a running task the time since it
 * started, measured against `now` so the figure keeps counting between events.
 */
export function taskElapsedMs(task: Pick<Task, 'state' | 'startedAt' | 'durationMs'>, now: number): number | null {
  if (task.state === 'running' && task.startedAt) {
    const started = Date.parse(task.startedAt);
    if (!Number.isNaN(started)) return Math.max(task.durationMs ?? 0, now - started);
  }
  return task.durationMs;
}

/** Where a task came from, in words: "Schedule nightly-report", "Schedule 01m8xks2… (deleted)", "API", "CLI". */
export function describeOrigin(origin: Task['origin']): string {
  if (origin.type === 'schedule') {
    if (origin.name) return `Schedule ${origin.name}`;
    if (!origin.id) return 'Schedule';
    return origin.deleted ? `Schedule ${shortId(origin.id)} (deleted)` : `Schedule ${origin.id}`;
  }
  return origin.type === 'cli' ? 'CLI' : 'API';
}

/** The first characters of an id, enough to tell it apart in a sentence. */
export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id;
}

/** What a task's progress bar shows: the live percent while it works, the state it ended in once it is over. */
export interface TaskProgressView {
  percent: number;
  label: string;
  tone: 'active' | 'failed' | 'cancelled';
}

/**
 * The progress to show for a task, or null for none. A finished task never shows the step it was on as if it
 * were still on it ("10 % · sending request" after a failure): a failed or cancelled one says where it stopped,
 * a succeeded one shows nothing (its state says it all).
 */
export function taskProgressView(task: Pick<Task, 'state' | 'progress'>): TaskProgressView | null {
  if (!task.progress) return null;
  const percent = Math.round(Math.max(0, Math.min(100, task.progress.percent)));
  const step = task.progress.message ? ` · ${task.progress.message}` : '';
  if (isTaskActive(task.state)) return { percent, label: `${percent}%${step}`, tone: 'active' };
  if (task.state === 'failed') return { percent, label: `Failed at ${percent}%${step}`, tone: 'failed' };
  if (task.state === 'cancelled') return { percent, label: `Cancelled at ${percent}%${step}`, tone: 'cancelled' };
  return null;
}

/**
 * One short line that tells tasks of the same kind apart in the list: "GET https://…" for requests, else the
 * first telling field, else compact JSON. Cut to `maxLength` characters.
 */
export function summarizeTaskInput(input: unknown, maxLength = 80): string {
  const cut = (text: string) => (text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text);
  if (input === null || input === undefined) return '';
  if (isRecord(input)) {
    if (typeof input.url === 'string') return cut(typeof input.method === 'string' ? `${input.method} ${input.url}` : input.url);
    for (const key of ['name', 'model', 'prompt', 'path', 'target']) {
      const value = input[key];
      if (typeof value === 'string' && value.trim()) return cut(value.trim().replace(/\s+/g, ' '));
    }
    if (Object.keys(input).length === 0) return '';
  }
  try {
    return cut(JSON.stringify(input) ?? '');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------------------
// "Run task" form

/** The JSON a form starts with for a kind: its example, or an empty object. */
export function exampleInputText(kind: Pick<TaskKind, 'example'> | undefined): string {
  return kind && kind.example !== undefined && kind.example !== null ? prettyJson(kind.example) : '{}';
}

/**
 * The input text after choosing another kind: the new kind's example, unless the person has typed their own
 * input (anything other than the previous kind's example), which is kept.
 */
export function inputTextForKindChange(current: string, previous: Pick<TaskKind, 'example'> | undefined, next: Pick<TaskKind, 'example'> | undefined): string {
  const untouched = current.trim() === '' || current.trim() === exampleInputText(previous).trim() || current.trim() === '{}';
  return untouched ? exampleInputText(next) : current;
}

/** Parses the input textarea; the error says where the JSON breaks. */
export function parseJsonInput(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: false, message: 'Enter the input as JSON, for example {}.' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `Not valid JSON: ${detail}` };
  }
}

/** Fields of the "Run task" form. */
export type RunTaskField = 'kind' | 'input' | 'delaySeconds' | 'maxAttempts';

/**
 * The form field a server refusal is about, from its code and message (`validation_failed` messages start
 * with the failing path, e.g. `input.url: …` or `delayMs: …`); null when it concerns the whole form.
 */
export function runTaskErrorField(code: string | undefined, message: string): RunTaskField | null {
  if (code === 'task_kind_unknown') return 'kind';
  if (code !== 'validation_failed') return null;
  if (/(^|[\s:;(])input([.:[\s]|$)/.test(message) || /^Invalid input for /.test(message)) return 'input';
  if (/\bdelayMs\b/.test(message)) return 'delaySeconds';
  if (/\bmaxAttempts\b/.test(message)) return 'maxAttempts';
  if (/\bkind\b/.test(message)) return 'kind';
  return null;
}

/** Seconds typed in the form → the API's `delayMs` (undefined when empty). Throws nothing: NaN is checked by the form. */
export function delaySecondsToMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return Math.round(Number(trimmed) * 1_000);
}
