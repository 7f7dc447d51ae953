import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnStead, waitForHealth } from '../test/support/stead-process.ts';

/** Nice value of each thread of a process, keyed by thread id (on Linux a thread id is accepted as a pid). */
const threadNiceValues = (pid: number): Map<number, number> =>
  new Map(readdirSync(`/proc/${pid}/task`).map((thread) => [Number(thread), getPriority(Number(thread))]));

describe.runIf(process.platform === 'linux')('runtime settings of the real server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stead-runtime-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves requests on a normal-priority event loop while V8 and Node helper threads run at nice 10', async () => {
    const port = await freePort();
    const server = spawnStead(['start'], { STEAD_DATA_DIR: dataDir, STEAD_PORT: String(port) });
    try {
      await waitForHealth(port, server);
      const nice = threadNiceValues(server.pid);
      expect(nice.get(server.pid)).toBe(0);
      // Node 20 starts four V8 platform workers before any JavaScript runs; the GC uses all of them at once.
      const lowered = [...nice.entries()].filter(([thread, value]) => thread !== server.pid && value === 10);
      expect(lowered.length).toBeGreaterThanOrEqual(4);
      expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
    } finally {
      await server.kill();
    }
  });
});
