import { defineFeature, ownTables } from '../../feature.ts';
import type { ErrorCatalogue } from '../../platform/errors/error-codes.ts';
import { createRunsRepository } from './runs.repository.ts';
import { createRunsService, type RunsService } from './runs.service.ts';
import type { RunsTables } from './runs.tables.ts';

// Named from the time tasks were the only runs: the API and the CLI keep these codes.
export const runsErrorCodes = {
  task_kind_unknown: { status: 400, summary: 'No task kind has this name; `GET /api/task-kinds` lists them.' },
  task_not_found: { status: 404, summary: 'The task does not exist in this workspace.' },
  task_state_conflict: { status: 409, summary: 'The task is in a state that does not allow the action (cancel a finished task, retry a running one).' },
} as const satisfies ErrorCatalogue;

declare module '../../feature.ts' { interface SteadServices { runs: RunsService } }

/**
 * The run record under all durable work: every feature's run kinds (`runKinds` of each definition), created with
 * their queue job in one step, carried out by the workers of `stead start` and `stead worker`.
 */
export const runsFeature = defineFeature({
  name: 'runs',
  tables: ownTables<RunsTables>(),
  errorCodes: runsErrorCodes,
  create: ({ db, queue, clock, ids, services, domainEvents, logger, runKinds }) =>
    createRunsService({
      repository: createRunsRepository(db),
      queue,
      clock,
      ids,
      kinds: runKinds,
      secrets: services.workspaceSecrets,
      vault: services.secrets,
      domainEvents,
      onError: (error, context) => logger.warn({ err: error, ...context }, 'runs'),
    }),
  // A queue outside the database's transactions gets runs through the outbox; every node relays what a dead one left.
  start: ({ runs }, { queue }) => (queue.capabilities.transactional ? undefined : runs.startRelay()),
  background: ({ runs }, { config }) => {
    const worker = runs.work({ concurrency: config.workerConcurrency });
    return { stop: (graceMs) => worker.close(graceMs) };
  },
});
