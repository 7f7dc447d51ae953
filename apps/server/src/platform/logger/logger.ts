import type { LoggerOptions } from 'pino';

/**
 * Paths pino replaces with `[redacted]` in every log line. Secrets must not reach logs even when a whole
 * request, config or error object is logged by mistake.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.secret',
  '*.secretKey',
  '*.token',
  '*.apiKey',
  '*.metricsToken',
  '*.databaseUrl',
  '*.redisUrl',
  'config.secretKey',
  'config.metricsToken',
];

export const createLoggerOptions = (level: string): LoggerOptions => ({
  level,
  redact: { paths: redactedPaths, censor: '[redacted]' },
  base: { service: 'stead' },
  timestamp: () => `,"time":"${new Date().toISOString()}"`,
  serializers: {
    req: (request: { id: string; method: string; url: string; ip?: string }) => ({
      id: request.id,
      method: request.method,
      // Query strings can carry tokens (invitation links); log the path only.
      url: request.url.split('?')[0],
      ip: request.ip,
    }),
  },
});
