import { SteadApiError } from '@stead/api-client';
import { describe, expect, it, vi } from 'vitest';
import { isNetworkError } from './api-error.ts';
import { createApiClient, eventsUrl } from './api.ts';

// Node's Request needs an absolute URL; in the browser the client uses the page's origin.
const baseUrl = 'http://stead.test';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/** A fetch mock answering `respond()`, and the requests it received. */
function recordingFetch(respond: () => Response) {
  const requests: Request[] = [];
  const fetchMock = vi.fn<typeof fetch>(async (input, init) => {
    requests.push(new Request(input, init));
    return respond();
  });
  return { fetch: fetchMock, requests };
}

describe('createApiClient', () => {
  it('sends JSON with credentials and parses the answer', async () => {
    const { fetch, requests } = recordingFetch(() => jsonResponse(200, { status: 'two-factor-required' }));
    const client = createApiClient({ baseUrl, fetch });
    await expect(client.login({ email: 'a@b.c', password: 'pw' })).resolves.toEqual({ status: 'two-factor-required' });
    const [request] = requests;
    expect(request?.url).toBe(`${baseUrl}/api/auth/login`);
    expect(request?.method).toBe('POST');
    expect(request?.credentials).toBe('include');
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(await request?.json()).toEqual({ email: 'a@b.c', password: 'pw' });
  });

  it('resolves 204 answers to undefined', async () => {
    const client = createApiClient({ baseUrl, fetch: async () => new Response(null, { status: 204 }) });
    await expect(client.revokeSession('s 1')).resolves.toBeUndefined();
  });

  it('encodes path segments', async () => {
    const { fetch, requests } = recordingFetch(() => new Response(null, { status: 204 }));
    await createApiClient({ baseUrl, fetch }).removeMember('ws/1', 'user?2');
    expect(requests[0]?.url).toBe(`${baseUrl}/api/workspaces/ws%2F1/members/user%3F2`);
    expect(requests[0]?.method).toBe('DELETE');
  });

  it('throws SteadApiError with the server message on errors', async () => {
    const client = createApiClient({
      baseUrl,
      fetch: async () => jsonResponse(429, { error: { code: 'rate_limited', message: 'Slow down.', requestId: 'r1' } }),
    });
    const error = await client.login({ email: 'a@b.c', password: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SteadApiError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', message: 'Slow down.', requestId: 'r1' });
  });

  it('gives an error answer without the envelope a readable message', async () => {
    const client = createApiClient({ baseUrl, fetch: async () => new Response('<html>Bad gateway</html>', { status: 502 }) });
    const error = await client.listWorkspaces().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SteadApiError);
    expect(error).toMatchObject({ status: 502, code: 'server_error', message: 'The server is unreachable right now.' });
  });

  it('turns a refused connection into a network SteadApiError', async () => {
    const client = createApiClient({
      baseUrl,
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    for (const call of [() => client.session(), () => client.health()]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SteadApiError);
      expect(isNetworkError(error)).toBe(true);
      expect((error as SteadApiError).status).toBe(0);
    }
  });

  it('reads a degraded health body even with a 503 status', async () => {
    const body = { status: 'degraded', version: '0.1.0', uptime: 5, components: { database: { state: 'down' } } };
    const client = createApiClient({ baseUrl, fetch: async () => jsonResponse(503, body) });
    await expect(client.health()).resolves.toEqual(body);
  });

  it('throws on a health answer that is not a health body', async () => {
    const client = createApiClient({ baseUrl, fetch: async () => new Response('', { status: 502 }) });
    await expect(client.health()).rejects.toMatchObject({ status: 502, code: 'server_error' });
  });

  it('builds audit query strings from defined filters only', async () => {
    const { fetch, requests } = recordingFetch(() => jsonResponse(200, { events: [], nextCursor: null }));
    await createApiClient({ baseUrl, fetch }).workspaceAudit('w1', { action: 'member.', from: undefined, cursor: 'abc', limit: 50 });
    expect(requests[0]?.url).toBe(`${baseUrl}/api/workspaces/w1/audit?action=member.&cursor=abc&limit=50`);
  });

  it('sends a schedule preview as flat query parameters, and pages fires by cursor', async () => {
    const { fetch, requests } = recordingFetch(() => jsonResponse(200, { fireTimes: [], fires: [], nextCursor: null }));
    const client = createApiClient({ baseUrl, fetch });
    await client.previewSchedule('w1', { type: 'cron', expression: '30 9 * * 1-5', timeZone: 'Europe/Berlin', count: 5 });
    expect(requests[0]?.url).toBe(`${baseUrl}/api/workspaces/w1/schedules/preview?type=cron&expression=30%209%20*%20*%201-5&timeZone=Europe%2FBerlin&count=5`);
    expect(requests[0]?.method).toBe('GET');
    await client.scheduleFires('w1', 's1', { limit: 20, cursor: 'f9' });
    expect(requests[1]?.url).toBe(`${baseUrl}/api/workspaces/w1/schedules/s1/fires?limit=20&cursor=f9`);
  });

  it('enables and disables schedules with a POST to their own routes', async () => {
    const { fetch, requests } = recordingFetch(() => jsonResponse(200, { schedule: {} }));
    const client = createApiClient({ baseUrl, fetch });
    await client.enableSchedule('w1', 's1');
    await client.disableSchedule('w1', 's1');
    expect(requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      `POST ${baseUrl}/api/workspaces/w1/schedules/s1/enable`,
      `POST ${baseUrl}/api/workspaces/w1/schedules/s1/disable`,
    ]);
  });
});

describe('eventsUrl', () => {
  it('names the workspace in the query', () => {
    expect(eventsUrl('a b')).toBe('/api/events?workspaceId=a+b');
  });
});
