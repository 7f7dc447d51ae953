import { migrations as history } from '../migrations/index.ts';
import { composeDeclarations } from './compose-features.ts';
import type { AnyFeature, ComposedErrorCodes, ComposedPermissions, ComposedTables } from './feature.ts';
import { auditFeature } from './features/audit/audit.feature.ts';
import { authFeature } from './features/auth/auth.feature.ts';
import { eventsFeature } from './features/events/events.feature.ts';
import { instanceSettingsFeature } from './features/instance-settings/instance-settings.feature.ts';
import { keysFeature } from './features/keys/keys.feature.ts';
import { modelsFeature } from './features/models/models.feature.ts';
import { onboardingFeature } from './features/onboarding/onboarding.feature.ts';
import { overviewFeature } from './features/overview/overview.feature.ts';
import { runsFeature } from './features/runs/runs.feature.ts';
import { schedulesFeature } from './features/schedules/schedules.feature.ts';
import { secretsFeature } from './features/secrets/secrets.feature.ts';
import { systemFeature } from './features/system/system.feature.ts';
import { tasksFeature } from './features/tasks/tasks.feature.ts';
import { usersFeature } from './features/users/users.feature.ts';
import { webhooksFeature } from './features/webhooks/webhooks.feature.ts';
import { workspaceSecretsFeature } from './features/workspace-secrets/workspace-secrets.feature.ts';
import { workspacesFeature } from './features/workspaces/workspaces.feature.ts';
import type { PlatformTables, QueueTables } from './platform/database/database.types.ts';
import { platformErrorCodes } from './platform/errors/error-codes.ts';

/**
 * Every feature of the server, once. The order is the order of their CLI commands in `stead --help`, of their
 * routes, of their `start` and background work (stopped in reverse); services are created on first use, so it
 * need not follow their dependencies. Adding a feature is a folder under features/ and one line here
 * (docs/architecture.md, "Adding a feature").
 */
export const features = [
  systemFeature,
  onboardingFeature,
  authFeature,
  usersFeature,
  instanceSettingsFeature,
  workspacesFeature,
  keysFeature,
  auditFeature,
  eventsFeature,
  secretsFeature,
  workspaceSecretsFeature,
  runsFeature,
  webhooksFeature,
  tasksFeature,
  schedulesFeature,
  modelsFeature,
  overviewFeature,
] as const satisfies readonly AnyFeature[];

type Features = typeof features;
/** Every table: the platform's (the queue's included) and every feature's. */
export type Database = PlatformTables & QueueTables & ComposedTables<Features>;

// Every feature's permissions and error codes, by name, for `route({ permission })` and `new SteadError(code)`.
declare module './platform/http/permissions.ts' {
  interface WorkspacePermissionRegistry extends ComposedPermissions<Features> {}
}
declare module './platform/errors/error-codes.ts' {
  interface ErrorCodeRegistry extends ComposedErrorCodes<Features> {}
}

export const { accessPolicy, errorCatalogue, migrations } = composeDeclarations(features, {
  permissions: [],
  errorCodes: [platformErrorCodes],
  history,
});
