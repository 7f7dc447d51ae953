import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * Takes the response over from Fastify and starts a `text/event-stream` on it: the headers Fastify already set
 * (request id, security, CORS) and those that keep proxies from buffering or transforming the stream, then
 * `extraHeaders`. The caller writes the events and ends the response.
 */
export const openEventStream = (reply: FastifyReply, extraHeaders: Record<string, string> = {}): ServerResponse => {
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    ...extraHeaders,
  });
  return raw;
};
