import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

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
 * The path without its query string (which can carry tokens), and for a route that takes a token in its path
 * (`/api/invitations/:token`) the route's pattern instead, so the token stays out of the log.
 */
export const loggedPath = (request: Pick<FastifyRequest, 'url'> & { routeOptions?: { url?: string } }): string => {
  const pattern = request.routeOptions?.url;
  if (pattern !== undefined && /:\w*token\b/i.test(pattern)) return pattern;
  return request.url.split('?')[0] ?? request.url;
};

/**
 * One line per request, written when the response is finished (`GET /api/workspaces 200 4 ms`), instead of
 * Fastify's two ("incoming request" and "request completed") and its separate "route not found". The path is
 * logged without its query string, which can carry tokens (invitation links). Given to Fastify as `logController`.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const path = loggedPath(request);
    const level = error ? 'error' : requestLogLevel(request.method, path, reply.statusCode);
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    reply.log[level](
      { method: request.method, url: path, statusCode: reply.statusCode, responseTime: ms, ip: request.ip, ...(error ? { err: error } : {}) },
      `${request.method} ${path} ${reply.statusCode} ${ms} ms${error ? ` (${error.message})` : ''}`,
    );
  }
}
