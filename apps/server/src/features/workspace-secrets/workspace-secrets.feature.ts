import { defineFeature, ownTables } from '../../feature.ts';
import type { ErrorCatalogue } from '../../platform/errors/error-codes.ts';
import type { PermissionDeclarations } from '../../platform/http/permissions.ts';
import { registerWorkspaceSecretsCommands } from './workspace-secrets.command.ts';
import { createWorkspaceSecretsRepository } from './workspace-secrets.repository.ts';
import { registerWorkspaceSecretsRoutes } from './workspace-secrets.routes.ts';
import { createWorkspaceSecretsService, type WorkspaceSecretsService } from './workspace-secrets.service.ts';
import type { WorkspaceSecretsTables } from './workspace-secrets.tables.ts';

// Members see the names (never values) of workspace secrets, to pick one for a task; admins make and change them.
export const workspaceSecretsPermissions = {
  'secrets:read': 'member',
  'secrets:manage': 'admin',
} as const satisfies PermissionDeclarations;

export const workspaceSecretsErrorCodes = {
  secret_not_found: { status: 404, summary: 'The workspace secret does not exist in this workspace.' },
  secret_exists: { status: 409, summary: 'A workspace secret with this name already exists; replace its value instead.' },
  secret_unknown: { status: 400, summary: 'A task input names a secret the workspace secrets store does not have (tasks can name no other secret).' },
  secret_not_usable: { status: 400, summary: "A task input names a workspace secret that the task creator's role may not use (its `usableBy` is higher)." },
} as const satisfies ErrorCatalogue;

declare module '../../feature.ts' { interface SteadServices { workspaceSecrets: WorkspaceSecretsService } }

/** Named secrets a workspace admin makes for tasks; their values live in the secrets vault. */
export const workspaceSecretsFeature = defineFeature({
  name: 'workspaceSecrets',
  tables: ownTables<WorkspaceSecretsTables>(),
  permissions: workspaceSecretsPermissions,
  errorCodes: workspaceSecretsErrorCodes,
  // Tasks name only secrets of this store (never `model-provider:<id>` or any other internal secret).
  create: ({ db, services, clock, ids }) =>
    createWorkspaceSecretsService({ repository: createWorkspaceSecretsRepository(db), vault: services.secrets, members: services.workspaces, clock, ids }),
  routes: (app, { services }) => registerWorkspaceSecretsRoutes(app, { secrets: services.workspaceSecrets }),
  cli: registerWorkspaceSecretsCommands,
});
