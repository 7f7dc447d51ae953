// Helpers every bench suite shares: a free loopback port, JSON calls to Stead's API (and its first owner), and
// /proc readings of a process tree (memory of a server together with anything it spawned).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

export const freePort = (host = '127.0.0.1') =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** A JSON request to Stead (same-origin `Origin`, so cookie sessions pass the CSRF check); throws on non-2xx. */
export const jsonRequest = async (origin, method, path, { body, headers = {} } = {}) => {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: { origin, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return { response, data: text ? JSON.parse(text) : null };
};

/** The owner and first workspace of a fresh Stead via /api/setup, with the owner's session cookie. */
export const setupOwner = async (origin) => {
  const setup = await jsonRequest(origin, 'POST', '/api/setup', {
    body: { name: 'Bench Owner', email: 'bench@example.com', password: 'bench-password-0123456789', workspaceName: 'Bench' },
  });
  const cookie = setup.response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');
  if (!cookie) throw new Error('POST /api/setup set no session cookie');
  const workspaceId = setup.data.workspace.id;
  return { cookie, workspaceId };
};

/** Deletes every Redis key under `<prefix>:`, the keys one bench run made. */
export const deleteRedisKeys = async (url, prefix) => {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
};

/** Every process below pid. */
export const descendants = (pid) => {
  const found = [];
  const taskDir = `/proc/${pid}/task`;
  if (!existsSync(taskDir)) return found;
  for (const task of readdirSync(taskDir)) {
    let children = '';
    try {
      children = readFileSync(`${taskDir}/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.split(/\s+/).filter(Boolean).map(Number)) found.push(child, ...descendants(child));
  }
  return found;
};

/** A `kB` field of /proc/<pid>/status; 0 when the process is gone. */
const statusKiB = (pid, field) => {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
};

const oneDecimal = (value) => Math.round(value * 10) / 10;

/** VmRSS (now) and VmHWM (peak since start) of a process and its descendants, in MiB. */
export const memory = (pid) => {
  const pids = [pid, ...descendants(pid)];
  const sum = (field) => pids.reduce((total, each) => total + statusKiB(each, field), 0);
  return { rssMiB: oneDecimal(sum('VmRSS') / 1024), peakRssMiB: oneDecimal(sum('VmHWM') / 1024), processes: pids.length };
};
