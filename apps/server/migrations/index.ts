import type { Migration } from 'kysely';
import * as platform from './0001-platform.ts';
import * as jobs from './0002-jobs.ts';
import * as tasks from './0003-tasks.ts';
import * as schedules from './0004-schedules.ts';
import * as models from './0005-models.ts';
import * as modelRouting from './0006-model-routing.ts';
import * as modelBudgets from './0007-model-budgets.ts';
import * as modelCache from './0008-model-cache.ts';
import * as modelDeclared from './0009-model-declared.ts';
import * as workspaceSecrets from './0010-workspace-secrets.ts';
import * as queueStalls from './0011-queue-stalls.ts';
import * as runs from './0012-runs.ts';

/** Every migration, in order. Names are permanent: they are recorded in the database once applied. */
export const migrations: Record<string, Migration> = {
  '0001-platform': platform,
  '0002-jobs': jobs,
  '0003-tasks': tasks,
  '0004-schedules': schedules,
  '0005-models': models,
  '0006-model-routing': modelRouting,
  '0007-model-budgets': modelBudgets,
  '0008-model-cache': modelCache,
  '0009-model-declared': modelDeclared,
  '0010-workspace-secrets': workspaceSecrets,
  '0011-queue-stalls': queueStalls,
  '0012-runs': runs,
};
