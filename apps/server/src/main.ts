// First, so V8's settings apply before the server starts (see runtime-flags.ts).
import './runtime-flags.ts';
import { Command, InvalidArgumentError, Option } from 'commander';
import { cliActor, loadCliConfig, output, reportError, table, withCore } from './cli/cli-context.ts';
import { runDoctor } from './cli/doctor.command.ts';
import { promptSecret, readStdin } from './cli/prompt.ts';
import { startServer, startWorker } from './cli/start.command.ts';
import { registerModelsCommands } from './features/models/models.command.ts';
import { registerSchedulesCommands } from './features/schedules/schedules.command.ts';
import { registerWorkspaceSecretsCommands } from './cli/secrets.command.ts';
import { registerTasksCommands } from './features/tasks/tasks.command.ts';
import { createDatabase } from './platform/database/database.factory.ts';
import { migrateToLatest } from './platform/database/migrator.ts';
import { workspaceRoles, type WorkspaceRole } from './platform/http/permissions.ts';
import { SteadError } from './platform/errors/stead-error.ts';
import { steadVersion } from './version.ts';
import { join } from 'node:path';

const program = new Command('stead')
  .description('Stead: self-hosted AI operations platform. Commands work on the data directory or database directly; no server needs to run.')
  .version(steadVersion, '-v, --version')
  .showHelpAfterError();

const json = new Option('--json', 'print machine-readable JSON');
const roleOption = () => new Option('--role <role>', 'workspace role').choices(workspaceRoles as unknown as string[]);

// The bounds of the HTTP API. A typo (`abc`, `0`) must fail rather than quietly create a key that never expires.
const parseExpiryDays = (value: string): number => {
  const days = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(days >= 1 && days <= 3650)) throw new InvalidArgumentError('must be a whole number of days from 1 to 3650');
  return days;
};

