import { Option, type Command } from 'commander';
import { SteadError } from '../../platform/errors/stead-error.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { createScheduleBody, describeTrigger, maxIntervalSeconds, missedPolicies, type MissedPolicy, type Schedule, type ScheduleTriggerInput } from './schedules.schema.ts';
import type { SchedulesService } from './schedules.service.ts';
import type { WorkspacesService } from '../workspaces/workspaces.service.ts';
import type { FeatureCliContext } from '../../feature.ts';
import { cliActor, jsonOption, output, table } from '../../platform/cli/cli-output.ts';
import { idArgumentOf, inWorkspace, parseJsonOption, parseWholeNumber, workspaceOption, type WithCore } from '../../platform/cli/cli-options.ts';

/** The services these commands use. */
export interface SchedulesCommandCore {
  schedules: SchedulesService;
  workspaces: Pick<WorkspacesService, 'resolve'>;
  audit: Pick<AuditService, 'record'>;
}

export type WithSchedulesCore = WithCore<SchedulesCommandCore>;

const idOption = () => new Option('--id <schedule-id>', 'schedule id, as an option');
/** The schedule a command works on: `disable <schedule-id>` as the docs write it, or `disable --id <schedule-id>`. */
const scheduleIdOf = idArgumentOf('schedule');
// The bounds of the HTTP API, so a typo (`1m`, `0`) fails here rather than creating a schedule that never runs.
const parseSeconds = parseWholeNumber(1, maxIntervalSeconds, 'seconds');
const parseInput = parseJsonOption('{"url":"https://example.com"}');

const rowOf = (schedule: Schedule) => ({
  id: schedule.id,
  name: schedule.name,
  kind: schedule.kind,
  trigger: describeTrigger(schedule.trigger),
  state: schedule.enabled ? 'enabled' : 'disabled',
  nextFireAt: schedule.nextFireAt,
  lastFiredAt: schedule.lastFiredAt,
});

interface AddOptions {
  workspace: string;
  name: string;
  kind: string;
  input?: unknown;
  cron?: string;
  tz: string;
  every?: number;
  at?: string;
  missed: MissedPolicy;
  disabled?: boolean;
  json?: boolean;
}

/** `stead schedules list|add|enable|disable|remove`. */
export const registerSchedulesCommands = (program: Command, { withServices }: FeatureCliContext): void => {
  const withCore: WithSchedulesCore = (action) => withServices((services) => action(services));
  const schedules = program.command('schedules').description('Manage schedules that start tasks');

  schedules
    .command('list')
    .description('List the schedules of a workspace')
    .addOption(workspaceOption())
    .addOption(jsonOption())
    .action(async (options: { workspace: string; json?: boolean }) =>
      inWorkspace(withCore, options, async (core, workspaceId) => {
        const list = await core.schedules.list(workspaceId);
        output(options, { schedules: list }, () => table(list.map(rowOf), ['id', 'name', 'kind', 'trigger', 'state', 'nextFireAt', 'lastFiredAt']));
      }),
    );

  schedules
    .command('add')
    .description('Create a schedule (one of --cron, --every or --at) and print its next 3 fire times')
    .addOption(workspaceOption())
    .requiredOption('--name <name>', 'schedule name')
    .requiredOption('--kind <kind>', 'task kind to start, e.g. http.request')
    .option('--input <json>', 'task input as JSON (default {})', parseInput)
    .addOption(new Option('--cron <expression>', 'cron expression, e.g. "0 9 * * 1-5"').conflicts(['every', 'at']))
    .addOption(new Option('--tz <zone>', 'IANA time zone of the cron expression').default('UTC'))
    .addOption(new Option('--every <seconds>', 'fixed interval in seconds').argParser(parseSeconds).conflicts(['cron', 'at']))
    .addOption(new Option('--at <iso-time>', 'one-off time (ISO-8601), in the future').conflicts(['cron', 'every']))
    .addOption(new Option('--missed <policy>', 'after downtime: skip missed fires, or run once').choices(missedPolicies as unknown as string[]).default('skip'))
    .option('--disabled', 'create it disabled')
    .addOption(jsonOption())
    .action(async (options: AddOptions) =>
      withCore(async (core) => {
        const trigger: ScheduleTriggerInput | undefined =
          options.cron !== undefined ? { type: 'cron', expression: options.cron, timeZone: options.tz }
          : options.every !== undefined ? { type: 'interval', seconds: options.every }
          : options.at !== undefined ? { type: 'once', at: options.at }
          : undefined;
        if (!trigger) throw new SteadError('validation_failed', 'Give one of --cron, --every or --at');
        const parsed = createScheduleBody.safeParse({ name: options.name, kind: options.kind, input: options.input, trigger, missedPolicy: options.missed, enabled: !options.disabled });
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new SteadError('validation_failed', `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
        }
        const workspace = await core.workspaces.resolve(options.workspace);
        const schedule = await core.schedules.create(workspace.id, parsed.data, { userId: null });
        await core.audit.record({ workspaceId: workspace.id, actor: cliActor, action: 'schedule.create', target: { type: 'schedule', id: schedule.id }, outcome: 'success', metadata: { name: schedule.name, kind: schedule.kind, trigger: schedule.trigger } });
        output(options, { schedule }, () =>
          [
            `Created schedule ${schedule.name} (${schedule.id}): ${schedule.kind}, ${describeTrigger(schedule.trigger)}${schedule.enabled ? '' : ', disabled'}`,
            schedule.nextFireTimes.length > 0 ? `Next fire times:\n${schedule.nextFireTimes.map((time) => `  ${time}`).join('\n')}` : 'No fire time is due while it is disabled',
          ].join('\n'),
        );
      }),
    );

  const toggle = (name: 'enable' | 'disable', description: string) =>
    schedules
      .command(name)
      .description(description)
      .argument('[schedule-id]', 'schedule id (from schedules list)')
      .addOption(workspaceOption())
      .addOption(idOption())
      .addOption(jsonOption())
      .action(async (scheduleId: string | undefined, options: { workspace: string; id?: string; json?: boolean }) =>
        inWorkspace(withCore, options, async (core, workspaceId) => {
          const schedule = await core.schedules[name](workspaceId, scheduleIdOf(scheduleId, options.id));
          await core.audit.record({ workspaceId, actor: cliActor, action: `schedule.${name}`, target: { type: 'schedule', id: schedule.id }, outcome: 'success' });
          output(options, { schedule }, () => `${name === 'enable' ? 'Enabled' : 'Disabled'} schedule ${schedule.name} (${schedule.id})${schedule.nextFireAt ? `; next fire at ${schedule.nextFireAt}` : ''}`);
        }),
      );
  toggle('enable', 'Enable a schedule; it fires from the next time after now');
  toggle('disable', 'Disable a schedule');

  schedules
    .command('remove')
    .description('Delete a schedule and its fire history (tasks it started stay)')
    .argument('[schedule-id]', 'schedule id (from schedules list)')
    .addOption(workspaceOption())
    .addOption(idOption())
    .action(async (scheduleId: string | undefined, options: { workspace: string; id?: string }) =>
      inWorkspace(withCore, options, async (core, workspaceId) => {
        const id = scheduleIdOf(scheduleId, options.id);
        await core.schedules.remove(workspaceId, id);
        await core.audit.record({ workspaceId, actor: cliActor, action: 'schedule.delete', target: { type: 'schedule', id }, outcome: 'success' });
        process.stdout.write(`Removed schedule ${id}\n`);
      }),
    );
};
