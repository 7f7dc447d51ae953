// A loopback stand-in for an OpenAI-compatible model server that answers instantly, as cheaply as Node allows:
// node:http, every response body and header set precomputed, no JSON parsing (the request body is scanned for
// `"stream":true`). Run in its own process (`node bench/gateway/upstream.mjs`) so it never shares an event loop
// with the load generator or a gateway; it prints `{"port":N}` on stdout once it listens on 127.0.0.1.
//
// Non-streaming: a fixed chat.completion JSON body (Content-Length). Streaming (`"stream": true` in the body):
// a fixed server-sent event sequence of 20 content chunks, a finish chunk and a usage chunk, then `data: [DONE]`,
// sent with chunked transfer encoding in one write.
import http from 'node:http';

const created = 1_767_225_600;
const id = 'chatcmpl-bench';
const model = 'bench-model';
const usage = { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 };

const completion = Buffer.from(
  JSON.stringify({
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the bench upstream. This answer is fixed.' }, finish_reason: 'stop' }],
    usage,
  }),
);

const chunk = (delta, finishReason = null, extra = {}) =>
  `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra })}\n\n`;
const events = [chunk({ role: 'assistant', content: '' })];
for (let index = 0; index < 20; index++) events.push(chunk({ content: `tok${index} ` }));
events.push(chunk({}, 'stop'));
events.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
events.push('data: [DONE]\n\n');
const stream = Buffer.from(events.join(''));

const jsonHeaders = { 'content-type': 'application/json', 'content-length': String(completion.length) };
const sseHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
const models = Buffer.from(JSON.stringify({ object: 'list', data: [{ id: model, object: 'model', created, owned_by: 'bench' }] }));
const streamPattern = /"stream"\s*:\s*true/;

const server = http.createServer((request, response) => {
  if (request.method === 'GET') {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(models.length) });
    response.end(models);
    return;
  }
  const parts = [];
  request.on('data', (part) => parts.push(part));
  request.on('end', () => {
    const body = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    if (streamPattern.test(body.latin1Slice(0, body.length))) {
      response.writeHead(200, sseHeaders);
      response.end(stream);
    } else {
      response.writeHead(200, jsonHeaders);
      response.end(completion);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(Number(process.env.UPSTREAM_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port, completionBytes: completion.length, streamBytes: stream.length, streamEvents: events.length })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
