import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHttpTarget, waitFor } from '../../../test/support/http-target.ts';
import { addMember, describeEachServer, setUpOwner } from '../../../test/support/test-server.ts';
import type { Task } from '../tasks/tasks.schema.ts';

// End to end through a real server: the scheduler elected in the server fires real tasks, which a real worker runs.
describeEachServer('schedules over HTTP', (use) => {
  let target: Awaited<ReturnType<typeof startHttpTarget>>;
  beforeAll(async () => {
    target = await startHttpTarget((_request, response) => response.end('tick'));
  });
  afterAll(async () => {
    await target.close();
  });
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  const base = () => `/api/workspaces/${owner.workspace.id}/schedules`;

  it('previews fire times before saving and refuses a bad cron expression or time zone', async () => {
    owner = await setUpOwner(use());
    const preview = await use().call({ method: 'GET', url: `${base()}/preview?type=cron&expression=${encodeURIComponent('30 9 * * 1')}&timeZone=Europe/Berlin&count=3`, cookie: owner.cookie });
    expect(preview.statusCode).toBe(200);
    const times = preview.json().fireTimes as string[];
    expect(times).toHaveLength(3);
    for (const time of times) {
      const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(time));
      expect(local).toBe('Mon 09:30');
    }
    const badCron = await use().call({ method: 'POST', url: base(), cookie: owner.cookie, payload: { name: 'bad', kind: 'http.request', input: { url: `${target.url}/` }, trigger: { type: 'cron', expression: '61 * * * *' } } });
    expect(badCron.statusCode).toBe(400);
    expect(badCron.json().error.code).toBe('schedule_invalid');
    const badZone = await use().call({ method: 'POST', url: base(), cookie: owner.cookie, payload: { name: 'bad', kind: 'http.request', input: { url: `${target.url}/` }, trigger: { type: 'cron', expression: '* * * * *', timeZone: 'Mars/Olympus' } } });
    expect(badZone.statusCode).toBe(400);
    const badKind = await use().call({ method: 'POST', url: base(), cookie: owner.cookie, payload: { name: 'bad', kind: 'no.such', input: {}, trigger: { type: 'interval', seconds: 60 } } });
    expect(badKind.json().error.code).toBe('task_kind_unknown');
    expect((await use().call({ method: 'GET', url: base(), cookie: owner.cookie })).json().schedules).toEqual([]);
  });

  it('fires an interval schedule into tasks that run, records each fire, and stops when disabled', async () => {
    const created = await use().call({ method: 'POST', url: base(), cookie: owner.cookie, payload: { name: 'ping', kind: 'http.request', input: { url: `${target.url}/scheduled` }, trigger: { type: 'interval', seconds: 1 } } });
    expect(created.statusCode).toBe(201);
    const schedule = created.json().schedule as { id: string };
    const tasks = await waitFor(
      async () => (await use().call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/tasks?originId=${schedule.id}`, cookie: owner.cookie })).json().tasks as Task[],
      (list) => list.filter((task) => task.state === 'succeeded').length >= 2,
      10_000,
    );
    expect(tasks.every((task) => task.origin.type === 'schedule' && task.origin.id === schedule.id)).toBe(true);
    // A task says which schedule started it by name, in lists and on its own page.
    expect(tasks.every((task) => task.origin.name === 'ping' && !task.origin.deleted)).toBe(true);
    const one = (await use().call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/tasks/${tasks[0]!.id}`, cookie: owner.cookie })).json().task as Task;
    expect(one.origin).toEqual({ type: 'schedule', id: schedule.id, name: 'ping', deleted: false });
    const fires = (await use().call({ method: 'GET', url: `${base()}/${schedule.id}/fires`, cookie: owner.cookie })).json().fires as { fireAt: string; taskId: string | null; outcome: string }[];
    expect(fires.length).toBeGreaterThanOrEqual(2);
    expect(new Set(fires.map((fire) => fire.fireAt)).size).toBe(fires.length);
    const tasksNow = (await use().call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/tasks?originId=${schedule.id}`, cookie: owner.cookie })).json().tasks as Task[];
    const started = fires.filter((fire) => fire.outcome === 'started');
    expect(started.length).toBeGreaterThanOrEqual(2);
    expect(started.every((fire) => tasksNow.some((task) => task.id === fire.taskId))).toBe(true);

    const disabled = await use().call({ method: 'POST', url: `${base()}/${schedule.id}/disable`, cookie: owner.cookie });
    expect(disabled.statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const countAfterDisable = (await use().call({ method: 'GET', url: `${base()}/${schedule.id}/fires`, cookie: owner.cookie })).json().fires.length;
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect((await use().call({ method: 'GET', url: `${base()}/${schedule.id}/fires`, cookie: owner.cookie })).json().fires.length).toBe(countAfterDisable);

    // Once the schedule is deleted, its tasks still point at it, marked deleted rather than named.
    expect((await use().call({ method: 'DELETE', url: `${base()}/${schedule.id}`, cookie: owner.cookie })).statusCode).toBe(204);
    const orphaned = (await use().call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/tasks?originId=${schedule.id}`, cookie: owner.cookie })).json().tasks as Task[];
    expect(orphaned.length).toBeGreaterThan(0);
    expect(orphaned.every((task) => task.origin.id === schedule.id && task.origin.name === null && task.origin.deleted)).toBe(true);
  });

  it('lets viewers read schedules but not change them', async () => {
    const viewer = await addMember(use(), owner.cookie, owner.workspace.id, { name: 'Val Viewer', email: 'val@example.com', password: 'viewer-password-1' }, 'viewer');
    expect((await use().call({ method: 'GET', url: base(), cookie: viewer.cookie })).statusCode).toBe(200);
    const refused = await use().call({ method: 'POST', url: base(), cookie: viewer.cookie, payload: { name: 'x', kind: 'http.request', input: { url: `${target.url}/` }, trigger: { type: 'interval', seconds: 60 } } });
    expect(refused.statusCode).toBe(403);
  });
}, { config: { egressAllowedHosts: ['127.0.0.1'] } });
