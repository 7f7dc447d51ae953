// First, so V8's settings apply before the server starts (see runtime-flags.ts).
import './runtime-flags.ts';
import { Command } from 'commander';
import { withCore } from './cli/cli-context.ts';
import { registerPlatformCommands } from './cli/platform.command.ts';
import { registerFeatureCommands } from './compose-features.ts';
import { features } from './feature-list.ts';
import { reportError } from './platform/cli/cli-output.ts';
import { steadVersion } from './version.ts';

/** The `stead` program: its own commands, then every feature's (feature-list.ts), in the list's order. */
const program = new Command('stead')
  .description('Stead: self-hosted AI operations platform. Commands work on the data directory or database directly; no server needs to run.')
  .version(steadVersion, '-v, --version')
  .showHelpAfterError();

registerPlatformCommands(program);
registerFeatureCommands(program, features, { withServices: (action) => withCore((core) => action(core, core)) });

program.parseAsync(process.argv).catch(reportError);
