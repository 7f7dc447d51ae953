import { Option, type Command } from 'commander';
import { isSteadError } from '../errors/stead-error.ts';

export interface OutputOptions {
  json?: boolean;
}

/** The `--json` option every command that prints data offers. */
export const jsonOption = (): Option => new Option('--json', 'print machine-readable JSON');

/** Prints data as JSON (`--json`) or through a human formatter. */
export const output = (options: OutputOptions, data: unknown, human: () => string): void => {
  process.stdout.write(options.json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
};

export const table = (rows: Record<string, unknown>[], columns: string[]): string => {
  if (rows.length === 0) return '(none)';
  const cell = (value: unknown) => (value === null || value === undefined ? '-' : String(value));
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row[column]).length)));
  const line = (values: string[]) => values.map((value, index) => value.padEnd(widths[index]!)).join('  ').trimEnd();
  return [line(columns.map((column) => column.toUpperCase())), ...rows.map((row) => line(columns.map((column) => cell(row[column]))))].join('\n');
};

/** Audit attribution for changes made from the command line. */
export const cliActor = { type: 'system' as const, id: null, label: 'cli' };

/** Prints an error for people (code and message, no stack for known errors) and sets the exit code. */
export const reportError = (error: unknown): void => {
  if (isSteadError(error)) {
    process.stderr.write(`error [${error.code}]: ${error.message}\n`);
  } else {
    process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exitCode = 1;
};

/** The command group `name` of `program`, created with `description` when no feature made it yet. */
export const commandGroup = (program: Command, name: string, description: string): Command =>
  program.commands.find((command) => command.name() === name) ?? program.command(name).description(description);
