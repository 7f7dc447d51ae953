import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { LookupFunction } from 'node:net';
import { domainToASCII } from 'node:url';
import { Agent, buildConnector, fetch as undiciFetch, Headers as UndiciHeaders } from 'undici';
import type { RequestInit as UndiciRequestInit } from 'undici';
import { isSteadError, SteadError } from '../errors/stead-error.ts';
import type { EgressClient, EgressFetch, EgressRequestInit } from './egress.port.ts';
import { becomesGet, bodyHeaders, credentialHeaders, describeError, nextHop, redirectStatuses, timeoutError } from './egress-redirects.ts';
import { createLeanRequest } from './egress-request.ts';

export interface EgressClientOptions {
  /**
   * Destinations allowed although private: host names (exact, case-insensitive; whatever the name resolves to is
   * allowed), IP addresses or CIDR ranges. From config `egressAllowedHosts`. Default none.
   */
  allowedHosts?: string[];
  /** DNS lookup with the signature of node's `dns.lookup`; tests inject one. Default `dns.lookup`. */
  lookup?: LookupFunction;
  /** Default for `EgressRequestInit.timeoutMs`: the whole exchange, all hops and the body. Default 30,000 ms. */
  defaultTimeoutMs?: number;
  /** Default for `EgressRequestInit.maxRedirects`. Default 5. */
  maxRedirects?: number;
  /** Sent as `User-Agent` when the caller sets none. Default: undici's own. */
  userAgent?: string;
}

/** Why an address is refused; used in the error message, so worded for an administrator. */
export type BlockedAddressKind =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'carrier-grade NAT'
  | 'link-local'
  | 'cloud metadata'
  | 'reserved'
  | 'benchmarking'
  | 'multicast'
  | 'broadcast'
  | 'unique-local'
  | 'site-local'
  | 'documentation'
  | 'IPv4-compatible'
  | 'tunnel'
  | 'unrecognised';

interface AddressRange {
  bytes: Uint8Array;
  prefix: number;
}

export type AllowRule = { kind: 'name'; name: string } | { kind: 'range'; range: AddressRange };

const parseIpv4 = (text: string): Uint8Array | undefined => (isIPv4(text) ? Uint8Array.from(text.split('.'), Number) : undefined);

