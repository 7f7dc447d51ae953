import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Requests that happen all the time and say nothing to the person watching the terminal: health checks (the
 * dashboard's indicator, load balancers), Prometheus scrapes, and the web app's static files. Logged at debug.
 */
export const isQuietRequest = (method: string, url: string): boolean => {
  const path = url.split('?')[0] ?? '';
  if (path === '/api/health' || path === '/metrics') return true;
  if (method !== 'GET' && method !== 'HEAD') return false;
  // The API reference's files and the web app's (hashed assets, icons, the manifest, the service worker).
  if (path.startsWith('/api/docs/static/') || path.startsWith('/assets/')) return true;
  return !path.startsWith('/api/') && /\.[a-z0-9]{1,8}$/i.test(path);
};

/** The level of a finished request's line: errors stand out, the routine stays at debug. */
export const requestLogLevel = (method: string, url: string, statusCode: number): 'debug' | 'info' | 'warn' | 'error' => {
  if (statusCode >= 500) return 'error';
  if (isQuietRequest(method, url)) return 'debug';
  return 'info';
};

/**
 * One line per request, written when the response is finished (`GET /api/workspaces 200 4 ms`), instead of
 * Fastify's two ("incoming request" and "request completed"). Needs `disableRequestLogging: true`. The path is
 * logged without its query string, which can carry tokens (invitation links).
 */
export const registerRequestLogging = (app: FastifyInstance): void => {
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const path = request.url.split('?')[0] ?? request.url;
    const level = requestLogLevel(request.method, path, reply.statusCode);
    // Fastify's logger type omits pino's isLevelEnabled; without a logger (tests) the no-op logger has none.
    const { isLevelEnabled } = request.log as unknown as { isLevelEnabled?: (level: string) => boolean };
    if (isLevelEnabled?.call(request.log, level) !== false) {
      const ms = Math.round(reply.elapsedTime * 10) / 10;
      request.log[level](
        { method: request.method, url: path, statusCode: reply.statusCode, responseTime: ms, ip: request.ip },
        `${request.method} ${path} ${reply.statusCode} ${ms} ms`,
      );
    }
    done();
  });
};
