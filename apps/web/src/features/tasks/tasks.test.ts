import { describe, expect, it } from 'vitest';
import type { Task, TaskLogLine, TaskPage } from '@/lib/api.ts';
import { applyTaskProgress, canCancelTask, canRetryTask, canRunTasks, delaySecondsToMs, describeOrigin, exampleInputText, formatElapsed, inputTextForKindChange, isTaskEvent, isTaskLogEvent, isTaskProgressEvent, matchesTaskFilters, mergeLogLines, parseJsonInput, runTaskErrorField, summarizeTaskInput, taskElapsedMs, taskProgressView, upsertTaskInPages } from '@/features/tasks/tasks.ts';

function task(id: string, overrides: Partial<Task> = {}): Task {
  return {
    id,
    workspaceId: 'w1',
    kind: 'http.request',
    input: { url: 'https://example.com/' },
    state: 'queued',
    attempts: 0,
    maxAttempts: 3,
    interruptedAttempts: 0,
    progress: null,
    output: null,
    error: null,
    origin: { type: 'api', id: null, name: null, deleted: false },
    createdBy: 'u1',
    createdAt: '2025-03-04T10:00:00.000Z',
    runAt: '2025-03-04T10:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    ...overrides,
  };
}

const ids = (pages: readonly TaskPage[]) => pages.map((page) => page.tasks.map((row) => row.id));

describe('upsertTaskInPages', () => {
  const pages: TaskPage[] = [
    { tasks: [task('05'), task('04')], nextCursor: '04' },
    { tasks: [task('03'), task('02')], nextCursor: '02' },
  ];

  it('keeps a loaded task when asked to (a create answer is older than the events that came before it)', () => {
    const newer = upsertTaskInPages(pages, task('03', { state: 'succeeded', attempts: 1 }), {});
    expect(upsertTaskInPages(newer, task('03'), {}, { keepCached: true })).toBe(newer);
    expect(ids(upsertTaskInPages(pages, task('06'), {}, { keepCached: true }))).toEqual([['06', '05', '04'], ['03', '02']]);
  });

  it('replaces a loaded task where it is', () => {
    const next = upsertTaskInPages(pages, task('03', { state: 'running', attempts: 1 }), {});
    expect(ids(next)).toEqual([['05', '04'], ['03', '02']]);
    expect(next[1]?.tasks[0]).toMatchObject({ state: 'running', attempts: 1 });
    expect(next[0]).toBe(pages[0]);
    expect(pages[1]?.tasks[0]?.state).toBe('queued');
  });

  it('keeps a loaded row that no longer matches the state filter rather than dropping it under the reader', () => {
    const next = upsertTaskInPages(pages, task('04', { state: 'succeeded' }), { state: 'queued' });
    expect(ids(next)).toEqual([['05', '04'], ['03', '02']]);
    expect(next[0]?.tasks[1]?.state).toBe('succeeded');
  });

  it('puts a new matching task on top', () => {
    expect(ids(upsertTaskInPages(pages, task('06'), {}))).toEqual([['06', '05', '04'], ['03', '02']]);
  });

  it('ignores a new task that does not match the filters', () => {
    expect(upsertTaskInPages(pages, task('06', { kind: 'webhook.deliver' }), { kind: 'http.request' })).toBe(pages);
    expect(upsertTaskInPages(pages, task('06', { state: 'running' }), { state: 'failed' })).toBe(pages);
    expect(upsertTaskInPages(pages, task('06', { createdAt: '2025-03-05T00:00:00.000Z' }), { to: '2025-03-05T00:00:00.000Z' })).toBe(pages);
  });

  it('leaves a task older than everything loaded to "Load more", unless every page is loaded', () => {
    expect(upsertTaskInPages(pages, task('01'), {})).toBe(pages);
    const complete: TaskPage[] = [{ tasks: [task('05')], nextCursor: null }];
    expect(ids(upsertTaskInPages(complete, task('01'), {}))).toEqual([['05', '01']]);
  });

  it('inserts between loaded rows in id order', () => {
    const gappy: TaskPage[] = [{ tasks: [task('09'), task('03')], nextCursor: '03' }];
    expect(ids(upsertTaskInPages(gappy, task('05'), {}))).toEqual([['09', '05', '03']]);
  });

  it('fills an empty first page', () => {
    expect(ids(upsertTaskInPages([{ tasks: [], nextCursor: null }], task('01'), {}))).toEqual([['01']]);
    expect(upsertTaskInPages([], task('01'), {})).toEqual([]);
  });
});

describe('applyTaskProgress', () => {
  it('updates the bar of a loaded task, clamped to 0–100', () => {
    const pages: TaskPage[] = [{ tasks: [task('02', { state: 'running' }), task('01')], nextCursor: null }];
    const next = applyTaskProgress(pages, { taskId: '02', percent: 140, message: 'almost' });
    expect(next[0]?.tasks[0]?.progress).toEqual({ percent: 100, message: 'almost' });
    expect(next[0]?.tasks[1]).toBe(pages[0]?.tasks[1]);
  });
  it('ignores tasks that are not loaded', () => {
    const pages: TaskPage[] = [{ tasks: [task('02')], nextCursor: null }];
    expect(applyTaskProgress(pages, { taskId: 'zz', percent: 10, message: null })).toBe(pages);
  });
});

