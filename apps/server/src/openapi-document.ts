import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, createCore } from './app.ts';
import { configSchema } from './config/config.schema.ts';
import { createSqliteDatabase } from './platform/database/database.factory.ts';

/**
 * The OpenAPI document of every route, from an in-process server on an in-memory database (no running
 * server, no data touched). The api-client package is generated from it, and a test keeps the two in step.
 */
export const buildOpenApiDocument = async (): Promise<Record<string, unknown>> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stead-openapi-'));
  const config = configSchema.parse({ dataDir, logLevel: 'silent', webDir: join(dataDir, 'no-web') });
  const core = await createCore(config, { database: createSqliteDatabase({ file: ':memory:' }) });
  try {
    const app = await buildApp(core, { logger: false });
    const document = app.swagger() as Record<string, unknown>;
    await app.close();
    // The version changes with every release; the client does not depend on it.
    return { ...document, info: { ...(document.info as object), version: '0' } };
  } finally {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
};
