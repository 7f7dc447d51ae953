import { type Command, Option } from 'commander';
import type { FeatureCliContext, SteadServices } from '../../feature.ts';
import { cliActor, jsonOption, output, table } from '../../platform/cli/cli-output.ts';
import { addReadCommand, idArgumentOf, inWorkspace, parseJsonOption, parseWholeNumber, workspaceOption } from '../../platform/cli/cli-options.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { taskStates, type Task, type TaskDetail } from './tasks.schema.ts';

/** The task a command works on: `show <task-id>` as the docs write it, or `show --id <task-id>`. */
const taskIdOf = idArgumentOf('task');
const parseJsonInput = parseJsonOption('{"url":"https://example.com/"}');

const row = (task: Task) => ({
  id: task.id,
  kind: task.kind,
  state: task.state,
  attempts: `${task.attempts}/${task.maxAttempts}`,
  progress: task.progress ? `${task.progress.percent}%` : null,
  created: task.createdAt,
  error: task.error?.slice(0, 60) ?? null,
});

/** `schedule "nightly-report" (01m8…)`, `schedule 01m8… (deleted)`, `the API`, `the command line`. */
const originText = (origin: Task['origin']): string => {
  if (origin.type === 'schedule') return origin.name ? `schedule "${origin.name}" (${origin.id})` : `schedule ${origin.id ?? ''}${origin.deleted ? ' (deleted)' : ''}`;
  return origin.type === 'cli' ? 'the command line' : 'the API';
};

const describe = (detail: TaskDetail): string => {
  const { task } = detail;
  return [
    `${task.kind} ${task.id}: ${task.state} (attempt ${task.attempts} of ${task.maxAttempts}${task.interruptedAttempts > 0 ? `; ${task.interruptedAttempts} cut off by a stopped worker` : ''})`,
    `started by ${originText(task.origin)}`,
    `created ${task.createdAt}, runs at ${task.runAt}${task.startedAt ? `, started ${task.startedAt}` : ''}${task.finishedAt ? `, finished ${task.finishedAt}` : ''}`,
    ...(task.progress ? [`progress ${task.progress.percent}%${task.progress.message ? ` ${task.progress.message}` : ''}`] : []),
    `input  ${JSON.stringify(task.input)}`,
    ...(task.output !== null ? [`output ${JSON.stringify(task.output)}`] : []),
    ...(task.error ? [`error  ${task.error}`] : []),
    '',
    'attempts',
    table(detail.attempts.map((attempt) => ({ ...attempt })), ['number', 'outcome', 'startedAt', 'finishedAt', 'error']),
    '',
    'log',
    detail.logs.length === 0 ? '(none)' : detail.logs.map((line) => `${line.at} [${line.attempt}] ${line.line}`).join('\n'),
  ].join('\n');
};