describe('matchesTaskFilters', () => {
  it('applies from inclusive and to exclusive, like the server', () => {
    const row = task('01', { createdAt: '2025-03-04T10:00:00.000Z' });
    expect(matchesTaskFilters(row, { from: '2025-03-04T10:00:00.000Z' })).toBe(true);
    expect(matchesTaskFilters(row, { from: '2025-03-04T10:00:00.001Z' })).toBe(false);
    expect(matchesTaskFilters(row, { to: '2025-03-04T10:00:00.001Z' })).toBe(true);
    expect(matchesTaskFilters(row, { to: '2025-03-04T10:00:00.000Z' })).toBe(false);
    expect(matchesTaskFilters(row, { state: 'queued', kind: 'http.request' })).toBe(true);
  });

  it('keeps a schedule\'s list to the tasks that schedule started', () => {
    const fromSchedule = task('01', { origin: { type: 'schedule', id: 's1', name: 'nightly', deleted: false } });
    expect(matchesTaskFilters(fromSchedule, { originId: 's1' })).toBe(true);
    expect(matchesTaskFilters(fromSchedule, { originId: 's2' })).toBe(false);
    expect(matchesTaskFilters(task('02'), { originId: 's1' })).toBe(false);
    expect(matchesTaskFilters(task('02', { origin: { type: 'cli', id: 's1', name: null, deleted: false } }), { originId: 's1' })).toBe(false);
  });
});

describe('mergeLogLines', () => {
  const line = (id: string, attempt = 1): TaskLogLine => ({ id, attempt, at: '2025-03-04T10:00:00.000Z', line: `line ${id}` });

  it('keeps each line once, in id order', () => {
    const merged = mergeLogLines([line('01'), line('03')], [line('02'), line('03'), line('04', 2)]);
    expect(merged.map((item) => item.id)).toEqual(['01', '02', '03', '04']);
  });
  it('strips the event-only taskId and returns the same array when nothing is new', () => {
    const existing = [line('01')];
    expect(mergeLogLines(existing, [line('01')])).toBe(existing);
    expect(mergeLogLines([], [{ ...line('05'), taskId: 't1' } as TaskLogLine])[0]).toEqual(line('05'));
  });
});

describe('formatElapsed', () => {
  it('uses a unit that fits', () => {
    expect(formatElapsed(340)).toBe('340 ms');
    expect(formatElapsed(2_449)).toBe('2.4 s');
    expect(formatElapsed(42_000)).toBe('42 s');
    expect(formatElapsed(185_000)).toBe('3m 05s');
    expect(formatElapsed(3_725_000)).toBe('1h 02m');
    expect(formatElapsed(183_600_000)).toBe('2d 3h');
  });
  it('falls back when there is no duration', () => {
    expect(formatElapsed(null)).toBe('—');
    expect(formatElapsed(Number.NaN, 'n/a')).toBe('n/a');
    expect(formatElapsed(-5)).toBe('0 ms');
  });
});

describe('taskElapsedMs', () => {
  const now = Date.parse('2025-03-04T10:01:00.000Z');
  it('counts from the start while running', () => {
    expect(taskElapsedMs({ state: 'running', startedAt: '2025-03-04T10:00:30.000Z', durationMs: 1_000 }, now)).toBe(30_000);
  });
  it('never goes below the server figure (clock skew)', () => {
    expect(taskElapsedMs({ state: 'running', startedAt: '2025-03-04T10:05:00.000Z', durationMs: 2_000 }, now)).toBe(2_000);
  });
  it("uses the server's duration otherwise", () => {
    expect(taskElapsedMs({ state: 'succeeded', startedAt: '2025-03-04T10:00:30.000Z', durationMs: 1_234 }, now)).toBe(1_234);
    expect(taskElapsedMs({ state: 'queued', startedAt: null, durationMs: null }, now)).toBeNull();
  });
});

describe('actions and permissions', () => {
  it('follows the server rules for cancel and retry', () => {
    expect(['queued', 'running', 'retrying'].every((state) => canCancelTask(state as Task['state']))).toBe(true);
    expect(canCancelTask('succeeded')).toBe(false);
    expect(canRetryTask('failed')).toBe(true);
    expect(canRetryTask('cancelled')).toBe(true);
    expect(canRetryTask('running')).toBe(false);
  });
  it('gives viewers no actions', () => {
    expect(canRunTasks('viewer')).toBe(false);
    expect(canRunTasks('member')).toBe(true);
    expect(canRunTasks(undefined)).toBe(false);
  });
});

