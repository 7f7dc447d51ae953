import { defineFeature } from '../../feature.ts';
import { maskConfig } from '../../config/config.loader.ts';
import { steadVersion } from '../../version.ts';
import { registerUsersCommands } from './users.command.ts';
import { registerUsersRoutes } from './users.routes.ts';
import { createUsersService, type UsersService } from './users.service.ts';

declare module '../../feature.ts' { interface SteadServices { users: UsersService } }

/** Instance administration of accounts (list, disable, promote) and the instance's own description. */
export const usersFeature = defineFeature({
  name: 'users',
  // Accounts are better-auth's tables, owned by the auth feature: users reaches them through its service.
  create: ({ services }) => createUsersService({ auth: services.auth, keys: services.keys }),
  routes: (app, { services, linkOrigin, platform: { config, database } }) =>
    registerUsersRoutes(app, {
      users: services.users,
      linkOrigin,
      describeInstance: async () => ({
        version: steadVersion,
        dataDir: config.dataDir,
        database: { dialect: database.dialect, location: database.location },
        config: maskConfig(config),
      }),
    }),
  cli: registerUsersCommands,
});
