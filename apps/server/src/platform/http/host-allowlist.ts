import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SteadError } from '../errors/stead-error.ts';

export interface HostAllowlistOptions {
  /** `STEAD_PUBLIC_URL`: its host is served, and it is the base of every link when set. */
  publicUrl: string | undefined;
  /** `STEAD_HOST`, the listen address; `0.0.0.0` or `::` stand for every address of the machine. */
  listenHost: string;
  /** `STEAD_PORT`, for links when neither a public URL nor an allowed Host is known. */
  listenPort: number;
  /** `STEAD_ALLOWED_HOSTS`: further names (or addresses) the server answers to; `*.example.com` allows subdomains. */
  allowedHosts: readonly string[];
  /** The machine's interface addresses (injectable in tests). Default: `os.networkInterfaces()`. */
  interfaceAddresses?: () => string[];
}

const wildcardAddresses = new Set(['0.0.0.0', '::', '[::]', '']);

/**
 * The hostname of a Host header (or a configured name): port and IPv6 brackets removed, lowercase, without a
 * trailing dot (`Example.COM.:8080` → `example.com`). Undefined for an empty or malformed value.
 */
export const hostnameOf = (host: string | undefined): string | undefined => {
  if (!host) return undefined;
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    if (end < 0) return undefined;
    name = name.slice(1, end);
  } else if (name.split(':').length === 2) {
    name = name.slice(0, name.indexOf(':'));
  }
  // More than one colon without brackets is a bare IPv6 address (a configured value, never a valid Host header).
  name = name.replace(/\.+$/, '');
  return name === '' || /[\s/?#@\\]/.test(name) ? undefined : name;
};

const isLoopback = (name: string): boolean => {
  if (name === 'localhost' || name === '::1') return true;
  const mapped = name.startsWith('::ffff:') ? name.slice('::ffff:'.length) : name;
  return isIP(mapped) === 4 && mapped.startsWith('127.');
};

const machineAddresses = (): string[] =>
  Object.values(networkInterfaces())
    .flat()
    .map((entry) => entry?.address)
    .filter((address): address is string => typeof address === 'string');

/**
 * The one source of truth for which Host names the server answers to, and for the origin its links use. A
 * browser tricked by DNS rebinding sends the attacker's name as Host; refusing every name not listed here (with
 * 421, before authentication or routing) keeps such a page from talking to the server as if it were same-origin.
 * Served: the host of `STEAD_PUBLIC_URL`, the listen address (every interface address when it listens on all),
 * `localhost` and loopback addresses, and `STEAD_ALLOWED_HOSTS`. Ports do not matter; names compare without case
 * and trailing dot.
 */
export interface HostAllowlist {
  allows(host: string | undefined): boolean;
  /**
   * The origin links are built on (invitation URLs): `STEAD_PUBLIC_URL` when set, else the origin the request
   * came to when its Host is served, else the listen address. Never a name the allowlist refuses.
   */
  originFor(request: Pick<FastifyRequest, 'protocol' | 'host'>): string;
}

export const createHostAllowlist = (options: HostAllowlistOptions) : HostAllowlist => {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  const add = (value: string) => {
    // Link-local IPv6 addresses carry a zone (`fe80::1%eth0`); a Host header names them without it.
    const trimmed = value.trim().split('%')[0]!;
    if (trimmed.startsWith('*.')) {
      const name = hostnameOf(trimmed.slice(2));
      if (name) suffixes.push(`.${name}`);
      return;
    }
    const name = hostnameOf(trimmed);
    if (name) exact.add(name);
  };
  if (options.publicUrl) add(new URL(options.publicUrl).host);
  if (wildcardAddresses.has(options.listenHost.trim())) {
    for (const address of (options.interfaceAddresses ?? machineAddresses)()) add(address);
  } else {
    add(options.listenHost);
  }
  for (const host of options.allowedHosts) add(host);

  const allows = (host: string | undefined): boolean => {
    const name = hostnameOf(host);
    if (!name) return false;
    return exact.has(name) || isLoopback(name) || suffixes.some((suffix) => name.endsWith(suffix));
  };

  const listenOrigin = (() => {
    const host = wildcardAddresses.has(options.listenHost.trim()) ? '127.0.0.1' : options.listenHost;
    return `http://${host.includes(':') ? `[${host}]` : host}:${options.listenPort}`;
  })();

  return {
    allows,
    /**
     * The origin links are built on (invitation URLs): `STEAD_PUBLIC_URL` when set, else the origin the request
     * came to when its Host is served, else the listen address. Never a name the allowlist refuses.
     */
    originFor(request: Pick<FastifyRequest, 'protocol' | 'host'>): string {
      if (options.publicUrl) return new URL(options.publicUrl).origin;
      return allows(request.host) ? `${request.protocol}://${request.host}` : listenOrigin;
    },
  };
};


/**
 * Refuses requests whose Host (or `X-Forwarded-Host` behind a trusted proxy: Fastify's `request.host`) is not
 * served, before access control and routing-dependent work. Register it before the access hook.
 */
export const registerHostAllowlist = (app: FastifyInstance, allowlist: HostAllowlist): void => {
  app.addHook('onRequest', async (request) => {
    if (!allowlist.allows(request.host)) {
      throw new SteadError('host_not_allowed', 'This server does not answer to that host name; add it to STEAD_ALLOWED_HOSTS if it is yours');
    }
  });
};
