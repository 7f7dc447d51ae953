import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { isIP } from 'node:net';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isSteadError } from '../errors/stead-error.ts';
import type { EgressClient, EgressLeanInit, EgressResponse } from './egress.port.ts';

/** What the suite hands `create`: the adapter must use exactly this lookup and these allow rules. */
export interface EgressContractSetup {
  /** Always `public.test` and `other.test`, the two names the suite's local server may be reached by. */
  allowedHosts: string[];
  /** Answers the suite's made-up names; see `answers` below. Unknown names fail with ENOTFOUND. */
  lookup: LookupFunction;
}

interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Echo {
  method: string;
  body: string;
  headers: IncomingHttpHeaders;
}

// 192.0.2.0/24 is documentation space: nothing answers there. Egress refuses it (a private network may use
// it), so tests that need a reachable-by-policy public answer that never connects allow this range.
const unroutable = '192.0.2.1';
const unroutableRange = '192.0.2.0/24';

/**
 * The names the suite's lookup knows. Every blocked answer points somewhere a request would either reach the
 * suite's server (loopback) or hang, and blocked tests set a short timeout: an adapter that connects anyway
 * fails with the wrong code or with a request seen by the server, never by hanging.
 */
const answers: Record<string, string[]> = {
  'public.test': ['127.0.0.1'],
  'other.test': ['127.0.0.1'],
  'loopback.test': ['127.0.0.1'],
  'private.test': ['10.0.0.1'],
  'metadata.test': ['169.254.169.254'],
  'v6-loopback.test': ['::1'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'unspecified.test': ['0.0.0.0'],
  'mixed.test': [unroutable, '127.0.0.1'],
  'documentation.test': ['203.0.113.9'],
  'compatible.test': ['::127.0.0.1'],
  localhost: ['127.0.0.1'],
  // Public on this resolver, so only a rule about the name itself refuses it.
  'metadata.google.internal': [unroutable],
};

/**
 * The definition of the egress port: every egress client runs this suite unchanged. `create` returns a fresh
 * client on each call, built with the given lookup and allow rules. The suite runs its own HTTP server on
 * 127.0.0.1, so reaching it at all needs an allow rule; that is how "refused" is told apart from "failed":
 * a refused request never arrives.
 */
export const runEgressContract = (name: string, create: (setup: EgressContractSetup) => EgressClient | Promise<EgressClient>): void => {
  // Both ways out make the same promises: `fetch` (standard Response) and `request` (lean, for hot paths).
  for (const via of ['fetch', 'request'] as const) runFor(`${name}, ${via}`, via, create);
};

const runFor = (name: string, via: 'fetch' | 'request', create: (setup: EgressContractSetup) => EgressClient | Promise<EgressClient>): void => {
  /** The client's way out under test, called the same way whichever it is. */
  const send = (client: EgressClient) => (url: string, init?: EgressLeanInit): Promise<Response | EgressResponse> =>
    via === 'fetch' ? client.fetch(url, init) : client.request(url, init);
  describe(`Egress contract: ${name}`, () => {
    let server: Server;
    let port: number;
    const seen: SeenRequest[] = [];
    const opened: EgressClient[] = [];
    // A name whose first answer is public and every later one loopback (DNS rebinding).
    let rebindCalls = 0;

    const lookup: LookupFunction = (hostname, options, callback) => {
      // A resolver reads `name.` as the fully qualified `name`.
      const host = hostname.toLowerCase().replace(/\.$/, '');
      const addresses = host === 'rebind.test' ? [(rebindCalls += 1) === 1 ? unroutable : '127.0.0.1'] : answers[host];
      setImmediate(() => {
        if (addresses === undefined) {
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '');
        } else if (options.all) {
          callback(null, addresses.map((address) => ({ address, family: isIP(address) })));
        } else {
          callback(null, addresses[0]!, isIP(addresses[0]!));
        }
      });
    };

    const open = async (allowedHosts: string[] = []): Promise<EgressClient> => {
      const client = await create({ allowedHosts: ['public.test', 'other.test', ...allowedHosts], lookup });
      opened.push(client);
      return client;
    };

    const at = (host: string, path: string): string => `http://${host}:${port}${path}`;
    const redirect = (to: string, status = 302): string => `/redirect?status=${status}&to=${encodeURIComponent(to)}`;
    const paths = (): string[] => seen.map((request) => request.path);
    // Long enough for loopback, short enough that an adapter connecting where it must not fails fast.
    const quick = { timeoutMs: 2_000 };

    beforeAll(async () => {
      server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const path = request.url ?? '/';
          seen.push({ method: request.method ?? '', path, headers: request.headers, body });
          const url = new URL(path, 'http://server.invalid');
          const chain = /^\/chain\/(\d+)$/.exec(url.pathname);
          if (url.pathname === '/hello') {
            response.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
          } else if (url.pathname === '/echo') {
            const echo: Echo = { method: request.method ?? '', body, headers: request.headers };
            response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo));
          } else if (url.pathname === '/redirect') {
            response.writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('to') ?? '/' }).end('moved');
          } else if (url.pathname === '/loop') {
            response.writeHead(302, { location: '/loop' }).end();
          } else if (chain) {
            const left = Number(chain[1]);
            if (left === 0) response.writeHead(200).end('end of chain');
            else response.writeHead(302, { location: `/chain/${left - 1}` }).end();
          } else if (url.pathname === '/slow-body') {
            response.writeHead(200, { 'content-type': 'text/plain' });
            response.write('partial');
          } else if (url.pathname === '/reset') {
            request.socket.destroy();
          } else if (url.pathname !== '/hang') {
            response.writeHead(404).end();
          }
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });

    beforeEach(() => {
      seen.length = 0;
      rebindCalls = 0;
    });

    afterEach(async () => {
      // Hanging exchanges would otherwise hold the clients' graceful close.
      server.closeAllConnections();
      await Promise.all(opened.splice(0).map((client) => client.close()));
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    describe('allowed destinations', () => {
      it('fetches a host an allow rule names, whatever it resolves to, and returns a standard Response', async () => {
        const client = await open();
        const response = await send(client)(at('public.test', '/hello'));
        expect(response.status).toBe(200);
        expect(response.ok).toBe(true);
        expect(response.headers.get('content-type')).toBe('text/plain');
        expect(response.url).toBe(at('public.test', '/hello'));
        await expect(response.text()).resolves.toBe('hello');
        expect(paths()).toEqual(['/hello']);
      });

      // `fetch` only: the standard signature with a URL object and a Headers instance.
      if (via === 'fetch') it('works where a `typeof fetch` is injected: method, headers and body pass through', async () => {
        const client = await open();
        const injected = client.fetch as typeof fetch;
        const response = await injected(new URL(at('public.test', '/echo')), {
          method: 'POST',
          headers: new Headers({ 'content-type': 'application/json', 'x-trace': 'abc' }),
          body: JSON.stringify({ question: 42 }),
        });
        const echo = (await response.json()) as Echo;
        expect(echo).toMatchObject({ method: 'POST', body: '{"question":42}', headers: { 'content-type': 'application/json', 'x-trace': 'abc' } });
      });

      it('matches name rules case-insensitively', async () => {
        const client = await open();
        client.allow('LoopBack.TEST');
        await expect(send(client)(at('loopback.test', '/hello'))).resolves.toMatchObject({ status: 200 });
      });
    });

    describe('refused destinations', () => {
      it.each([
        ['loopback.test', '127.0.0.1'],
        ['private.test', '10.0.0.1'],
        ['metadata.test', '169.254.169.254'],
        ['v6-loopback.test', '::1'],
        ['mapped.test', '::ffff:127.0.0.1'],
        ['unspecified.test', '0.0.0.0'],
        ['documentation.test', '203.0.113.9'],
        ['compatible.test', '::127.0.0.1'],
        ['loopback.test.', '127.0.0.1'],
      ])('refuses %s, which resolves to %s, and sends nothing', async (host, address) => {
        const client = await open();
        const error: unknown = await send(client)(at(host, '/hello'), quick).catch((caught: unknown) => caught);
        expect(error).toMatchObject({ name: 'SteadError', code: 'egress_blocked' });
        expect((error as Error).message).toContain(address);
        expect((error as Error).message).toContain('STEAD_EGRESS_ALLOWED_HOSTS');
        expect(paths()).toEqual([]);
      });

      it('refuses a name when any of its answers is blocked', async () => {
        const client = await open();
        await expect(send(client)(at('mixed.test', '/hello'), quick)).rejects.toMatchObject({ code: 'egress_blocked' });
        expect(paths()).toEqual([]);
      });

      it('refuses the cloud metadata name even when it resolves somewhere public', async () => {
        const client = await open([unroutableRange]);
        await expect(send(client)('http://metadata.google.internal/computeMetadata/v1/', quick)).rejects.toMatchObject({ code: 'egress_blocked' });
        await expect(send(client)('http://METADATA.google.internal./', quick)).rejects.toMatchObject({ code: 'egress_blocked' });
      });

      it.each([
        ['IPv4 loopback', () => at('127.0.0.1', '/hello')],
        ['IPv6 loopback', () => at('[::1]', '/hello')],
        ['IPv4 loopback in decimal', () => at('2130706433', '/hello')],
        ['IPv4 loopback in hex shorthand', () => at('0x7f.1', '/hello')],
        ['IPv4-mapped IPv6 loopback', () => at('[::ffff:127.0.0.1]', '/hello')],
        ['NAT64 loopback', () => at('[64:ff9b::127.0.0.1]', '/hello')],
        ['unspecified IPv4', () => at('0.0.0.0', '/hello')],
        ['unspecified IPv6', () => at('[::]', '/hello')],
        ['private IPv4', () => 'http://10.0.0.1/'],
        ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/'],
        ['unique-local IPv6', () => 'http://[fd00::1]/'],
        ['link-local IPv6', () => 'http://[fe80::1]/'],
        ['IPv4 loopback with a trailing dot', () => at('127.0.0.1.', '/hello')],
        ['IPv4-compatible IPv6 loopback', () => at('[::127.0.0.1]', '/hello')],
        ['IPv4-compatible IPv6 loopback in hex', () => at('[::7f00:1]', '/hello')],
        ['6to4 carrying loopback', () => at('[2002:7f00:1::1]', '/hello')],
        ['6to4 carrying a private address', () => 'http://[2002:a00:1::1]/'],
        ['local-use NAT64', () => 'http://[64:ff9b:1::a00:1]/'],
        ['Teredo', () => 'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/'],
        ['IPv6 documentation', () => 'http://[2001:db8::1]/'],
        ['documentation 192.0.2.0/24', () => 'http://192.0.2.10/'],
        ['documentation 198.51.100.0/24', () => 'http://198.51.100.10/'],
        ['documentation 203.0.113.0/24', () => 'http://203.0.113.10/'],
        ['documentation in decimal', () => 'http://3405803786/'],
        ['documentation in hex', () => 'http://0xcb.0x0.0x71.0xa/'],
        ['documentation in octal', () => 'http://0313.0.0161.012/'],
        ['documentation in short form', () => 'http://203.0.28938/'],
        ['documentation, IPv4-mapped', () => 'http://[::ffff:cb00:710a]/'],
        ['documentation, NAT64', () => 'http://[64:ff9b::203.0.113.10]/'],
        ['carrier-grade NAT', () => 'http://100.64.0.1/'],
        ['benchmarking', () => 'http://198.18.0.1/'],
        ['reserved 240.0.0.0/4', () => 'http://240.0.0.1/'],
        ['this network 0.0.0.0/8', () => 'http://0.1.2.3/'],
      ])('refuses an IP literal (%s) before connecting', async (_label, url) => {
        const client = await open();
        await expect(send(client)(url(), quick)).rejects.toMatchObject({ code: 'egress_blocked' });
        expect(paths()).toEqual([]);
      });

      it.each(['localhost', 'localhost.', 'LOCALHOST.', 'api.localhost', 'api.localhost.'])(
        'refuses %s as loopback by policy, without asking DNS',
        async (host) => {
          const client = await open();
          const error: unknown = await send(client)(at(host, '/hello'), quick).catch((caught: unknown) => caught);
          // egress_failed would mean the outcome hung on a lookup (the suite's resolver knows no `api.localhost`).
          expect(error).toMatchObject({ code: 'egress_blocked', message: expect.stringContaining('loopback') });
          await expect(client.check(at(host, '/'))).resolves.toMatchObject({ allowed: false });
          expect(paths()).toEqual([]);
        },
      );

      it.each(['ftp://public.test/file', 'file:///etc/passwd', 'data:text/plain,hello', 'ws://public.test/'])('refuses the non-http URL %s', async (url) => {
        const client = await open();
        await expect(send(client)(url, quick)).rejects.toMatchObject({ code: 'egress_blocked' });
      });

      it('refuses URLs with credentials in them', async () => {
        const client = await open();
        await expect(send(client)(`http://user:secret@public.test:${port}/hello`, quick)).rejects.toMatchObject({ code: 'egress_blocked' });
        await expect(send(client)(`http://user@public.test:${port}/hello`, quick)).rejects.toMatchObject({ code: 'egress_blocked' });
        expect(paths()).toEqual([]);
      });

      it('checks the address actually connected to, so a name that rebinds after check() is still refused', async () => {
        const client = await open([unroutableRange]);
        await expect(client.check(at('rebind.test', '/hello'))).resolves.toEqual({ allowed: true });
        await expect(send(client)(at('rebind.test', '/hello'), quick)).rejects.toMatchObject({ code: 'egress_blocked' });
        expect(paths()).toEqual([]);
      });

      it('never connects to a rebound address, however often the adapter resolves', async () => {
        const client = await open([unroutableRange]);
        // The first answer is public and unreachable; a second lookup answers loopback. An adapter that
        // checks one answer and lets the socket resolve again would reach the server.
        await expect(send(client)(at('rebind.test', '/hello'), { timeoutMs: 1_000 })).rejects.toSatisfy(isSteadError);
        expect(paths()).toEqual([]);
      });
    });

    describe('redirects', () => {
      it('follows relative redirects and reports the final URL', async () => {
        const client = await open();
        const absolutePath = await send(client)(at('public.test', redirect('/hello')));
        await expect(absolutePath.text()).resolves.toBe('hello');
        expect(absolutePath.url).toBe(at('public.test', '/hello'));
        expect(absolutePath.redirected).toBe(true);
        const relativePath = await send(client)(at('public.test', redirect('hello', 301)));
        await expect(relativePath.text()).resolves.toBe('hello');
        expect(paths()).toEqual([redirect('/hello'), '/hello', redirect('hello', 301), '/hello']);
      });

      it('follows a redirect to another allowed host', async () => {
        const client = await open();
        const response = await send(client)(at('public.test', redirect(at('other.test', '/hello'))));
        expect(response.url).toBe(at('other.test', '/hello'));
        await expect(response.text()).resolves.toBe('hello');
      });

      it.each([
        ['a blocked name', () => at('loopback.test', '/hello')],
        ['a loopback IP literal', () => at('127.0.0.1', '/hello')],
        ['the metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
        ['a file URL', () => 'file:///etc/passwd'],
        ['a URL with credentials', () => `http://user:secret@public.test:${port}/hello`],
      ])('refuses a redirect from an allowed host to %s', async (_label, target) => {
        const client = await open();
        await expect(send(client)(at('public.test', redirect(target())), quick)).rejects.toMatchObject({ code: 'egress_blocked' });
        expect(paths()).toEqual([redirect(target())]);
      });

      it('stops after maxRedirects hops with egress_failed', async () => {
        const client = await open();
        await expect(send(client)(at('public.test', '/loop'))).rejects.toMatchObject({ code: 'egress_failed' });
        // The default is 5 redirects: the first request and five followed.
        expect(paths()).toHaveLength(6);
        seen.length = 0;
        await expect(send(client)(at('public.test', '/loop'), { maxRedirects: 2 })).rejects.toMatchObject({ code: 'egress_failed' });
        expect(paths()).toHaveLength(3);
        await expect(send(client)(at('public.test', '/chain/3'), { maxRedirects: 3 })).resolves.toMatchObject({ status: 200 });
      });

      it('returns the redirect itself when maxRedirects is 0', async () => {
        const client = await open();
        const response = await send(client)(at('public.test', redirect('/hello')), { maxRedirects: 0 });
        expect(response.status).toBe(302);
        expect(response.headers.get('location')).toBe('/hello');
        expect(paths()).toEqual([redirect('/hello')]);
      });

      it.each([
        [303, 'POST', 'GET'],
        [303, 'PUT', 'GET'],
        [302, 'POST', 'GET'],
        [301, 'POST', 'GET'],
        [307, 'POST', 'POST'],
        [308, 'PUT', 'PUT'],
        [302, 'PUT', 'PUT'],
      ])('after a %i, a %s continues as %s, with its body only when the method is kept', async (status, method, expected) => {
        const client = await open();
        const response = await send(client)(at('public.test', redirect('/echo', status)), {
          method,
          headers: { 'content-type': 'text/plain' },
          body: 'payload',
        });
        const echo = (await response.json()) as Echo;
        expect(echo.method).toBe(expected);
        if (expected === method) {
          expect(echo.body).toBe('payload');
          expect(echo.headers['content-type']).toBe('text/plain');
        } else {
          expect(echo.body).toBe('');
          expect(echo.headers['content-type']).toBeUndefined();
        }
      });

      it('keeps credentials on a same-origin redirect and drops them on a cross-origin one', async () => {
        const client = await open();
        const headers = { authorization: 'Bearer secret', cookie: 'session=1', 'x-trace': 'abc' };
        const same = (await (await send(client)(at('public.test', redirect('/echo')), { headers })).json()) as Echo;
        expect(same.headers).toMatchObject(headers);
        const cross = (await (await send(client)(at('public.test', redirect(at('other.test', '/echo'))), { headers })).json()) as Echo;
        expect(cross.headers.authorization).toBeUndefined();
        expect(cross.headers.cookie).toBeUndefined();
        expect(cross.headers['x-trace']).toBe('abc');
      });
    });

    describe('failures', () => {
      it('turns a DNS failure into egress_failed with the cause kept', async () => {
        const client = await open(['missing-allowed.test']);
        await expect(send(client)(at('missing.test', '/hello'), quick)).rejects.toMatchObject({ code: 'egress_failed', cause: expect.anything() });
        await expect(send(client)(at('missing-allowed.test', '/hello'), quick)).rejects.toMatchObject({ code: 'egress_failed', cause: expect.anything() });
      });

      it('turns a refused connection and a reset into egress_failed', async () => {
        const closed = createServer();
        await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
        const closedPort = (closed.address() as AddressInfo).port;
        await new Promise<void>((resolve) => closed.close(() => resolve()));
        const client = await open();
        await expect(send(client)(`http://public.test:${closedPort}/`, quick)).rejects.toMatchObject({ code: 'egress_failed', cause: expect.anything() });
        await expect(send(client)(at('public.test', '/reset'), quick)).rejects.toMatchObject({ code: 'egress_failed', cause: expect.anything() });
      });

      it('times out waiting for headers with egress_failed', async () => {
        const client = await open();
        const started = Date.now();
        await expect(send(client)(at('public.test', '/hang'), { timeoutMs: 200 })).rejects.toMatchObject({ code: 'egress_failed' });
        expect(Date.now() - started).toBeLessThan(2_000);
      });

      it('times out across redirect hops and while reading the body', async () => {
        const client = await open();
        await expect(send(client)(at('public.test', redirect('/hang')), { timeoutMs: 200 })).rejects.toMatchObject({ code: 'egress_failed' });
        const response = await send(client)(at('public.test', '/slow-body'), { timeoutMs: 300 });
        expect(response.status).toBe(200);
        await expect(response.text()).rejects.toMatchObject({ code: 'egress_failed' });
      });

      it("lets a caller's abort propagate as an AbortError, not egress_failed", async () => {
        const client = await open();
        const controller = new AbortController();
        const pending = send(client)(at('public.test', '/hang'), { signal: controller.signal, timeoutMs: 5_000 });
        setTimeout(() => controller.abort(), 50);
        const error: unknown = await pending.catch((caught: unknown) => caught);
        expect(error).toMatchObject({ name: 'AbortError' });
        expect(isSteadError(error)).toBe(false);
        await expect(send(client)(at('public.test', '/hello'), { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
      });
    });

    describe('check', () => {
      it('reports without sending anything', async () => {
        const client = await open();
        await expect(client.check(at('public.test', '/hello'))).resolves.toEqual({ allowed: true });
        await expect(client.check(new URL(at('loopback.test', '/hello')))).resolves.toMatchObject({ allowed: false, reason: expect.stringContaining('127.0.0.1') });
        await expect(client.check(at('[::1]', '/'))).resolves.toMatchObject({ allowed: false });
        await expect(client.check('http://metadata.google.internal/')).resolves.toMatchObject({ allowed: false });
        await expect(client.check('ftp://public.test/')).resolves.toMatchObject({ allowed: false });
        await expect(client.check(`http://user:secret@public.test:${port}/`)).resolves.toMatchObject({ allowed: false });
        expect(paths()).toEqual([]);
      });

      it('fails with egress_failed when the name does not resolve', async () => {
        const client = await open();
        await expect(client.check('http://missing.test/')).rejects.toMatchObject({ code: 'egress_failed' });
      });
    });

    describe('allow rules', () => {
      it('allow(name) at run time lets that name through', async () => {
        const client = await open();
        await expect(send(client)(at('loopback.test', '/hello'), quick)).rejects.toMatchObject({ code: 'egress_blocked' });
        client.allow('loopback.test');
        await expect(client.check(at('loopback.test', '/hello'))).resolves.toEqual({ allowed: true });
        await expect(send(client)(at('loopback.test', '/hello'))).resolves.toMatchObject({ status: 200 });
        // A name rule says nothing about other names with the same address.
        await expect(send(client)(at('127.0.0.1', '/hello'), quick)).rejects.toMatchObject({ code: 'egress_blocked' });
      });

      it('allow(ip) permits that address, by literal or by any name resolving to it', async () => {
        const client = await open();
        client.allow('127.0.0.1');
        await expect(send(client)(at('127.0.0.1', '/hello'))).resolves.toMatchObject({ status: 200 });
        await expect(send(client)(at('loopback.test', '/hello'))).resolves.toMatchObject({ status: 200 });
        await expect(send(client)(at('private.test', '/hello'), quick)).rejects.toMatchObject({ code: 'egress_blocked' });
      });

      it('allow(cidr) permits the range and nothing outside it', async () => {
        const client = await open();
        client.allow('127.0.0.0/8');
        await expect(send(client)(at('loopback.test', '/hello'))).resolves.toMatchObject({ status: 200 });
        await expect(send(client)(at('127.0.0.1', '/hello'))).resolves.toMatchObject({ status: 200 });
        await expect(send(client)(at('private.test', '/hello'), quick)).rejects.toMatchObject({ code: 'egress_blocked' });
        await expect(send(client)(at('metadata.test', '/hello'), quick)).rejects.toMatchObject({ code: 'egress_blocked' });
      });

      it('matches name rules with or without a trailing dot, on either side', async () => {
        const client = await open(['loopback.test.', 'localhost']);
        await expect(send(client)(at('loopback.test', '/hello'))).resolves.toMatchObject({ status: 200 });
        await expect(send(client)(at('loopback.test.', '/hello'))).resolves.toMatchObject({ status: 200 });
        await expect(send(client)(at('localhost.', '/hello'))).resolves.toMatchObject({ status: 200 });
        await expect(send(client)(at('api.localhost', '/hello'), quick)).rejects.toMatchObject({ code: 'egress_blocked' });
      });

      it('lets localhost names through when the loopback address is allowed, and only then', async () => {
        const client = await open(['127.0.0.1']);
        await expect(send(client)(at('localhost.', '/hello'))).resolves.toMatchObject({ status: 200 });
        await expect(send(client)(at('api.localhost', '/hello'))).resolves.toMatchObject({ status: 200 });
      });

      it('takes allow rules from creation', async () => {
        const client = await open(['10.0.0.0/8', 'loopback.test']);
        await expect(send(client)(at('loopback.test', '/hello'))).resolves.toMatchObject({ status: 200 });
        await expect(client.check('http://private.test/')).resolves.toEqual({ allowed: true });
      });

      it.each(['', '   ', 'http://example.com', 'example.com:8080', '*.example.com', 'not a host', '10.0.0.0/33', '::1/129', '10.0.0.0/8/8', '10.0.0.0/', '300.1.1.1', '1.2.3'])(
        'rejects the bad rule %j with validation_failed',
        async (rule) => {
          const client = await open();
          expect(() => client.allow(rule)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
        },
      );
    });
  });
};