describe('event guards', () => {
  it('accepts whole tasks and the small progress and log events', () => {
    expect(isTaskEvent(task('01'))).toBe(true);
    expect(isTaskEvent({ id: '01', state: 'exploded' })).toBe(false);
    expect(isTaskProgressEvent({ taskId: '01', percent: 5, message: null })).toBe(true);
    expect(isTaskProgressEvent('text')).toBe(false);
    expect(isTaskLogEvent({ taskId: '01', id: '02', attempt: 1, at: 'x', line: 'GET /' })).toBe(true);
    expect(isTaskLogEvent({ taskId: '01', id: '02' })).toBe(false);
  });
});

describe('run task form helpers', () => {
  const http = { example: { method: 'GET', url: 'https://example.com/' } };
  const webhook = { example: { url: 'https://example.com/hook', payload: {} } };

  it('prefills with the example', () => {
    expect(exampleInputText(http)).toBe('{\n  "method": "GET",\n  "url": "https://example.com/"\n}');
    expect(exampleInputText(undefined)).toBe('{}');
  });
  it('swaps the example on a kind change but keeps typed input', () => {
    expect(inputTextForKindChange(exampleInputText(http), http, webhook)).toBe(exampleInputText(webhook));
    expect(inputTextForKindChange('', http, webhook)).toBe(exampleInputText(webhook));
    expect(inputTextForKindChange('{"url":"https://mine/"}', http, webhook)).toBe('{"url":"https://mine/"}');
  });
  it('reports broken JSON', () => {
    expect(parseJsonInput('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    const broken = parseJsonInput('{"a":');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.message).toMatch(/^Not valid JSON: /);
    expect(parseJsonInput('  ').ok).toBe(false);
  });
  it('converts the delay', () => {
    expect(delaySecondsToMs('')).toBeUndefined();
    expect(delaySecondsToMs('1.5')).toBe(1_500);
  });
  it('puts server refusals beside the field they name', () => {
    expect(runTaskErrorField('validation_failed', 'Invalid input for http.request: input.url: must be an http:// or https:// URL')).toBe('input');
    expect(runTaskErrorField('validation_failed', 'delayMs: must be zero or more')).toBe('delaySeconds');
    expect(runTaskErrorField('validation_failed', 'maxAttempts: Too big: expected number to be <=100')).toBe('maxAttempts');
    expect(runTaskErrorField('task_kind_unknown', 'No task kind is called x')).toBe('kind');
    expect(runTaskErrorField('forbidden', 'You do not have permission')).toBeNull();
    expect(runTaskErrorField('validation_failed', 'Invalid request')).toBeNull();
  });
});

describe('describeOrigin', () => {
  it('names where a task came from', () => {
    expect(describeOrigin({ type: 'api', id: null, name: null, deleted: false })).toBe('API');
    expect(describeOrigin({ type: 'cli', id: null, name: null, deleted: false })).toBe('CLI');
    expect(describeOrigin({ type: 'schedule', id: '01m8xks2abcdefgh', name: 'nightly-report', deleted: false })).toBe('Schedule nightly-report');
  });
  it('says a schedule was deleted instead of showing a bare id as if it still existed', () => {
    expect(describeOrigin({ type: 'schedule', id: '01m8xks2abcdefgh', name: null, deleted: true })).toBe('Schedule 01m8xks2… (deleted)');
  });
});

describe('taskProgressView', () => {
  const progress = { percent: 10, message: 'sending request' };
  it('shows live progress while the task works', () => {
    for (const state of ['queued', 'running', 'retrying'] as const) {
      expect(taskProgressView({ state, progress })).toEqual({ percent: 10, label: '10% · sending request', tone: 'active' });
    }
  });
  it('never shows the last step as current once the task failed or was cancelled', () => {
    expect(taskProgressView({ state: 'failed', progress })).toEqual({ percent: 10, label: 'Failed at 10% · sending request', tone: 'failed' });
    expect(taskProgressView({ state: 'cancelled', progress: { percent: 42.4, message: null } })).toEqual({ percent: 42, label: 'Cancelled at 42%', tone: 'cancelled' });
  });
  it('shows nothing for a succeeded task or one without progress', () => {
    expect(taskProgressView({ state: 'succeeded', progress })).toBeNull();
    expect(taskProgressView({ state: 'running', progress: null })).toBeNull();
  });
});

describe('summarizeTaskInput', () => {
  it('shows what tells tasks of one kind apart', () => {
    expect(summarizeTaskInput({ method: 'POST', url: 'https://example.com/hook', headers: {} })).toBe('POST https://example.com/hook');
    expect(summarizeTaskInput({ url: 'https://example.com/' })).toBe('https://example.com/');
    expect(summarizeTaskInput({ model: 'local/llama', prompt: 'Hi' })).toBe('local/llama');
    expect(summarizeTaskInput({ prompt: 'Summarise\n  this   text' })).toBe('Summarise this text');
    expect(summarizeTaskInput({ count: 3 })).toBe('{"count":3}');
    expect(summarizeTaskInput({})).toBe('');
    expect(summarizeTaskInput(null)).toBe('');
  });
  it('cuts long values', () => {
    const summary = summarizeTaskInput({ url: `https://example.com/${'a'.repeat(200)}` }, 40);
    expect(summary).toHaveLength(40);
    expect(summary.endsWith('…')).toBe(true);
  });
});