const readPassword = async (options: { passwordStdin?: boolean }, question: string) =>
  options.passwordStdin ? readStdin() : promptSecret(question);

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
  .addOption(json)
  .action(async (options: { json?: boolean }) => {
    const config = loadCliConfig();
    const database = await createDatabase({ databaseUrl: config.databaseUrl, sqliteFile: join(config.dataDir, 'stead.db') });
    try {
      const results = await migrateToLatest(database.db);
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
  .addOption(json)
  .action(runDoctor);

program
  .command('version')
  .description('Print the version')
  .addOption(json)
  .action((options: { json?: boolean }) => output(options, { version: steadVersion }, () => steadVersion));

const admin = program.command('admin').description('Manage accounts');
admin
  .command('create')
  .description('Create an administrator account (and a first workspace it owns); the password is prompted or read from stdin')
  .requiredOption('--email <email>', 'email address')
  .option('--name <name>', 'display name (default: the part of the email before @)')
  .option('--workspace <name>', 'name of the workspace to create for the account', 'Personal')
  .option('--password-stdin', 'read the password from standard input')
  .addOption(json)
  .action(async (options: { email: string; name?: string; workspace: string; passwordStdin?: boolean; json?: boolean }) =>
    withCore(async (core) => {
      const password = await readPassword(options, 'Password: ');
      const user = await core.auth.createUser({ name: options.name ?? options.email.split('@')[0]!, email: options.email, password, isAdmin: true });
      const workspace = await core.workspaces.create(options.workspace, user.id);
      await core.audit.record({ workspaceId: workspace.id, actor: cliActor, action: 'user.create', target: { type: 'user', id: user.id }, outcome: 'success', metadata: { email: user.email, admin: true } });
      output(options, { user, workspace }, () => `Created administrator ${user.email} (${user.id}) owning workspace ${workspace.name} (${workspace.slug})`);
    }),
  );
admin
  .command('reset-password')
  .description("Set a new password for an account (prompted or read from stdin) and end all of its sessions")
  .requiredOption('--email <email>', 'email address')
  .option('--password-stdin', 'read the password from standard input')
  .action(async (options: { email: string; passwordStdin?: boolean }) =>
    withCore(async (core) => {
      const password = await readPassword(options, 'New password: ');
      const user = await core.auth.resetPassword(options.email, password);
      await core.audit.record({ workspaceId: null, actor: cliActor, action: 'user.password-reset', target: { type: 'user', id: user.id }, outcome: 'success' });
      process.stdout.write(`Password of ${user.email} changed; every session of the account was ended\n`);
    }),
  );

const workspacesCommand = program.command('workspaces').description('Manage workspaces');
workspacesCommand
  .command('list')
  .description('List every workspace')
  .addOption(json)
  .action(async (options: { json?: boolean }) =>
    withCore(async (core) => {
      const workspaces = await core.workspaces.listAll();
      output(options, { workspaces }, () => table(workspaces, ['id', 'slug', 'name', 'createdAt']));
    }),
  );
workspacesCommand
  .command('create')
  .description('Create a workspace owned by an existing account')
  .requiredOption('--name <name>', 'workspace name')
  .requiredOption('--owner <email>', 'email of the owner')
  .addOption(json)
  .action(async (options: { name: string; owner: string; json?: boolean }) =>
    withCore(async (core) => {
      const owner = await core.auth.findUserByEmail(options.owner);
      if (!owner) throw new SteadError('user_not_found', `No account has the email ${options.owner}; create it with stead admin create`);
      const workspace = await core.workspaces.create(options.name, owner.id);
      await core.audit.record({ workspaceId: workspace.id, actor: cliActor, action: 'workspace.create', target: { type: 'workspace', id: workspace.id }, outcome: 'success', metadata: { name: workspace.name, owner: owner.email } });
      output(options, { workspace }, () => `Created workspace ${workspace.name} (${workspace.id}, slug ${workspace.slug})`);
    }),
  );

const keysCommand = program.command('keys').description('Manage workspace API keys');
keysCommand
  .command('create')
  .description('Create an API key and print it (shown once); scripts can capture it with --json')
  .requiredOption('--email <email>', 'the member the key acts for')
  .requiredOption('--workspace <id-or-slug>', 'workspace')
  .addOption(roleOption().default('member'))
  .option('--name <name>', 'key name', 'cli')
  .option('--expires-in-days <days>', 'expiry in days (1 to 3650; default: never)', parseExpiryDays)
  .addOption(json)
  .action(async (options: { email: string; workspace: string; role: WorkspaceRole; name: string; expiresInDays?: number; json?: boolean }) =>
    withCore(async (core) => {
      const user = await core.auth.findUserByEmail(options.email);
      if (!user) throw new SteadError('user_not_found', `No account has the email ${options.email}`);
      const workspace = await core.workspaces.resolve(options.workspace);
      const memberRole = await core.workspaces.memberRole(workspace.id, user.id);
      if (!memberRole) throw new SteadError('member_not_found', `${options.email} is not a member of ${workspace.slug}`);
      const { key, secret } = await core.keys.create(workspace.id, { name: options.name, role: options.role, expiresInDays: options.expiresInDays }, { userId: user.id, role: memberRole });
      await core.audit.record({ workspaceId: workspace.id, actor: cliActor, action: 'key.create', target: { type: 'key', id: key.id }, outcome: 'success', metadata: { name: key.name, role: key.role } });
      output(options, { key, secret }, () => secret);
    }),
  );
keysCommand
  .command('list')
  .description('List the API keys of a workspace')
  .requiredOption('--workspace <id-or-slug>', 'workspace')
  .addOption(json)
  .action(async (options: { workspace: string; json?: boolean }) =>
    withCore(async (core) => {
      const workspace = await core.workspaces.resolve(options.workspace);
      const keys = await core.keys.list(workspace.id);
      output(options, { keys }, () => table(keys.map((key) => ({ ...key, state: key.revokedAt ? 'revoked' : 'active' })), ['id', 'prefix', 'name', 'role', 'state', 'lastUsedAt']));
    }),
  );
keysCommand
  .command('revoke')
  .description('Revoke an API key at once')
  .requiredOption('--workspace <id-or-slug>', 'workspace')
  .requiredOption('--id <key-id>', 'key id (from keys list)')
  .action(async (options: { workspace: string; id: string }) =>
    withCore(async (core) => {
      const workspace = await core.workspaces.resolve(options.workspace);
      // The command line acts with the machine's authority, above every workspace role.
      await core.keys.revoke(workspace.id, options.id, { role: 'owner' });
      await core.audit.record({ workspaceId: workspace.id, actor: cliActor, action: 'key.revoke', target: { type: 'key', id: options.id }, outcome: 'success' });
      process.stdout.write(`Revoked key ${options.id}\n`);
    }),
  );

const secretsCommand = program.command('secrets').description('Manage the workspace secrets tasks use, and the encryption of every stored secret');
secretsCommand
  .command('rotate-key')
  .description('Re-encrypt every stored secret under a new key. With a key file, a new file is written; with STEAD_SECRET_KEY, pass --new-key and then update the variable')
  .option('--new-key <key>', 'the new key (32 bytes, base64 or hex) when STEAD_SECRET_KEY is used')
  .addOption(json)
  .action(async (options: { newKey?: string; json?: boolean }) =>
    withCore(async (core) => {
      const result = await core.secrets.rotateKey({ newKey: options.newKey, keySource: core.secretKey.source });
      await core.audit.record({ workspaceId: null, actor: cliActor, action: 'secrets.rotate-key', target: { type: 'key', id: result.keyId }, outcome: 'success', metadata: { reencrypted: result.reencrypted } });
      output(options, result, () =>
        [
          `Re-encrypted ${result.reencrypted} secret(s) under key ${result.keyId}.`,
          result.instructions ?? '',
          'Signed-in sessions end, because session cookies are signed with a key derived from this one.',
        ].filter(Boolean).join('\n'),
      );
    }),
  );

registerTasksCommands(program);
registerModelsCommands(program);
registerSchedulesCommands(program, withCore);
registerWorkspaceSecretsCommands(secretsCommand, withCore);

program.parseAsync(process.argv).catch(reportError);
