import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inheritedEnv, jsonOf, runStead, steadBin, type Env, type RunResult } from '../../../test/support/stead-cli.ts';

/**
 * The `stead tasks` and `stead schedules` commands exactly as docs/tasks.md shows them (placeholders filled in),
 * run against a real installation with a worker: none may be refused as a usage error.
 */

const docs = readFileSync(new URL('../../../../../docs/tasks.md', import.meta.url), 'utf8');

/** The shell lines of the doc's `sh` blocks that call `stead tasks` or `stead schedules`, continuations joined. */
const documentedCommands = (): string[] =>
  [...docs.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((block) => block[1]!.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((line) => line.trim())
    .filter((line) => /^npx stead (tasks|schedules) /.test(line));

/** Splits a shell line into words (single quotes only, as the docs use). */
const words = (line: string): string[] => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!);

const usageError = /error: (unknown option|too many arguments|missing required argument|required option)/;

describe('docs/tasks.md: the commands it shows', () => {
  const root = mkdtempSync(join(tmpdir(), 'stead-tasks-docs-'));
  const env: Env = { ...inheritedEnv(), STEAD_DATA_DIR: join(root, 'data'), STEAD_LOG_LEVEL: 'silent' };
  const stead = (args: string[], stdin?: string): Promise<RunResult> => runStead(args, { env, cwd: root, stdin });
  let worker: ReturnType<typeof spawn> | undefined;

  beforeAll(async () => {
    jsonOf(await stead(['admin', 'create', '--email', 'docs@example.com', '--password-stdin', '--json'], 'docs-password-1\n'));
    jsonOf(await stead(['workspaces', 'create', '--name', 'Acme', '--owner', 'docs@example.com', '--json']));
    worker = spawn(process.execPath, [steadBin, 'worker'], { env, cwd: root, stdio: 'ignore' });
  }, 60_000);
  afterAll(() => {
    worker?.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('finds them: kinds, run, list, show, retry, cancel; schedules add, list, disable', () => {
    expect(documentedCommands().map((line) => words(line).slice(2, 4).join(' '))).toEqual(
      expect.arrayContaining(['tasks kinds', 'tasks run', 'tasks list', 'tasks show', 'tasks retry', 'tasks cancel', 'schedules add', 'schedules list', 'schedules disable']),
    );
  });

  it('accepts every one of them as written', async () => {
    let taskId = '';
    let taskState = '';
    let scheduleId = '';
    for (const line of documentedCommands()) {
      const args = words(line)
        .slice(2)
        .map((word) => (word === '<task-id>' ? taskId : word === '<id>' ? scheduleId : word));
      const result = await stead(args);
      expect(result.stderr, line).not.toMatch(usageError);
      const [noun, verb] = args;
      if (noun === 'tasks' && verb === 'run') {
        // `--wait` ends once the worker is done; without network the request fails, and the command says so with exit 1.
        taskId = /^http\.request (\S+):/m.exec(result.stdout)?.[1] ?? '';
        taskState = /^http\.request \S+: (\w+)/m.exec(result.stdout)?.[1] ?? '';
        expect(taskId, result.stdout + result.stderr).not.toBe('');
        expect(result.code).toBe(taskState === 'succeeded' ? 0 : 1);
      } else if (noun === 'tasks' && (verb === 'retry' || verb === 'cancel') && result.code !== 0) {
        // The worker may already have finished the task (retry of a success, cancel after the retried run ended).
        expect(result.stderr).toMatch(/^error \[task_state_conflict\]/);
      } else {
        expect(result, line).toMatchObject({ code: 0 });
      }
      if (noun === 'tasks' && verb === 'show') expect(result.stdout).toContain(taskId);
      if (noun === 'schedules' && verb === 'add') {
        const listed = jsonOf<{ schedules: { id: string; name: string }[] }>(await stead(['schedules', 'list', '--workspace', 'acme', '--json']));
        scheduleId = listed.schedules.find((schedule) => schedule.name === 'nightly')!.id;
      }
      if (noun === 'schedules' && verb === 'disable') expect(result.stdout).toContain('Disabled schedule nightly');
    }
    expect(scheduleId).not.toBe('');
  }, 240_000);
});
