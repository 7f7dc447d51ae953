import { buildApp, createCore } from '../app.ts';
import { loadConfig } from '../config/config.loader.ts';
import { defaultWebDir, webAppBuilt } from '../platform/http/web-app.ts';
import { steadVersion } from '../version.ts';

/** `stead start`: migrate, serve API and dashboard, drain on the first signal, exit at once on the second. */
export const startServer = async (): Promise<void> => {
  const { config, file } = loadConfig();
  const core = await createCore(config);
  const app = await buildApp(core);
  await app.listen({ host: config.host, port: config.port });
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
      ...(file ? [`  config     ${file}`] : []),
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      // Acknowledged work is already committed (SQLite synchronous=FULL); a second signal skips the drain.
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`${signal}: finishing in-flight requests (send it again to exit at once)\n`);
    const force = setTimeout(() => process.exit(1), config.shutdownGraceMs);
    force.unref();
    void app
      .close()
      .then(() => core.close())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
};
