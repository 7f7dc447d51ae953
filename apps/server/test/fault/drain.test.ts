import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/http-target.ts';
import { serviceUrl } from '../support/services.ts';
import { createHttpTask, freePort, isolatedClusterEnv, setupOwner, sleep, spawnStead, startSideEffectStore, taskDetail, waitForHealth, type SideEffectStore, type SteadProcess, type SteadSession } from '../support/stead-process.ts';

/**
 * Graceful shutdown of jobs (issue 4, "Crash safety, proven"): SIGTERM lets a running task finish within
 * `STEAD_JOB_DRAIN_MS` and exits 0; a task that outlasts the drain goes back to the queue; a second signal
 * exits at once (130) and the task, acknowledged before, is completed by the next process.
 */

const leaseMs = 2_000;

const describeDrain = (adapter: string, clusterEnv: () => Promise<{ env: Record<string, string>; dispose: () => Promise<void> } | undefined>) => {
  describe(`graceful shutdown of running tasks [${adapter}]`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), `stead-drain-${adapter}-`));
    let holdMs = 1_500;
    let store: SideEffectStore;
    let port: number;
    let env: Record<string, string>;
    let session: SteadSession;
    let dispose: (() => Promise<void>) | undefined;
    const running = new Set<SteadProcess>();
    const drainOf = new Map<SteadProcess, number>();

    const start = async (drainMs: number): Promise<SteadProcess> => {
      const node = spawnStead(['start'], { ...env, STEAD_JOB_DRAIN_MS: String(drainMs) });
      running.add(node);
      void node.exited.then(() => running.delete(node));
      await waitForHealth(port, node);
      drainOf.set(node, drainMs);
      return node;
    };
    // The process that checked one case's outcome runs the next case, which saves a start per case.
    let current: SteadProcess | undefined;
    const take = async (drainMs: number): Promise<SteadProcess> => {
      const reusable = current && running.has(current) && drainOf.get(current) === drainMs ? current : undefined;
      current = undefined;
      if (reusable) return reusable;
      for (const node of running) await stop(node);
      return start(drainMs);
    };
    const stop = async (node: SteadProcess): Promise<void> => {
      node.child.kill('SIGTERM');
      expect(await node.exited).toBe(0);
    };
    const keyOf = (taskId: string) => `task:${taskId}`;
    const receiptsOf = (taskId: string) => store.receipts.filter((receipt) => receipt.key === keyOf(taskId));
    const waitForState = (taskId: string, state: string, timeoutMs = 20_000) =>
      waitFor(() => taskDetail(session, taskId), (detail) => detail.task.state === state, timeoutMs);

    beforeAll(async () => {
      store = await startSideEffectStore(() => holdMs);
      port = await freePort();
      const cluster = await clusterEnv();
      dispose = cluster?.dispose;
      env = { ...cluster?.env, STEAD_DATA_DIR: dataDir, STEAD_PORT: String(port), STEAD_QUEUE_LEASE_MS: String(leaseMs), STEAD_EGRESS_ALLOWED_HOSTS: '127.0.0.1' };
      current = await start(10_000);
      session = await setupOwner(port);
    });
    afterAll(async () => {
      for (const node of running) await node.kill();
      await store?.close();
      await dispose?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('SIGTERM waits for a running task within STEAD_JOB_DRAIN_MS, then exits 0 with the task succeeded', async () => {
      holdMs = 1_500;
      const node = await take(10_000);
      const task = await createHttpTask(session, `${store.url}/drain`, 3);
      await waitFor(async () => receiptsOf(task.id).length, (count) => count === 1);
      const signalledAt = Date.now();
      node.child.kill('SIGTERM');
      expect(await node.exited).toBe(0);
      const exitedAt = Date.now();
      // It waited for the answer, which came after the signal.
      const [receipt] = receiptsOf(task.id);
      expect(receipt!.answeredAt).not.toBeNull();
      expect(receipt!.answeredAt!).toBeGreaterThan(signalledAt);
      expect(exitedAt).toBeGreaterThanOrEqual(receipt!.answeredAt!);

      const again = await start(300);
      const detail = await taskDetail(session, task.id);
      expect(detail.task.state).toBe('succeeded');
      expect(detail.attempts.map((attempt) => attempt.outcome)).toEqual(['succeeded']);
      await sleep(300);
      expect(receiptsOf(task.id)).toHaveLength(1);
      console.log(`[drain ${adapter}] drained: exit 0 ${exitedAt - signalledAt} ms after SIGTERM, ${exitedAt - receipt!.answeredAt!} ms after the answer`);
      current = again;
    }, 60_000);

    it('a task outlasting STEAD_JOB_DRAIN_MS goes back to the queue (exit 0) and the next process completes it', async () => {
      holdMs = 4_000;
      const node = await take(300);
      const task = await createHttpTask(session, `${store.url}/outlast`, 3);
      await waitFor(async () => receiptsOf(task.id).length, (count) => count === 1);
      const signalledAt = Date.now();
      node.child.kill('SIGTERM');
      expect(await node.exited).toBe(0);
      const exitedAt = Date.now();
      // It did not wait for the answer: the process was gone before the store answered.
      expect(receiptsOf(task.id)[0]!.answeredAt ?? Number.POSITIVE_INFINITY).toBeGreaterThan(exitedAt);

      holdMs = 20;
      const again = await start(10_000);
      const detail = await waitForState(task.id, 'succeeded');
      expect(detail.attempts.map((attempt) => attempt.outcome)).toEqual(['interrupted', 'succeeded']);
      expect(store.applied.get(keyOf(task.id))).toBe(1);
      expect(receiptsOf(task.id).length).toBe(2);
      console.log(`[drain ${adapter}] outlasting task handed back: exit 0 ${exitedAt - signalledAt} ms after SIGTERM (drain 300 ms), completed by the next process`);
      current = again;
    }, 60_000);

    it('a second SIGTERM exits at once with 130, and the acknowledged tasks complete after a restart', async () => {
      holdMs = 1_500;
      const node = await take(10_000);
      const task = await createHttpTask(session, `${store.url}/forced`, 5);
      await waitFor(async () => receiptsOf(task.id).length, (count) => count === 1);
      // Acknowledged (201) but not started yet when the process goes down.
      const waiting = await session.api<{ task: { id: string } }>('POST', `/api/workspaces/${session.workspaceId}/tasks`, {
        kind: 'http.request',
        input: { method: 'POST', url: `${store.url}/waiting`, headers: {}, body: {} },
        delayMs: 1_000,
      });
      node.child.kill('SIGTERM');
      await sleep(100);
      const secondAt = Date.now();
      node.child.kill('SIGTERM');
      expect(await node.exited).toBe(130);
      const exitedAt = Date.now();
      expect(exitedAt - secondAt).toBeLessThan(1_000);
      expect(node.output()).toContain('SIGTERM again: exiting now');
      // It did not wait for the answer: the process was gone before the store answered.
      expect(receiptsOf(task.id)[0]!.answeredAt ?? Number.POSITIVE_INFINITY).toBeGreaterThan(exitedAt);

      holdMs = 20;
      const again = await start(10_000);
      try {
        const detail = await waitForState(task.id, 'succeeded');
        await waitForState(waiting.task.id, 'succeeded');
        // The cut-off attempt ran again after its lease; the store applied the key once.
        expect(detail.attempts.map((attempt) => attempt.outcome)).toEqual(['interrupted', 'succeeded']);
        expect(store.applied.get(keyOf(task.id))).toBe(1);
        expect(receiptsOf(task.id).length).toBe(2);
        expect(receiptsOf(waiting.task.id).length).toBe(1);
        console.log(`[drain ${adapter}] forced: exit 130 ${exitedAt - secondAt} ms after the second SIGTERM; task resumed ${Date.parse(detail.attempts[1]!.startedAt) - exitedAt} ms after the exit`);
      } finally {
        await stop(again);
      }
    }, 60_000);
  });
};

describeDrain('sqlite', async () => undefined);

const postgres = serviceUrl('postgres');
const redis = serviceUrl('redis');
if (postgres && redis) describeDrain('postgres+bullmq', () => isolatedClusterEnv(postgres, redis, 'fault-drain'));
else describe.skip('graceful shutdown of running tasks [postgres+bullmq] (needs STEAD_TEST_POSTGRES_URL and STEAD_TEST_REDIS_URL)', () => it('skipped', () => {}));
