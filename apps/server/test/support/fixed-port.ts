import type { Server } from 'node:http';

/**
 * Listens on a fixed port (a fake Ollama on 11434: detection and the loopback grant only know the default
 * ports). Test files run in parallel and more than one wants the port, so a taken port is waited for; one that
 * stays taken (another program on this machine) skips the caller with a printed reason, or fails the run under
 * `STEAD_TEST_REQUIRE=all`, where nothing may skip.
 */
export const listenOnFixedPort = async (server: Server, port: number, what: string, waitMs = 300_000): Promise<boolean> => {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const outcome = await new Promise<'listening' | 'taken'>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve('taken') : reject(error));
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolve('listening');
      });
    });
    if (outcome === 'listening') return true;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const reason = `${what}: 127.0.0.1:${port} stayed taken for ${Math.round(waitMs / 1000)} s`;
  if (process.env.STEAD_TEST_REQUIRE === 'all') throw new Error(`STEAD_TEST_REQUIRE=all but ${reason}`);
  console.warn(`[skip] ${reason}`);
  return false;
};
