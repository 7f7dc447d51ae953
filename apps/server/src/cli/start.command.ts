import { buildApp, createCore, type SteadCore } from '../app.ts';
import { loadConfig } from '../config/config.loader.ts';
import { defaultWebDir, webAppBuilt } from '../platform/http/web-app.ts';
import { steadVersion } from '../version.ts';
import { suggestLocalModelServers } from '../features/models/models.command.ts';

export type ServerRole = 'all' | 'api';

/**
 * Stops on the first SIGINT/SIGTERM by running `drain` (bounded by `graceMs`), and exits at once on the second.
 * Acknowledged work is already committed (SQLite synchronous=FULL, PostgreSQL, Redis), so skipping the drain
 * loses nothing: interrupted jobs run again after their lease.
 */
const stopOnSignals = (drain: () => Promise<void>, graceMs: number): void => {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`${signal}: finishing in-flight work (send it again to exit at once)\n`);
    const force = setTimeout(() => process.exit(1), graceMs);
    force.unref();
    void drain().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
};

const describeQueue = (core: SteadCore) => (core.config.redisUrl ? 'BullMQ on Redis' : `embedded (${core.database.dialect})`);

/**
 * `stead start`: migrate, serve API and dashboard and (role `all`, the default) run background work too;
 * `--role api` serves HTTP and only enqueues, for clusters with separate `stead worker` processes.
 */
export const startServer = async (options: { role?: ServerRole } = {}): Promise<void> => {
  const role = options.role ?? 'all';
  const { config, file } = loadConfig();
  const core = await createCore(config);
  const app = await buildApp(core);
  await app.listen({ host: config.host, port: config.port });
  const background = role === 'all' ? await core.startBackgroundWork() : undefined;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const web = webAppBuilt(config.webDir ?? defaultWebDir) ? `${url}/` : 'not built (run npm run build)';
  process.stdout.write(
    [
      `Stead ${steadVersion} is running`,
      `  dashboard  ${web}`,
      `  API        ${url}/api (reference at ${url}/api/docs)`,
      `  data       ${config.dataDir}`,
      `  database   ${core.database.dialect} ${core.database.location}`,
      `  jobs       ${describeQueue(core)}${role === 'api' ? ', enqueue only (run stead worker to carry them out)' : `, ${config.workerConcurrency} at a time`}`,
      ...(file ? [`  config     ${file}`] : []),
      '',
    ].join('\n'),
  );
  // First run: offer the local model servers found on their default ports (not awaited; at most ~300 ms, after the banner).
  void suggestLocalModelServers(core);
  stopOnSignals(async () => {
    await app.close();
    await background?.stop();
    await core.close();
  }, config.shutdownGraceMs + config.jobDrainMs);
};

/** `stead worker`: carries out jobs (and runs the scheduler) without serving HTTP. */
export const startWorker = async (): Promise<void> => {
  const { config } = loadConfig();
  const core = await createCore(config);
  const background = await core.startBackgroundWork();
  process.stdout.write(`Stead ${steadVersion} worker is running: jobs ${describeQueue(core)}, ${config.workerConcurrency} at a time; database ${core.database.dialect} ${core.database.location}\n`);
  stopOnSignals(async () => {
    await background.stop();
    await core.close();
  }, config.jobDrainMs + 5_000);
};
