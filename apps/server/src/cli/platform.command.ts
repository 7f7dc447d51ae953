import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { migrations } from '../feature-list.ts';
import { jsonOption, output } from '../platform/cli/cli-output.ts';
import { createDatabase } from '../platform/database/database.factory.ts';
import { migrateToLatest } from '../platform/database/migrator.ts';
import { steadVersion } from '../version.ts';
import { loadCliConfig } from './cli-context.ts';
import { runDoctor } from './doctor.command.ts';
import { startServer, startWorker } from './start.command.ts';

/** The commands of the program itself, before any feature's: start, worker, migrate, doctor, version. */
export const registerPlatformCommands = (program: Command): void => {
  program
    .command('start')
    .description('Run migrations, then serve the API and the dashboard (STEAD_HOST, STEAD_PORT) and carry out background jobs')
    .addOption(new Option('--role <role>', 'all: serve HTTP and run jobs; api: serve HTTP and only enqueue (run stead worker beside it)').choices(['all', 'api']).default('all'))
    .action(startServer);

  program
    .command('worker')
    .description('Carry out background jobs (tasks, schedules) without serving HTTP; run any number beside stead start --role api')
    .action(startWorker);

  program
    .command('migrate')
    .description('Apply pending database migrations')
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const config = loadCliConfig();
      const database = await createDatabase({ databaseUrl: config.databaseUrl, sqliteFile: join(config.dataDir, 'stead.db') });
      try {
        const results = await migrateToLatest(database.db, migrations);
        const applied = results.map((result) => result.migrationName);
        output(options, { database: database.location, applied }, () =>
          applied.length === 0 ? `Database ${database.location} is up to date` : `Applied ${applied.join(', ')} to ${database.location}`,
        );
      } finally {
        await database.close();
      }
    });

  program
    .command('doctor')
    .description('Show the effective configuration (secrets masked) and check the database, data directory and services')
    .addOption(jsonOption())
    .action(runDoctor);

  program
    .command('version')
    .description('Print the version')
    .addOption(jsonOption())
    .action((options: { json?: boolean }) => output(options, { version: steadVersion }, () => steadVersion));
};