const parseIpv6 = (text: string): Uint8Array | undefined => {
  // Lookups may answer link-local addresses with a zone (`fe80::1%eth0`); the zone does not change the class.
  const bare = text.split('%')[0] ?? '';
  if (!isIPv6(bare)) return undefined;
  let hex = bare;
  const lastColon = bare.lastIndexOf(':');
  const tail = bare.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIpv4(tail);
    if (v4 === undefined) return undefined;
    hex = `${bare.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const [left = '', right] = hex.split('::');
  const groupsOf = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const leftGroups = groupsOf(left);
  const rightGroups = right === undefined ? [] : groupsOf(right);
  const groups =
    right === undefined ? leftGroups : [...leftGroups, ...Array<string>(8 - leftGroups.length - rightGroups.length).fill('0'), ...rightGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    const value = Number.parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
};

const stripBrackets = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** IPv4 as 4 bytes or IPv6 as 16; undefined when the text is not an IP address. Accepts `[v6]`. */
const parseIp = (text: string): Uint8Array | undefined => {
  const bare = stripBrackets(text);
  return parseIpv4(bare) ?? parseIpv6(bare);
};

const range = (cidr: string): AddressRange => {
  const [address = '', prefix = ''] = cidr.split('/');
  const bytes = parseIp(address);
  if (bytes === undefined) throw new Error(`Bad built-in range ${cidr}`);
  return { bytes, prefix: Number(prefix) };
};

const inRange = (address: Uint8Array, { bytes, prefix }: AddressRange): boolean => {
  if (address.length !== bytes.length) return false;
  for (let index = 0, bits = prefix; bits > 0; index += 1, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((address[index]! & mask) !== (bytes[index]! & mask)) return false;
  }
  return true;
};

// Most specific first: the first match names the kind. Drawn from IANA's special-purpose address registries
// (every entry that is not globally reachable); see docs/security.md.
const blockedRanges: ReadonlyArray<readonly [AddressRange, BlockedAddressKind]> = [
  [range('169.254.169.254/32'), 'cloud metadata'],
  [range('255.255.255.255/32'), 'broadcast'],
  [range('0.0.0.0/8'), 'unspecified'],
  [range('10.0.0.0/8'), 'private'],
  [range('100.64.0.0/10'), 'carrier-grade NAT'],
  [range('127.0.0.0/8'), 'loopback'],
  [range('169.254.0.0/16'), 'link-local'],
  [range('172.16.0.0/12'), 'private'],
  // Holds Oracle Cloud's metadata address 192.0.0.192.
  [range('192.0.0.0/24'), 'reserved'],
  // Documentation ranges: nothing public answers there, but a private network may use them for its own hosts.
  [range('192.0.2.0/24'), 'documentation'],
  [range('198.51.100.0/24'), 'documentation'],
  [range('203.0.113.0/24'), 'documentation'],
  // The deprecated 6to4 relay anycast range: whoever answers there relays into IPv6 networks we cannot judge.
  [range('192.88.99.0/24'), 'reserved'],
  [range('192.168.0.0/16'), 'private'],
  [range('198.18.0.0/15'), 'benchmarking'],
  [range('224.0.0.0/4'), 'multicast'],
  [range('240.0.0.0/4'), 'reserved'],
  [range('::/128'), 'unspecified'],
  [range('::1/128'), 'loopback'],
  // IPv4-compatible IPv6 (`::127.0.0.1`), deprecated: some stacks still reach the IPv4 address it carries.
  [range('::/96'), 'IPv4-compatible'],
  // Local-use NAT64: translates into the operator's own IPv4 network.
  [range('64:ff9b:1::/48'), 'private'],
  [range('100::/64'), 'reserved'],
  // Teredo: the address carries the IPv4 address of the host behind the tunnel, obfuscated.
  [range('2001::/32'), 'tunnel'],
  [range('2001:2::/48'), 'benchmarking'],
  [range('2001:10::/28'), 'reserved'],
  [range('2001:db8::/32'), 'documentation'],
  [range('3fff::/20'), 'documentation'],
  [range('fc00::/7'), 'unique-local'],
  [range('fe80::/10'), 'link-local'],
  // Deprecated, but still routed by some stacks.
  [range('fec0::/10'), 'site-local'],
  [range('ff00::/8'), 'multicast'],
];

// Every globally routed IPv6 unicast address is in 2000::/3; anything else not named above is reserved.
const ipv6GlobalUnicast = range('2000::/3');

// IPv6 forms that carry an IPv4 address and reach it: IPv4-mapped (the local IPv4 stack) and NAT64 (the IPv4
// network behind the translator) in their last 32 bits, 6to4 in bits 16-47 (a 6to4 interface or relay sends
// to that IPv4 address). Judged by the IPv4 address they carry.
const embeddingRanges = [range('::ffff:0:0/96'), range('64:ff9b::/96')];
const sixToFour = range('2002::/16');

const embeddedIpv4 = (bytes: Uint8Array): Uint8Array | undefined => {
  if (bytes.length !== 16) return undefined;
  if (embeddingRanges.some((embedding) => inRange(bytes, embedding))) return bytes.subarray(12);
  return inRange(bytes, sixToFour) ? bytes.subarray(2, 6) : undefined;
};

const classifyBytes = (bytes: Uint8Array): BlockedAddressKind | undefined => {
  const effective = embeddedIpv4(bytes) ?? bytes;
  const kind = blockedRanges.find(([blocked]) => inRange(effective, blocked))?.[1];
  if (kind !== undefined) return kind;
  return effective.length === 16 && !inRange(effective, ipv6GlobalUnicast) ? 'reserved' : undefined;
};

/**
 * The class of a destination address that egress refuses unless allowed, or undefined for a public address.
 * Text that is not an IP address is `unrecognised` (refused), so an odd lookup answer never slips through.
 */
export const classifyAddress = (address: string): BlockedAddressKind | undefined => {
  const bytes = parseIp(address);
  return bytes === undefined ? 'unrecognised' : classifyBytes(bytes);
};

// Names that reach cloud metadata services without resolving to a blocked address on every resolver.
const blockedNames = new Set(['metadata.google.internal']);

/** RFC 6761: `localhost` and every name under it are the loopback interface, whatever a resolver answers. */
const isLocalhostName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost');

const hostNamePattern = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * Lower case, no IPv6 brackets, and one trailing dot removed (`localhost.` is the fully qualified spelling of
 * `localhost`): how URL host names and name rules are compared, before every check.
 */
const normalizeHost = (host: string): string => stripBrackets(host.toLowerCase()).replace(/\.$/, '');

/**
 * The name to resolve: the URL's own (a trailing dot keeps its DNS meaning of "no search domains"), except a
 * localhost name, which resolvers disagree about (`localhost.` fails on glibc) and which means loopback anyway.
 */
const lookupNameOf = (hostname: string): string => (isLocalhostName(normalizeHost(hostname)) ? 'localhost' : hostname);

const invalidRule = (rule: string, why: string): SteadError =>
  new SteadError('validation_failed', `Egress allow rule "${rule}" is not valid: ${why}`, { details: { rule } });

/** Parses an allow rule: a host name, an IP address or a CIDR range. Throws `validation_failed`. */
export const parseAllowRule = (rule: string): AllowRule => {
  const text = rule.trim();
  if (text.includes('/')) {
    const [address = '', prefixText = '', ...rest] = text.split('/');
    const bytes = parseIp(address);
    if (bytes === undefined || rest.length > 0 || !/^\d{1,3}$/.test(prefixText)) throw invalidRule(rule, 'expected an address/prefix range');
    const prefix = Number(prefixText);
    if (prefix > bytes.length * 8) throw invalidRule(rule, `prefix longer than ${bytes.length * 8} bits`);
    return { kind: 'range', range: { bytes, prefix } };
  }
  const bytes = parseIp(text);
  if (bytes !== undefined) return { kind: 'range', range: { bytes, prefix: bytes.length * 8 } };
  const name = normalizeHost(domainToASCII(text.toLowerCase()));
  if (!hostNamePattern.test(name)) throw invalidRule(rule, 'expected a host name, an IP address or a CIDR range');
  // URL parsing reads a numeric last label as IPv4 (`http://2130706433/`), so such a name never matches a URL.
  if (/^(?:0x[0-9a-f]*|\d+)$/.test(name.split('.').at(-1) ?? '')) throw invalidRule(rule, 'looks like an IP address but is not one');
  return { kind: 'name', name };
};

