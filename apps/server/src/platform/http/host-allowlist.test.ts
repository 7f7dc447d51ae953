import { afterEach, describe, expect, it } from 'vitest';
import { cookieOf, ownerCredentials, setUpOwner, startTestServer, type TestServer } from '../../../test/support/test-server.ts';
import { createHostAllowlist, hostnameOf } from './host-allowlist.ts';

describe('host allowlist', () => {
  it('compares host names without port, case or trailing dot', () => {
    expect(hostnameOf('Stead.Example.COM.:8443')).toBe('stead.example.com');
    expect(hostnameOf('[::1]:7070')).toBe('::1');
    expect(hostnameOf('')).toBeUndefined();
    expect(hostnameOf('evil.example/path')).toBeUndefined();
  });

  it('serves the public URL host, the listen address, loopback and the configured names, and nothing else', () => {
    const hosts = createHostAllowlist({ publicUrl: 'https://stead.example.com', listenHost: '10.0.0.5', listenPort: 7070, allowedHosts: ['stead.lan', '*.corp.example'] });
    for (const host of ['stead.example.com', 'STEAD.example.com.:443', '10.0.0.5:7070', 'localhost:7070', '127.0.0.1', '127.8.9.10:80', '[::1]:7070', 'stead.lan', 'ci.corp.example']) {
      expect(hosts.allows(host), host).toBe(true);
    }
    for (const host of [undefined, '', 'evil.example', 'rebind.evil.example:7452', 'stead.example.com.evil.example', 'corp.example', 'corp.example.evil', '10.0.0.6', 'localhost.evil.example', '0.0.0.0']) {
      expect(hosts.allows(host), String(host)).toBe(false);
    }
  });

  it('serves every interface address when listening on all of them', () => {
    const hosts = createHostAllowlist({ publicUrl: undefined, listenHost: '0.0.0.0', listenPort: 7070, allowedHosts: [], interfaceAddresses: () => ['192.168.1.20', 'fe80::1%eth0'] });
    expect(hosts.allows('192.168.1.20:7070')).toBe(true);
    expect(hosts.allows('[fe80::1]:7070')).toBe(true);
    expect(hosts.allows('192.168.1.21:7070')).toBe(false);
    expect(hosts.originFor({ protocol: 'http', host: 'evil.example' })).toBe('http://127.0.0.1:7070');
  });
});

describe('the server answers only to the hosts it serves (DNS rebinding)', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('refuses setup of a fresh instance through a foreign Host, even with a matching Origin', async () => {
    server = (await startTestServer('sqlite'))!;
    const rebound = await server.call({ method: 'POST', url: '/api/setup', host: 'rebind.evil.example:7452', payload: ownerCredentials });
    expect(rebound.statusCode).toBe(421);
    expect(rebound.json().error).toMatchObject({ code: 'host_not_allowed', requestId: expect.any(String) });
    expect(await server.core.auth.listUsers()).toEqual([]);
    expect((await server.call({ method: 'GET', url: '/api/setup' })).json()).toEqual({ needsSetup: true });
    expect((await server.call({ method: 'GET', url: '/api/health', host: 'evil.example' })).statusCode).toBe(421);
    for (const host of ['localhost:7070', '127.0.0.1:7070', '[::1]:7070']) {
      expect((await server.call({ method: 'GET', url: '/api/health', host })).statusCode, host).toBe(200);
    }
    // The web app's pages too: a rebound page must not even load.
    expect((await server.call({ method: 'GET', url: '/', host: 'evil.example' })).statusCode).toBe(421);
  });

  it('builds invitation links only from served hosts, and from STEAD_PUBLIC_URL when set', async () => {
    server = (await startTestServer('sqlite', { config: { allowedHosts: ['stead.lan'] } }))!;
    const owner = await setUpOwner(server);
    const invite = (host?: string) =>
      server!.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/invitations`, cookie: owner.cookie, payload: { role: 'member' }, ...(host ? { host } : {}) });
    const foreign = await invite('evil.example');
    expect(foreign.statusCode).toBe(421);
    expect(foreign.body).not.toContain('/invite/');
    expect((await invite('stead.lan:7070')).json().url).toMatch(/^http:\/\/stead\.lan:7070\/invite\//);
    expect((await invite('STEAD.LAN.')).statusCode).toBe(201);
    await server.close();

    server = (await startTestServer('sqlite', { config: { publicUrl: 'https://stead.example.com' } }))!;
    const second = await setUpOwner(server);
    const viaLoopback = await server.call({ method: 'POST', url: `/api/workspaces/${second.workspace.id}/invitations`, cookie: second.cookie, payload: { role: 'member' }, host: '127.0.0.1:7070' });
    expect(viaLoopback.json().url).toMatch(/^https:\/\/stead\.example\.com\/invite\//);
    const viaPublic = await server.call({ method: 'GET', url: '/api/health', host: 'stead.example.com' });
    expect(viaPublic.statusCode).toBe(200);
  });

  it('checks X-Forwarded-Host behind a trusted proxy', async () => {
    server = (await startTestServer('sqlite', { config: { trustProxy: true, publicUrl: 'https://stead.example.com' } }))!;
    expect((await server.call({ method: 'GET', url: '/api/health', headers: { 'x-forwarded-host': 'stead.example.com' } })).statusCode).toBe(200);
    expect((await server.call({ method: 'GET', url: '/api/health', headers: { 'x-forwarded-host': 'evil.example' } })).statusCode).toBe(421);
    const login = await server.call({ method: 'POST', url: '/api/auth/login', headers: { 'x-forwarded-host': 'evil.example' }, payload: { email: 'a@example.com', password: 'whatever-1' } });
    expect(login.statusCode).toBe(421);
    expect(cookieOf(login)).toBe('');
  });
});
