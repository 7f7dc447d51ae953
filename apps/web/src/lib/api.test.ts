import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api-error.ts';
import { createApiClient, toQueryString } from './api.ts';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

describe('createApiClient', () => {
  it('sends JSON with credentials and parses the answer', async () => {
    const fetchMock = vi.fn<typeof fetch>(async () => jsonResponse(200, { status: 'two-factor-required' }));
    const client = createApiClient({ fetch: fetchMock });
    await expect(client.login({ email: 'a@b.c', password: 'pw' })).resolves.toEqual({ status: 'two-factor-required' });
    const [url, init = {}] = fetchMock.mock.calls[0] ?? [];
    expect(url).toBe('/api/auth/login');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('include');
    expect(init.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(JSON.parse(String(init.body))).toEqual({ email: 'a@b.c', password: 'pw' });
  });

  it('resolves 204 answers to undefined', async () => {
    const client = createApiClient({ fetch: async () => new Response(null, { status: 204 }) });
    await expect(client.revokeSession('s 1')).resolves.toBeUndefined();
  });

  it('encodes path segments', async () => {
    const fetchMock = vi.fn<typeof fetch>(async () => new Response(null, { status: 204 }));
    const client = createApiClient({ fetch: fetchMock });
    await client.removeMember('ws/1', 'user?2');
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/workspaces/ws%2F1/members/user%3F2');
  });

  it('throws ApiError with the server message on errors', async () => {
    const client = createApiClient({
      fetch: async () => jsonResponse(429, { error: { code: 'rate_limited', message: 'Slow down.', requestId: 'r1' } }),
    });
    const error = await client.login({ email: 'a@b.c', password: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', message: 'Slow down.', requestId: 'r1' });
  });

  it('turns a refused connection into a network ApiError', async () => {
    const client = createApiClient({
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const error = await client.session().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).isNetworkError).toBe(true);
    expect((error as ApiError).status).toBe(0);
  });

  it('reads a degraded health body even with a 503 status', async () => {
    const body = { status: 'degraded', version: '0.1.0', uptime: 5, components: { database: { state: 'down' } } };
    const client = createApiClient({ fetch: async () => jsonResponse(503, body) });
    await expect(client.health()).resolves.toEqual(body);
  });

  it('builds audit query strings from defined filters only', async () => {
    const fetchMock = vi.fn<typeof fetch>(async () => jsonResponse(200, { events: [], nextCursor: null }));
    const client = createApiClient({ fetch: fetchMock });
    await client.workspaceAudit('w1', { action: 'member.', from: '', cursor: 'abc', limit: 50 });
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/workspaces/w1/audit?action=member.&cursor=abc&limit=50');
  });
});

describe('toQueryString', () => {
  it('is empty without values', () => {
    expect(toQueryString({ a: undefined, b: null, c: '' })).toBe('');
    expect(toQueryString({ workspaceId: 'a b' })).toBe('?workspaceId=a+b');
  });
});
