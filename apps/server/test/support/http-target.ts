import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type TargetHandler = (request: ReceivedRequest, response: ServerResponse) => void;

/**
 * A real HTTP server on loopback that records what it receives and answers through a swappable handler:
 * the far side of `http.request` and `webhook.deliver` tasks in tests.
 */
export const startHttpTarget = async (handler: TargetHandler = (_request, response) => response.end('ok')) => {
  const received: ReceivedRequest[] = [];
  const aborted: string[] = [];
  let current = handler;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry: ReceivedRequest = { method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      response.on('close', () => {
        if (!response.writableFinished) aborted.push(entry.path);
      });
      current(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Paths whose client went away before an answer was sent (a cancelled task's request). */
    aborted,
    respondWith(next: TargetHandler) {
      current = next;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
};

/** Polls `read` until `done` holds for its value, or fails after `timeoutMs` showing the last value. */
export const waitFor = async <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting; last value: ${JSON.stringify(value).slice(0, 2_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
};
