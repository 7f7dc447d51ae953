import { defineFeature, ownTables } from '../../feature.ts';
import { createDatabaseClock } from '../../platform/database/database-clock.ts';
import type { ErrorCatalogue } from '../../platform/errors/error-codes.ts';
import type { PermissionDeclarations } from '../../platform/http/permissions.ts';
import { createScheduler, type Scheduler } from './scheduler.ts';
import { registerSchedulesCommands } from './schedules.command.ts';
import { createSchedulesRepository } from './schedules.repository.ts';
import { registerSchedulesRoutes } from './schedules.routes.ts';
import { createSchedulesService, type SchedulesService } from './schedules.service.ts';
import type { SchedulesTables } from './schedules.tables.ts';

export const schedulesPermissions = {
  'schedules:read': 'viewer',
  'schedules:manage': 'admin',
} as const satisfies PermissionDeclarations;

export const schedulesErrorCodes = {
  schedule_not_found: { status: 404, summary: 'The schedule does not exist in this workspace.' },
  schedule_invalid: { status: 400, summary: 'The schedule cannot fire: a bad cron expression, time zone, interval or a one-off time in the past.' },
} as const satisfies ErrorCatalogue;

/** The schedules service, with the scheduler that fires them (started by background work only). */
export interface SchedulesFeatureService extends SchedulesService {
  /** Starts firing due schedules on this node (only the node holding the scheduler's lease fires). */
  startScheduler(): Scheduler;
}

declare module '../../feature.ts' { interface SteadServices { schedules: SchedulesFeatureService } }

/** Schedules that start tasks (cron, interval, once), fired by one leader node. */
export const schedulesFeature = defineFeature({
  name: 'schedules',
  tables: ownTables<SchedulesTables>(),
  permissions: schedulesPermissions,
  errorCodes: schedulesErrorCodes,
  create: ({ db, database, services, ids, logger }) => {
    // Schedules and the scheduler's leader lease run on the database's clock, so nodes whose clocks drift agree.
    const clock = createDatabaseClock({ db, sqlDialect: database.sqlDialect });
    const repository = createSchedulesRepository(db, database.sqlDialect);
    const service = createSchedulesService({ repository, starter: services.tasks, vault: services.secrets, clock, ids });
    return {
      ...service,
      startScheduler() {
        const scheduler = createScheduler({ service, leases: repository, clock, ids, logger });
        scheduler.start();
        return scheduler;
      },
    };
  },
  background: ({ schedules }) => {
    const scheduler = schedules.startScheduler();
    return { stop: () => scheduler.stop() };
  },
  routes: (app, { services }) => registerSchedulesRoutes(app, { schedules: services.schedules }),
  cli: registerSchedulesCommands,
});
