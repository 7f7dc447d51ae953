import { defineFeature, ownTables } from '../../feature.ts';
import { registerSecretsCommands } from './secrets.command.ts';
import { createSecretsRepository } from './secrets.repository.ts';
import { createSecretsService, type SecretsService } from './secrets.service.ts';
import type { SecretsTables } from './secrets.tables.ts';

declare module '../../feature.ts' { interface SteadServices { secrets: SecretsService } }

/** The encrypted vault every stored secret lives in (provider keys, workspace secrets), and its key rotation. */
export const secretsFeature = defineFeature({
  name: 'secrets',
  tables: ownTables<SecretsTables>(),
  create: ({ db, clock, ids, secretKey, config }) => createSecretsService({ repository: createSecretsRepository(db), clock, ids, key: secretKey, dataDir: config.dataDir }),
  cli: registerSecretsCommands,
});
