import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SteadError } from '../errors/stead-error.ts';
import type { AccessPolicy, RoutePermission, WorkspaceRole } from './permissions.ts';
import type { Caller, SessionUser } from './request-context.ts';
import { idPattern } from './http.types.ts';

/** How the access hook learns who a request comes from; implemented by the auth, keys and workspaces services. */
export interface AccessResolver {
  /** The signed-in user of a session cookie, or null when the cookie is missing, expired or revoked. */
  sessionFromHeaders(headers: Headers): Promise<{ user: SessionUser; sessionId: string } | null>;
  /** The workspace API key a bearer token stands for, or null when unknown, revoked or expired. */
  keyFromToken(token: string): Promise<Extract<Caller, { type: 'key' }> | null>;
  memberRole(workspaceId: string, userId: string): Promise<WorkspaceRole | null>;
}

export interface RouteInventoryEntry {
  method: string;
  url: string;
  permission: RoutePermission;
  audit: string | undefined;
  /** The workspace comes from `?workspaceId=` (or the API key) instead of the path. */
  workspaceFromQuery: boolean;
}

export interface AccessControlOptions {
  resolver: AccessResolver;
  /** The workspace permissions the features declared, and which roles hold them. */
  policy: AccessPolicy;
  /** Origins besides the server's own that may send cookie-authenticated, state-changing requests. */
  trustedOrigins: readonly string[];
  /** Name of the session cookie; a request without it skips the session lookup. */
  sessionCookieName: string;
  /** Routes registered by third-party plugins (API reference, static files) that are declared public here. */
  isPublicPluginRoute: (url: string) => boolean;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyInstance {
    routeInventory: RouteInventoryEntry[];
  }
}

/**
 * Establishes the caller of every request and enforces the route's declared permission, before the body is
 * even parsed (so an anonymous caller learns nothing about a route's schema). Also the CSRF defence for
 * cookie sessions: state-changing requests must come from the server's own origin or a trusted one.
 */
export const registerAccessControl = (app: FastifyInstance, options: AccessControlOptions): void => {
  const inventory: RouteInventoryEntry[] = [];
  app.decorate('routeInventory', inventory);
  app.decorateRequest('caller');
  app.decorateRequest('workspaceAccess');
  app.decorateRequest('auditDetails');

  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    const config = (route.config ?? {}) as { permission?: RoutePermission; audit?: string; auditExempt?: string; workspaceFromQuery?: boolean };
    if (!config.permission) {
      if (options.isPublicPluginRoute(route.url)) {
        route.config = { ...route.config, permission: 'public' };
        config.permission = 'public';
      } else {
        throw new Error(`Route ${methods.join(',')} ${route.url} declares no permission (config.permission)`);
      }
    }
    const known = ['public', 'user', 'admin'].includes(config.permission) || options.policy.isWorkspacePermission(config.permission);
    if (!known) throw new Error(`Route ${methods.join(',')} ${route.url} declares the permission ${config.permission}, which no feature declares`);
    if (options.policy.isWorkspacePermission(config.permission) && !route.url.includes(':workspaceId') && !config.workspaceFromQuery) {
      throw new Error(`Route ${route.url} needs ${config.permission} but has no :workspaceId parameter`);
    }
    const changesState = methods.some((method) => !safeMethods.has(method));
    if (changesState && !config.audit && !config.auditExempt) {
      throw new Error(`State-changing route ${methods.join(',')} ${route.url} declares no audit action (config.audit) nor why it needs none (config.auditExempt)`);
    }
    for (const method of methods) {
      if (method === 'HEAD') continue;
      inventory.push({ method, url: route.url, permission: config.permission, audit: config.audit, workspaceFromQuery: config.workspaceFromQuery === true });
    }
  });

  const ownOrigin = (request: FastifyRequest) => `${request.protocol}://${request.host}`;
  const originAllowed = (request: FastifyRequest, origin: string) => origin === ownOrigin(request) || options.trustedOrigins.includes(origin);
  const requestOrigin = (request: FastifyRequest): string | undefined => {
    const origin = request.headers.origin;
    if (origin && origin !== 'null') return origin;
    const referer = request.headers.referer;
    if (!referer) return undefined;
    try {
      return new URL(referer).origin;
    } catch {
      return undefined;
    }
  };

  const identify = async (authorization: string | undefined, hasSessionCookie: boolean, request: FastifyRequest): Promise<Caller> => {
    if (authorization?.startsWith('Bearer ')) {
      const key = await options.resolver.keyFromToken(authorization.slice('Bearer '.length).trim());
      if (!key) throw new SteadError('unauthenticated', 'The API key is invalid, expired or revoked');
      return key;
    }
    if (hasSessionCookie) {
      const session = await options.resolver.sessionFromHeaders(toHeaders(request));
      if (session) return { type: 'user', ...session };
    }
    return { type: 'anonymous' };
  };

  app.addHook('onRequest', async (request) => {
    request.caller = { type: 'anonymous' };
    const permission = request.routeOptions.config.permission;
    if (!permission) return; // 404 handler

    const authorization = request.headers.authorization;
    const hasSessionCookie = request.headers.cookie?.includes(options.sessionCookieName) ?? false;
    // Public routes need no caller; their own bearer tokens (the metrics token) are not API keys.
    if (permission !== 'public') request.caller = await identify(authorization, hasSessionCookie, request);

    if (!safeMethods.has(request.method)) {
      const origin = requestOrigin(request);
      const cookieBound = request.caller.type === 'user' || (permission === 'public' && hasSessionCookie);
      if (origin ? !originAllowed(request, origin) : cookieBound) {
        throw new SteadError('csrf_rejected', 'Cross-site request refused: the Origin header is missing or not an allowed origin');
      }
    }

    if (permission === 'public') return;
    const caller = request.caller;
    if (caller.type === 'anonymous') throw new SteadError('unauthenticated', 'Sign in or send an API key (Authorization: Bearer)');

    if (permission === 'user' || permission === 'admin') {
      if (caller.type !== 'user') throw new SteadError('forbidden', 'This route needs a signed-in user; API keys are not accepted');
      if (permission === 'admin' && !caller.user.isAdmin) throw new SteadError('forbidden', 'Only instance administrators may do this');
      return;
    }

    const workspaceId =
      (request.params as { workspaceId?: string }).workspaceId ??
      (request.routeOptions.config.workspaceFromQuery ? (request.query as { workspaceId?: string }).workspaceId : undefined) ??
      (caller.type === 'key' ? caller.workspaceId : '');
    // This hook runs before the route's schema: an id no workspace can have (a NUL byte, which PostgreSQL
    // refuses in text, a space, 10 KB) is answered here without a query.
    const plausible = workspaceId.length <= 64 && idPattern.test(workspaceId);
    const role = !plausible
      ? null
      : caller.type === 'key'
        ? caller.workspaceId === workspaceId ? caller.role : null
        : await options.resolver.memberRole(workspaceId, caller.user.id);
    // Another workspace's credentials learn nothing, not even whether the workspace exists.
    if (!role) throw new SteadError('workspace_not_found', 'Workspace not found');
    if (!options.policy.grants(role, permission)) throw new SteadError('forbidden', `The ${role} role does not grant ${permission}`);
    request.workspaceAccess = { workspaceId, role };
  });
};

export const toHeaders = (request: FastifyRequest): Headers => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of [value].flat()) headers.append(name, item);
  }
  return headers;
};