/** Polls until the task finishes: a server (`stead start` or `stead worker`) carries it out meanwhile. */
const waitUntilFinished = async (core: SteadServices, workspaceId: string, id: string, timeoutMs: number): Promise<TaskDetail> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const detail = await core.tasks.detail(workspaceId, id);
    if (['succeeded', 'failed', 'cancelled'].includes(detail.task.state)) return detail;
    if (Date.now() > deadline) throw new SteadError('service_unavailable', `Task ${id} is still ${detail.task.state} after ${timeoutMs / 1000} s; is a server or worker running (stead start / stead worker)?`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

/** `stead tasks list|show|run|retry|cancel`: works on the database directly; a running server or worker carries tasks out. */
export const registerTasksCommands = (program: Command, { withServices }: FeatureCliContext): void => {
  const withCore = <T>(action: (core: SteadServices) => Promise<T>): Promise<T> => withServices((services) => action(services));
  const tasks = program.command('tasks').description('Run and inspect background tasks (a running stead start or stead worker carries them out)');

  addReadCommand(tasks, withCore, {
    name: 'kinds',
    description: 'List the kinds of task that can run, with an example input',
    read: async (core) => ({ kinds: core.tasks.kinds() }),
    human: ({ kinds }) => kinds.map((kind) => `${kind.name}\n  ${kind.description}\n  example input: ${JSON.stringify(kind.example)}`).join('\n\n'),
  });

  tasks
    .command('list')
    .description('List tasks, newest first')
    .addOption(workspaceOption())
    .addOption(new Option('--state <state>', 'only tasks in this state').choices(taskStates as unknown as string[]))
    .option('--kind <kind>', 'only tasks of this kind')
    .option('--limit <n>', 'how many (1 to 200)', parseWholeNumber(1, 200), 50)
    .addOption(jsonOption())
    .action(async (options: { workspace: string; state?: Task['state']; kind?: string; limit: number; json?: boolean }) =>
      inWorkspace(withCore, options, async (core, id) => {
        const page = await core.tasks.list(id, { state: options.state, kind: options.kind, limit: options.limit });
        output(options, page, () => table(page.tasks.map(row), ['id', 'kind', 'state', 'attempts', 'progress', 'created', 'error']));
      }),
    );

  /** A command on one task, named by `<task-id>` or `--id`. */
  const taskCommand = (name: string, description: string) =>
    tasks
      .command(name)
      .description(description)
      .argument('[task-id]', 'task id (from tasks list)')
      .option('--id <task-id>', 'task id, as an option')
      .addOption(workspaceOption())
      .addOption(jsonOption());

  taskCommand('show', 'Show a task with its attempts, output, error and log')
    .action(async (taskId: string | undefined, options: { id?: string; workspace: string; json?: boolean }) =>
      inWorkspace(withCore, options, async (core, id) => {
        const detail = await core.tasks.detail(id, taskIdOf(taskId, options.id));
        output(options, detail, () => describe(detail));
      }),
    );

  tasks
    .command('run')
    .description('Create a task of a kind (see stead tasks kinds) and print its id; --wait prints the result')
    .argument('<kind>')
    .addOption(workspaceOption())
    .option('--input <json>', 'the input, as JSON', parseJsonInput, {})
    .option('--delay-ms <ms>', 'start no earlier than this many milliseconds from now', parseWholeNumber(0, 2_147_483_647))
    .option('--max-attempts <n>', 'attempts before failing for good (1 to 100)', parseWholeNumber(1, 100))
    .option('--wait', 'wait until it finishes (a server or worker must be running); exit 1 if it failed')
    .option('--timeout <seconds>', 'with --wait: give up after this long', parseWholeNumber(1, 86_400), 300)
    .addOption(jsonOption())
    .action(async (kind: string, options: { workspace: string; input: unknown; delayMs?: number; maxAttempts?: number; wait?: boolean; timeout: number; json?: boolean }) =>
      inWorkspace(withCore, options, async (core, id) => {
        const task = await core.tasks.create(id, { kind, input: options.input, delayMs: options.delayMs, maxAttempts: options.maxAttempts }, { type: 'cli' });
        await core.audit.record({ workspaceId: id, actor: cliActor, action: 'task.create', target: { type: 'task', id: task.id }, outcome: 'success', metadata: { kind } });
        if (!options.wait) return output(options, { task }, () => `Queued ${kind} task ${task.id}`);
        const detail = await waitUntilFinished(core, id, task.id, options.timeout * 1000);
        output(options, detail, () => describe(detail));
        if (detail.task.state !== 'succeeded') process.exitCode = 1;
      }),
    );

  for (const action of ['retry', 'cancel'] as const) {
    taskCommand(action, action === 'retry' ? 'Run a failed or cancelled task again with fresh attempts' : 'Cancel a queued or running task')
      .action(async (taskId: string | undefined, options: { id?: string; workspace: string; json?: boolean }) =>
        inWorkspace(withCore, options, async (core, id) => {
          const task = await core.tasks[action](id, taskIdOf(taskId, options.id));
          await core.audit.record({ workspaceId: id, actor: cliActor, action: `task.${action}`, target: { type: 'task', id: task.id }, outcome: 'success' });
          output(options, { task }, () => `Task ${task.id} is ${task.state}`);
        }),
      );
  }
};
