import { InvalidArgumentError, Option, type Command } from 'commander';
import { jsonOption, output, type OutputOptions } from './cli-output.ts';
import { SteadError } from '../errors/stead-error.ts';

/** `--workspace <id-or-slug>`, required by every command that works inside one workspace. */
export const workspaceOption = (): Option => new Option('--workspace <id-or-slug>', 'workspace').makeOptionMandatory();

/** What a workspace command needs of the services: turning `--workspace` into a workspace. */
export interface ResolvesWorkspaces {
  workspaces: { resolve(idOrSlug: string): Promise<{ id: string }> };
}

/** Runs a command's action on the services (a feature's `withServices`, narrowed to what it uses). */
export type WithCore<Core> = <T>(action: (core: Core) => Promise<T>) => Promise<T>;

/**
 * Runs a command's action in the workspace its `--workspace` names: opens the services, resolves the workspace
 * (failing as `workspace_not_found` when none matches) and hands its id to `act`.
 */
export const inWorkspace = <Core extends ResolvesWorkspaces, T>(withCore: WithCore<Core>, options: { workspace: string }, act: (core: Core, workspaceId: string) => Promise<T>): Promise<T> =>
  withCore(async (core) => {
    const { id } = await core.workspaces.resolve(options.workspace);
    return act(core, id);
  });

/** A parser for a whole number from `min` to `max` (`unit`, e.g. `days`, names what it counts in the refusal). */
export const parseWholeNumber = (min: number, max: number, unit?: string) => (value: string): number => {
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= min && number <= max)) throw new InvalidArgumentError(`must be a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`);
  return number;
};

/** A parser for an option given as JSON; `example` shows the shape in the refusal. */
export const parseJsonOption = (example: string) => (value: string): unknown => {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new InvalidArgumentError(`must be JSON, e.g. '${example}'`);
  }
};

/**
 * The record a command works on, named either way: `show <task-id>` as the docs write it, or `show --id <task-id>`
 * (`noun` is `task`, the command group its plural).
 */
export const idArgumentOf = (noun: string) => (positional: string | undefined, option: string | undefined): string => {
  if (positional && option && positional !== option) throw new InvalidArgumentError(`two different ${noun} ids given (${positional} and --id ${option})`);
  const id = positional ?? option;
  if (!id) throw new SteadError('validation_failed', `Name the ${noun}: stead ${noun}s <command> <${noun}-id> (or --id <${noun}-id>)`);
  return id;
};

/**
 * Adds `name` to `group`: a command with only `--json` that reads from the services and prints what it read,
 * as JSON or as `human` formats it.
 */
export const addReadCommand = <Core, Data>(
  group: Command,
  withCore: WithCore<Core>,
  { name, description, read, human }: { name: string; description: string; read: (core: Core) => Promise<Data>; human: (data: Data) => string },
): Command =>
  group
    .command(name)
    .description(description)
    .addOption(jsonOption())
    .action(async (options: OutputOptions) =>
      withCore(async (core) => {
        const data = await read(core);
        output(options, data, () => human(data));
      }),
    );