const isReplayable = (body: unknown): boolean =>
  body === undefined ||
  body === null ||
  typeof body === 'string' ||
  body instanceof ArrayBuffer ||
  ArrayBuffer.isView(body) ||
  body instanceof URLSearchParams ||
  body instanceof Blob ||
  body instanceof FormData;


/**
 * The egress client: undici with a connector that checks every address actually connected to (IP literals
 * before connecting, names inside the DNS lookup the socket uses, so a rebinding answer is caught), and
 * redirects followed by hand so every hop is checked again.
 */
export const createEgressClient = (options: EgressClientOptions = {}): EgressClient => {
  const baseLookup: LookupFunction = options.lookup ?? (dnsLookup as LookupFunction);
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
  const defaultMaxRedirects = options.maxRedirects ?? 5;
  // Two sets of rules: the fixed ones (options and `allow`, only ever added to) and the managed ones (the
  // instance's stored list, replaced as a whole by `setManagedRules`). Checks read the union, rebuilt on change.
  const fixedRules: AllowRule[] = [];
  let managedRules: AllowRule[] = [];
  let allowedNames = new Set<string>();
  let allowedRanges: AddressRange[] = [];
  // IP literals found allowed (a loopback model server on every gateway call): classifying one walks every
  // blocked range, so the verdict is remembered. Cleared whenever a rule may have been removed. Bounded.
  const allowedLiterals = new Set<string>();

  const rebuild = (): void => {
    const rules = [...fixedRules, ...managedRules];
    allowedNames = new Set(rules.flatMap((rule) => (rule.kind === 'name' ? [rule.name] : [])));
    allowedRanges = rules.flatMap((rule) => (rule.kind === 'range' ? [rule.range] : []));
  };

  const allow = (rule: string): void => {
    fixedRules.push(parseAllowRule(rule));
    rebuild();
  };
  for (const rule of options.allowedHosts ?? []) fixedRules.push(parseAllowRule(rule));
  rebuild();

  let managedTexts: readonly string[] = [];
  const followers = new Set<WeakRef<Pick<EgressClient, 'setManagedRules'>>>();
  const setManagedRules = (rules: readonly string[]): void => {
    // Parse every rule before replacing any, so one bad rule leaves the previous list in force.
    const parsed = rules.map(parseAllowRule);
    const removedAny = managedTexts.some((rule) => !rules.includes(rule));
    managedRules = parsed;
    managedTexts = [...rules];
    rebuild();
    allowedLiterals.clear();
    if (removedAny) replaceAgent();
    for (const reference of followers) {
      const follower = reference.deref();
      if (follower) follower.setManagedRules(rules);
      else followers.delete(reference);
    }
  };
  const shareManagedRules = (follower: Pick<EgressClient, 'setManagedRules'>): void => {
    followers.add(new WeakRef(follower));
    follower.setManagedRules(managedTexts);
  };

  const refusal = (host: string, address: string, kind: BlockedAddressKind): SteadError =>
    new SteadError(
      'egress_blocked',
      `Refused to connect to ${host} (${address}): ${kind} address. An instance administrator can allow it in Instance settings → Allowed hosts (or with STEAD_EGRESS_ALLOWED_HOSTS)`,
      { details: { host, address, kind } },
    );

  /** Checks one address a request would connect to; `host` is what the caller asked for, for the message. */
  const refuseAddress = (host: string, address: string): SteadError | undefined => {
    const bytes = parseIp(address);
    if (bytes === undefined) return refusal(host, address, 'unrecognised');
    const kind = classifyBytes(bytes);
    if (kind === undefined) return undefined;
    const effective = embeddedIpv4(bytes);
    const allowed = allowedRanges.some((allowedRange) => inRange(bytes, allowedRange) || (effective !== undefined && inRange(effective, allowedRange)));
    return allowed ? undefined : refusal(host, address, kind);
  };

  /**
   * What is decided by policy, without DNS: IP literals, blocked names, and localhost names (loopback, so
   * refused unless the name or the loopback address is allowed), whatever their spelling or trailing dot.
   */
  const refuseHost = (hostname: string): SteadError | undefined => {
    const host = normalizeHost(hostname);
    if (allowedLiterals.has(host)) return undefined;
    if (isIP(host) !== 0) {
      const refused = refuseAddress(hostname, host);
      if (!refused && allowedLiterals.size < 1_000) allowedLiterals.add(host);
      return refused;
    }
    if (allowedNames.has(host)) return undefined;
    if (blockedNames.has(host)) return refusal(hostname, host, 'cloud metadata');
    if (isLocalhostName(host)) return refuseAddress(hostname, '127.0.0.1');
    return undefined;
  };

  const resolveAll = (hostname: string, lookupOptions: Parameters<LookupFunction>[1], callback: (error: Error | null, addresses: LookupAddress[]) => void): void => {
    try {
      baseLookup(lookupNameOf(hostname), { ...lookupOptions, all: true }, (error, answer) => {
        if (error) return callback(error, []);
        const addresses = typeof answer === 'string' ? [{ address: answer, family: isIP(answer) }] : answer;
        if (addresses.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
        callback(null, addresses);
      });
    } catch (error) {
      callback(error as Error, []);
    }
  };

  /** Resolves a name and checks every answer; refusing when any answer is blocked keeps the outcome independent of which one the socket tries. */
  const checkedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    if (allowedNames.has(normalizeHost(hostname))) return baseLookup(lookupNameOf(hostname), lookupOptions, callback);
    resolveAll(hostname, lookupOptions, (error, addresses) => {
      if (error) return callback(error, '');
      for (const { address } of addresses) {
        const refused = refuseAddress(hostname, address);
        if (refused) return callback(refused, '');
      }
      if (lookupOptions.all) return callback(null, addresses);
      const [first] = addresses as [LookupAddress];
      callback(null, first.address, first.family);
    });
  };

  const connectChecked = buildConnector({ lookup: checkedLookup });
  const createAgent = (): Agent =>
    new Agent({
      connect: (connectOptions, callback) => {
        // The socket skips the lookup for an IP literal, so that address is checked here, before connecting.
        const refused = refuseHost(connectOptions.hostname);
        if (refused) return callback(refused, null);
        connectChecked(connectOptions, callback);
      },
    });
  let agent = createAgent();
  /**
   * A pooled keep-alive connection was checked when it was opened: after a rule is removed, new requests get a
   * fresh pool (so they connect, and are checked, again) while the old one finishes what it carries and closes.
   */
  const replaceAgent = (): void => {
    const previous = agent;
    agent = createAgent();
    void previous.close().catch(() => undefined);
  };

  /** Refusals that need no network: scheme, credentials, IP literals, blocked names. */
  const refuseUrl = (url: URL): SteadError | undefined => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return new SteadError('egress_blocked', `Refused to fetch ${url.protocol} URL: only http and https are allowed`, { details: { protocol: url.protocol } });
    }
    if (url.username !== '' || url.password !== '') {
      return new SteadError('egress_blocked', `Refused to fetch a URL with credentials in it (${url.host}): send them in a header instead`, { details: { host: url.host } });
    }
    return refuseHost(url.hostname);
  };

  const send = async (url: URL, init: UndiciRequestInit, signal: AbortSignal): Promise<Awaited<ReturnType<typeof undiciFetch>>> => {
    try {
      return await undiciFetch(url, { ...init, signal, redirect: 'manual', dispatcher: agent });
    } catch (error) {
      // The caller's own abort reason, or the timeout's egress_failed, as the signal carries it.
      if (signal.aborted) throw signal.reason;
      // undici reports network failures (including a refusal thrown in the connect path) as `TypeError('fetch
      // failed')` with the real error as `cause`; other errors are the caller's (bad header) and pass as they are.
      if (!(error instanceof TypeError && error.message === 'fetch failed')) throw error;
      const cause: unknown = error.cause ?? error;
      if (isSteadError(cause)) throw cause;
      throw new SteadError('egress_failed', `Request to ${url.origin} failed: ${describeError(cause)}`, { cause, details: { origin: url.origin } });
    }
  };

  const fetch: EgressFetch = async (input, init = {}) => {
    // `dispatcher` and `redirect` are dropped: a caller must not route around the checks.
    const { timeoutMs = defaultTimeoutMs, maxRedirects = defaultMaxRedirects, signal: callerSignal, ...rest } = init;
    const { dispatcher: _dispatcher, redirect: _redirect, ...requestInit } = rest as EgressRequestInit & { dispatcher?: unknown; redirect?: unknown };
    let url = new URL(input);
    let method = (requestInit.method ?? 'GET').toUpperCase();
    let body = requestInit.body;
    const headers = new UndiciHeaders(requestInit.headers as ConstructorParameters<typeof UndiciHeaders>[0]);
    if (options.userAgent !== undefined && !headers.has('user-agent')) headers.set('user-agent', options.userAgent);

    const timeout = new AbortController();
    // Aborting with a SteadError makes undici reject the fetch, or error the body stream, with it.
    const timer = setTimeout(() => timeout.abort(timeoutError(url, timeoutMs)), timeoutMs);
    // The timer covers the body too, so it outlives this call; it must not keep the process alive.
    timer.unref();
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout.signal]) : timeout.signal;

    try {
      for (let redirects = 0; ; redirects += 1) {
        const refused = refuseUrl(url);
        if (refused) throw refused;
        const response = await send(url, { ...(requestInit as UndiciRequestInit), method, headers, body: body as UndiciRequestInit['body'] }, signal);
        const location = response.headers.get('location');
        if (!redirectStatuses.has(response.status) || location === null || maxRedirects === 0) {
          if (redirects > 0) Object.defineProperty(response, 'redirected', { value: true });
          if (response.body === null) clearTimeout(timer);
          // undici's Response is the same class Node's global fetch returns, from a newer copy of undici.
          return response as unknown as Response;
        }
        // Free the connection: nobody reads a redirect's body.
        await response.body?.cancel().catch(() => undefined);
        const next = nextHop(url, location, redirects, maxRedirects);
        if (becomesGet(response.status, method)) {
          method = 'GET';
          body = undefined;
          for (const name of bodyHeaders) headers.delete(name);
        } else if (!isReplayable(body)) {
          throw new SteadError('egress_failed', `Request to ${url.origin} failed: a ${response.status} redirect needs the streamed body sent again`, {
            details: { origin: url.origin, status: response.status },
          });
        }
        if (next.origin !== url.origin) for (const name of credentialHeaders) headers.delete(name);
        url = next;
      }
    } catch (error) {
      clearTimeout(timer);
      throw error;
    }
  };

  const check: EgressClient['check'] = async (input) => {
    const url = new URL(input);
    const refused = refuseUrl(url);
    if (refused) return { allowed: false, reason: refused.message };
    const host = normalizeHost(url.hostname);
    if (isIP(host) !== 0 || allowedNames.has(host)) return { allowed: true };
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) => {
      resolveAll(url.hostname, {}, (error, answer) => (error ? reject(error) : resolve(answer)));
    }).catch((error: unknown) => {
      throw new SteadError('egress_failed', `Could not resolve ${url.hostname}: ${describeError(error)}`, { cause: error, details: { host: url.hostname } });
    });
    for (const { address } of addresses) {
      const refusedAddress = refuseAddress(url.hostname, address);
      if (refusedAddress) return { allowed: false, reason: refusedAddress.message };
    }
    return { allowed: true };
  };

  return {
    fetch,
    request: createLeanRequest({ agent: () => agent, refuseUrl, defaultTimeoutMs, defaultMaxRedirects, userAgent: options.userAgent }),
    check,
    allow,
    setManagedRules,
    shareManagedRules,
    close: async () => {
      await agent.close();
    },
  };
};
