import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer as createHttpServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * Support for fault and cluster tests that run the real `stead` program as child processes: spawning and
 * health, first-run setup, a "side-effect store" that dedupes by `Idempotency-Key`, and an SSE reader.
 */

const program = fileURLToPath(new URL('../../bin/stead.mjs', import.meta.url));

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const freePort = async (): Promise<number> => {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
};

export interface SteadProcess {
  child: ChildProcess;
  pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  /** SIGKILL (if still running) and wait for the exit. */
  kill(): Promise<void>;
}

/** Spawns `stead <args>` with the given environment on top of the test's own. */
export const spawnStead = (args: string[], env: Record<string, string>): SteadProcess => {
  const child = spawn(process.execPath, [program, ...args], {
    env: { ...process.env, STEAD_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    child,
    pid: child.pid!,
    output: () => output,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
};

/** Waits until `GET /api/health` answers 200; fails early when the process exits. */
export const waitForHealth = async (port: number, node: SteadProcess, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (node.child.exitCode !== null || node.child.signalCode !== null) throw new Error(`stead exited during start:\n${node.output().slice(-3_000)}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  throw new Error(`stead did not become healthy:\n${node.output().slice(-3_000)}`);
};

/** Waits for a line on the process's output (a worker serves no HTTP, so its banner is its readiness). */
export const waitForOutput = async (node: SteadProcess, text: string, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!node.output().includes(text)) {
    if (node.child.exitCode !== null || node.child.signalCode !== null) throw new Error(`stead exited before printing "${text}":\n${node.output().slice(-3_000)}`);
    if (Date.now() > deadline) throw new Error(`stead did not print "${text}":\n${node.output().slice(-3_000)}`);
    await sleep(25);
  }
};

export interface SteadSession {
  origin: string;
  cookie: string;
  workspaceId: string;
  /** JSON request with the session; throws on a status other than 2xx. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** Completes first-run setup on a fresh installation and returns a session for its workspace. */
export const setupOwner = async (port: number): Promise<SteadSession> => {
  const origin = `http://127.0.0.1:${port}`;
  const setup = await fetch(`${origin}/api/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ name: 'Sam', email: 'sam@example.com', password: 'sam-password-1', workspaceName: 'Durable' }),
  });
  if (setup.status !== 201) throw new Error(`setup answered ${setup.status}: ${await setup.text()}`);
  const cookie = setup.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
  const { workspace } = (await setup.json()) as { workspace: { id: string } };
  return sessionFor(origin, cookie, workspace.id);
};

/** The same session against another origin (the same installation restarted on another port). */
export const sessionFor = (origin: string, cookie: string, workspaceId: string): SteadSession => ({
  origin,
  cookie,
  workspaceId,
  async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: { cookie, origin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  },
});

export interface TaskView {
  id: string;
  state: string;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
}
export interface AttemptView {
  number: number;
  startedAt: string;
  finishedAt: string | null;
  outcome: string;
  error: string | null;
}
export interface TaskDetailView {
  task: TaskView;
  attempts: AttemptView[];
  logs: { attempt: number; line: string }[];
}

/** Creates an `http.request` task that POSTs to `url`. */
export const createHttpTask = async (session: SteadSession, url: string, maxAttempts: number, body: unknown = {}): Promise<TaskView> => {
  const { task } = await session.api<{ task: TaskView }>('POST', `/api/workspaces/${session.workspaceId}/tasks`, {
    kind: 'http.request',
    input: { method: 'POST', url, headers: {}, body },
    maxAttempts,
  });
  return task;
};

export const taskDetail = (session: SteadSession, taskId: string): Promise<TaskDetailView> =>
  session.api<TaskDetailView>('GET', `/api/workspaces/${session.workspaceId}/tasks/${taskId}`);

/** Counts tasks of the workspace in one state (all pages). */
export const countTasks = async (session: SteadSession, state: string): Promise<number> => {
  let count = 0;
  let cursor: string | null = null;
  do {
    const query: string = `state=${state}&limit=200${cursor ? `&cursor=${cursor}` : ''}`;
    const page: { tasks: TaskView[]; nextCursor: string | null } = await session.api('GET', `/api/workspaces/${session.workspaceId}/tasks?${query}`);
    count += page.tasks.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
};

/** Runs `work` over `items`, at most `limit` at a time. */
export const mapLimit = async <T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> => {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
};

export interface Receipt {
  key: string;
  path: string;
  at: number;
  /** The client's TCP port (the store can map it to the process that sent the request). */
  clientPort: number;
  /** Whether this request applied the key (its first receipt). */
  applied: boolean;
  /** When the answer was sent; null while held, or when the client went away first. */
  answeredAt: number | null;
}

/**
 * The far side of the tasks: an HTTP server that applies each `Idempotency-Key` once. It applies a key on
 * receipt, then answers after `delayMs()` — so a process killed during that wait has made the side effect
 * without learning so, and its retry must be deduplicated. `receipts` keeps every request, `applied` the first
 * application per key, `overlaps` requests that arrived while another one with the same key was still open
 * (two live attempts of one job), `inFlight` requests not answered yet.
 */
export const startSideEffectStore = async (delayMs: (receipt: Receipt) => number = () => 5 + Math.random() * 45) => {
  const receipts: Receipt[] = [];
  const applied = new Map<string, number>();
  const open = new Map<string, number>();
  let overlaps = 0;
  let inFlight = 0;
  /** Client port → pid of the process owning that socket, for `trackOwners`. */
  const owners = new Map<number, number>();
  let ownerPids: number[] = [];
  let port = 0;

  const server = createHttpServer((incoming: IncomingMessage, response: ServerResponse) => {
    incoming.resume();
    incoming.on('end', () => {
      const key = String(incoming.headers['idempotency-key'] ?? '');
      const first = key !== '' && !applied.has(key);
      if (first) applied.set(key, 1);
      if ((open.get(key) ?? 0) > 0) overlaps += 1;
      open.set(key, (open.get(key) ?? 0) + 1);
      inFlight += 1;
      const receipt: Receipt = { key, path: incoming.url ?? '/', at: Date.now(), clientPort: incoming.socket.remotePort ?? 0, applied: first, answeredAt: null };
      receipts.push(receipt);
      let settled = false;
      const settle = (): void => {
        if (settled) return;
        settled = true;
        inFlight -= 1;
        open.set(key, open.get(key)! - 1);
      };
      response.on('close', settle);
      setTimeout(() => {
        if (response.destroyed) return;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ applied: first }));
        receipt.answeredAt = Date.now();
        settle();
      }, delayMs(receipt));
    });
  });
  server.on('connection', (socket: Socket) => {
    if (ownerPids.length === 0) return;
    const clientPort = socket.remotePort;
    if (clientPort === undefined) return;
    const owner = socketOwner(clientPort, port, ownerPids);
    if (owner !== undefined) owners.set(clientPort, owner);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    receipts,
    applied,
    get overlaps() {
      return overlaps;
    },
    get inFlight() {
      return inFlight;
    },
    /** From now on, note which of these processes opened each connection (Linux `/proc`). */
    trackOwners(pids: number[]) {
      ownerPids = pids;
    },
    /** The pid that sent a receipt, when tracked. */
    ownerOf: (receipt: Receipt): number | undefined => owners.get(receipt.clientPort),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export type SideEffectStore = Awaited<ReturnType<typeof startSideEffectStore>>;

/**
 * The pid (among `pids`) whose file descriptors hold the loopback TCP socket 127.0.0.1:`clientPort` →
 * 127.0.0.1:`serverPort`. Reads `/proc/net/tcp` for the socket's inode, then each candidate's `/proc/<pid>/fd`.
 * Lets a test tell which worker process sent a request without the product having to say so.
 */
export const socketOwner = (clientPort: number, serverPort: number, pids: number[]): number | undefined => {
  const hex = (value: number) => value.toString(16).toUpperCase().padStart(4, '0');
  const local = `0100007F:${hex(clientPort)}`;
  const remote = `0100007F:${hex(serverPort)}`;
  let inode: string | undefined;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local && fields[2] === remote) {
      inode = fields[9];
      break;
    }
  }
  if (!inode || inode === '0') return undefined;
  const target = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
};

export interface SseEvent {
  type: string;
  data: unknown;
  at: number;
}

/** Opens `GET /api/events?workspaceId=` with the session and collects events until `close`. */
export const openEventStream = async (session: SteadSession) => {
  const url = new URL(`/api/events?workspaceId=${session.workspaceId}`, session.origin);
  const events: SseEvent[] = [];
  const outgoing = request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, headers: { cookie: session.cookie, accept: 'text/event-stream' } });
  outgoing.on('error', () => {});
  outgoing.end();
  const [response] = (await once(outgoing, 'response')) as [IncomingMessage];
  if (response.statusCode !== 200) throw new Error(`events answered ${response.statusCode}`);
  response.on('error', () => {});
  let buffer = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) type = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) events.push({ type, data: JSON.parse(data.join('\n')) as unknown, at: Date.now() });
    }
  });
  return {
    events,
    close: () => outgoing.destroy(),
  };
};

/**
 * Environment for a cluster-mode installation of its own: a fresh PostgreSQL schema and a unique Redis key
 * prefix. `dispose` drops the schema and deletes the prefix's keys.
 */
export const isolatedClusterEnv = async (postgresUrl: string, redisUrl: string, label: string) => {
  const { isolatedPostgresUrl } = await import('./databases.ts');
  const database = await isolatedPostgresUrl(postgresUrl);
  const prefix = `${label}-${process.pid}-${Date.now().toString(36)}`;
  return {
    env: { STEAD_DATABASE_URL: database.url, STEAD_REDIS_URL: redisUrl, STEAD_REDIS_PREFIX: prefix },
    prefix,
    async dispose() {
      const { Redis } = await import('ioredis');
      const redis = new Redis(redisUrl);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
      await database.dispose();
    },
  };
};
