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

export type LogFormat = 'auto' | 'pretty' | 'json';

/** `auto` is pretty on a terminal and JSON anywhere else (a pipe, a file, a container's log collector). */
export const resolveLogFormat = (format: LogFormat, output: { isTTY?: boolean } = process.stdout): 'pretty' | 'json' =>
  format === 'auto' ? (output.isTTY === true ? 'pretty' : 'json') : format;

/** Fields the pretty format leaves out of a line: the request line already says them, or nobody reads them there. */
const prettyIgnored = 'pid,hostname,service,reqId,method,url,statusCode,responseTime,ip';

export interface ServerLoggerOptions {
  level: string;
  format: LogFormat;
  /** Where lines go. Default: standard output. Tests pass a stream that collects them. */
  destination?: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * The HTTP server's logger: pino with the redaction above, as JSON or, for people at a terminal, through
 * pino-pretty in this thread (one short line per event: time, level, message). pino-pretty loads only then.
 */
export const createServerLoggerOptions = async ({ level, format, destination }: ServerLoggerOptions): Promise<LoggerOptions & { stream?: NodeJS.WritableStream }> => {
  const options = createLoggerOptions(level);
  const resolved = resolveLogFormat(format, destination ?? process.stdout);
  if (resolved === 'json') return destination ? { ...options, stream: destination } : options;
  const { default: pretty } = await import('pino-pretty');
  const colorize = format === 'auto' || (destination ?? process.stdout).isTTY === true;
  const stream = pretty({
    destination: destination ?? 1,
    colorize,
    translateTime: 'SYS:HH:MM:ss',
    ignore: prettyIgnored,
    singleLine: true,
    sync: true,
  });
  return { ...options, timestamp: true, stream };
};
