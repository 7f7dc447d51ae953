import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAddress, createEgressClient, parseAllowRule } from './egress-client.ts';
import { runEgressContract } from './egress.contract.ts';
import type { EgressClient } from './egress.port.ts';

runEgressContract('undici egress client', ({ allowedHosts, lookup }) => createEgressClient({ allowedHosts, lookup }));

describe('classifyAddress', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.255.0.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['127.0.0.1', 'loopback'],
    ['127.200.1.1', 'loopback'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.1.1', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.192', 'reserved'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'cloud metadata'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['192.0.2.1', 'documentation'],
    ['192.0.2.255', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.200', 'documentation'],
    ['192.88.99.1', 'reserved'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['::7f00:1', 'IPv4-compatible'],
    ['::8.8.8.8', 'IPv4-compatible'],
    ['::ffff:192.0.2.1', 'documentation'],
    ['64:ff9b::203.0.113.1', 'documentation'],
    ['64:ff9b:1::a00:1', 'private'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:a9fe:a9fe::', 'cloud metadata'],
    ['2002:c0a8:101:1::1', 'private'],
    ['2001::1', 'tunnel'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'tunnel'],
    ['2001:2::1', 'benchmarking'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['100::1', 'reserved'],
    ['fbff::1', 'reserved'],
    ['fe00::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['5f00::1', 'reserved'],
    ['not an address', 'unrecognised'],
    ['', 'unrecognised'],
  ])('classifies %s as %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '192.0.1.1', '192.0.3.0', '192.88.98.255', '198.17.255.255', '198.20.0.0', '198.51.99.255', '198.51.101.0', '203.0.112.255', '203.0.114.0', '223.255.255.255', '11.0.0.1', '2606:4700:4700::1111', '2001:4860:4860::8888', '2001:db7:ffff::1', '2001:db9::1', '2002:808:808::1', '3ffe::1', '3fff:1000::1', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8'])(
    'lets the public address %s through',
    (address) => {
      expect(classifyAddress(address)).toBeUndefined();
    },
  );
});

describe('parseAllowRule', () => {
  it.each([
    ['ollama.lan', { kind: 'name', name: 'ollama.lan' }],
    ['  Ollama.LAN.  ', { kind: 'name', name: 'ollama.lan' }],
    ['localhost', { kind: 'name', name: 'localhost' }],
    ['bücher.example', { kind: 'name', name: 'xn--bcher-kva.example' }],
  ])('reads %j as a name', (rule, expected) => {
    expect(parseAllowRule(rule)).toEqual(expected);
  });

  it('reads addresses and ranges', () => {
    expect(parseAllowRule('127.0.0.1')).toEqual({ kind: 'range', range: { bytes: Uint8Array.from([127, 0, 0, 1]), prefix: 32 } });
    expect(parseAllowRule('10.0.0.0/8')).toMatchObject({ kind: 'range', range: { prefix: 8 } });
    expect(parseAllowRule('[::1]')).toMatchObject({ kind: 'range', range: { prefix: 128 } });
    expect(parseAllowRule('fd00::/8')).toMatchObject({ kind: 'range', range: { prefix: 8 } });
    expect(parseAllowRule('0.0.0.0/0')).toMatchObject({ kind: 'range', range: { prefix: 0 } });
  });

  it('rejects bad rules, also at creation', () => {
    expect(() => parseAllowRule('10.0.0.0/40')).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    expect(() => createEgressClient({ allowedHosts: ['ok.lan', 'http://bad'] })).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });
});

/** With managed `rule`, `url` answers through fetch and request; once the rule is removed, both are refused at once. */
const expectAllowedUntilRuleRemoved = async (client: EgressClient, url: string, rule: string) => {
  client.setManagedRules([rule]);
  await expect((await client.fetch(url)).text()).resolves.toBe('ok');
  await expect((await client.request(url)).text()).resolves.toBe('ok');
  client.setManagedRules([]);
  await expect(client.fetch(url)).rejects.toMatchObject({ code: 'egress_blocked' });
  await expect(client.request(url)).rejects.toMatchObject({ code: 'egress_blocked' });
  await client.close();
};

describe('createEgressClient', () => {
  let server: Server;
  let port: number;
  const seen: IncomingHttpHeaders[] = [];
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      if (request.url === '/temporary') response.writeHead(307, { location: '/' }).end();
      else if (request.url === '/hang') return;
      else response.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends the configured user agent unless the caller sets one', async () => {
    const client = createEgressClient({ allowedHosts: ['127.0.0.1'], userAgent: 'Stead/test' });
    seen.length = 0;
    await (await client.fetch(`http://127.0.0.1:${port}/`)).text();
    await (await client.fetch(`http://127.0.0.1:${port}/`, { headers: { 'User-Agent': 'caller' } })).text();
    expect(seen.map((headers) => headers['user-agent'])).toEqual(['Stead/test', 'caller']);
    await client.close();
  });

  it('lets an IPv4 rule cover the IPv4-mapped form of the address', async () => {
    const client = createEgressClient({ allowedHosts: ['127.0.0.1'] });
    await expect(client.check('http://[::ffff:127.0.0.1]/')).resolves.toEqual({ allowed: true });
    await expect(client.check('http://[::ffff:127.0.0.2]/')).resolves.toMatchObject({ allowed: false });
    await client.close();
  });

  it('uses defaultTimeoutMs and maxRedirects from options', async () => {
    const client = createEgressClient({ allowedHosts: ['local.test'], lookup, defaultTimeoutMs: 150, maxRedirects: 0 });
    await expect(client.fetch(`http://local.test:${port}/hang`)).rejects.toMatchObject({ code: 'egress_failed', message: expect.stringContaining('150 ms') });
    await expect(client.fetch(`http://local.test:${port}/temporary`)).resolves.toMatchObject({ status: 307 });
    server.closeAllConnections();
    await client.close();
  });

  it('refuses to replay a streamed body on a 307 instead of sending an empty one', async () => {
    const client = createEgressClient({ allowedHosts: ['local.test'], lookup });
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    await expect(client.fetch(`http://local.test:${port}/temporary`, { method: 'POST', body, duplex: 'half' } as RequestInit)).rejects.toMatchObject({
      code: 'egress_failed',
    });
    await client.close();
  });

  it('refuses localhost names by policy with the system resolver, which cannot resolve `localhost.` itself', async () => {
    const client = createEgressClient();
    for (const host of ['localhost', 'localhost.', 'LocalHost.', 'stead.localhost.']) {
      await expect(client.fetch(`http://${host}:${port}/`, { timeoutMs: 2_000 }), host).rejects.toMatchObject({ code: 'egress_blocked' });
      await expect(client.request(`http://${host}:${port}/`, { timeoutMs: 2_000 }), host).rejects.toMatchObject({ code: 'egress_blocked' });
    }
    await client.close();
    const allowed = createEgressClient({ allowedHosts: ['localhost.'] });
    await expect((await allowed.fetch(`http://localhost.:${port}/`)).text()).resolves.toBe('ok');
    await expect((await allowed.fetch(`http://localhost:${port}/`)).text()).resolves.toBe('ok');
    await allowed.close();
  });

  it('applies managed rules at once, and a removed rule stops allowing its destinations at once', async () => {
    const client = createEgressClient();
    const url = `http://127.0.0.1:${port}/`;
    await expect(client.fetch(url)).rejects.toMatchObject({ code: 'egress_blocked', message: expect.stringContaining('Instance settings → Allowed hosts') });
    // Twice: the second call answers from the remembered verdict on the literal, which removal must forget.
    await expectAllowedUntilRuleRemoved(client, url, '127.0.0.0/8');
  });

  it('shares its managed rules with followers: now, on every replacement, and not their own fixed rules', async () => {
    const instance = createEgressClient();
    instance.setManagedRules(['127.0.0.0/8']);
    const provider = createEgressClient({ allowedHosts: ['local.test'] });
    const url = `http://127.0.0.1:${port}/`;
    await expect(provider.fetch(url)).rejects.toMatchObject({ code: 'egress_blocked' });
    instance.shareManagedRules(provider);
    await expect((await provider.fetch(url)).text()).resolves.toBe('ok');
    instance.setManagedRules([]);
    await expect(provider.fetch(url)).rejects.toMatchObject({ code: 'egress_blocked' });
    // The follower's own rule is its own: the instance client never gained it.
    expect((await provider.check(`http://local.test:${port}/`)).allowed).toBe(true);
    await instance.close();
    await provider.close();
  });

  it('does not reuse a kept-alive connection to a host whose rule was removed', async () => {
    const client = createEgressClient({ lookup });
    const url = `http://local.test:${port}/`;
    await expectAllowedUntilRuleRemoved(client, url, 'local.test');
  });

  it('keeps configured rules whatever the managed ones, and keeps the previous managed list when a new one has a bad rule', async () => {
    const client = createEgressClient({ allowedHosts: ['127.0.0.1'] });
    client.setManagedRules(['10.0.0.0/8']);
    expect(() => client.setManagedRules(['192.168.0.0/16', 'http://bad'])).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    await expect(client.check('http://10.1.2.3/')).resolves.toEqual({ allowed: true });
    await expect(client.check('http://192.168.1.1/')).resolves.toMatchObject({ allowed: false });
    client.setManagedRules([]);
    await expect(client.check('http://10.1.2.3/')).resolves.toMatchObject({ allowed: false });
    await expect(client.check('http://127.0.0.1/')).resolves.toEqual({ allowed: true });
    await client.close();
  });

  it('fails with egress_failed after close', async () => {
    const client = createEgressClient({ allowedHosts: ['127.0.0.1'] });
    await client.close();
    await expect(client.fetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'egress_failed' });
  });
});
