import { z } from 'zod';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { idParam, workspaceOf, type SteadApp } from '../../platform/http/http.types.ts';
import { chunkJsonOf, type ChatCompletionRequest, type EmbeddingRequest } from '../../platform/model-provider/model-provider.port.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { chatCompletionBody, dataClasses, embeddingsBody, latencyTiers, type DataClass, type LatencyTier } from './models.schema.ts';
import type { CallerContext, ModelsService } from './models.service.ts';

const gatewayQuery = z.strictObject({ workspaceId: idParam().optional().describe('Required with a session; an API key implies its workspace') });
const gatewayConfig = { workspaceFromQuery: true, auditExempt: 'every call is recorded in the model usage ledger' } as const;

/** `x-stead-data-class` (absent: the key's or workspace's default, resolved by the service) and `x-stead-latency`. */
const callerOf = (request: FastifyRequest, signal: AbortSignal): CallerContext => {
  const header = request.headers['x-stead-data-class'];
  const given = Array.isArray(header) ? header[0] : header;
  if (given !== undefined && !(dataClasses as readonly string[]).includes(given)) {
    throw new SteadError('validation_failed', `x-stead-data-class must be one of ${dataClasses.join(', ')}`, { details: { field: 'x-stead-data-class' } });
  }
  const tierHeader = request.headers['x-stead-latency'];
  const latencyTier = Array.isArray(tierHeader) ? tierHeader[0] : tierHeader;
  if (latencyTier !== undefined && !(latencyTiers as readonly string[]).includes(latencyTier)) {
    throw new SteadError('validation_failed', `x-stead-latency must be one of ${latencyTiers.join(', ')}`, { details: { field: 'x-stead-latency' } });
  }
  const caller = request.caller;
  return {
    dataClass: given as DataClass | undefined,
    latencyTier: latencyTier as LatencyTier | undefined,
    keyId: caller.type === 'key' ? caller.keyId : null,
    userId: caller.type === 'key' ? caller.ownerUserId : caller.type === 'user' ? caller.user.id : null,
    signal,
  };
};

/**
 * An AbortSignal that fires when the client goes away before the answer is complete, so upstream calls stop
 * with it. (The request's own `close` fires as soon as its body has been read, so the response is watched.)
 */
const clientGone = (reply: FastifyReply): AbortSignal => {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new SteadError('client_closed', 'The client closed the connection before the answer was complete'));
  });
  return controller.signal;
};

/**
 * The OpenAI-compatible endpoint: `/v1/chat/completions`, `/v1/embeddings`, `/v1/models`, authenticated by a
 * Stead API key. Streams are server-sent events in OpenAI's format; a failure after the first chunk is sent as
 * an `error` object in the stream (the client already has tokens, so no other target can take over).
 */
export const registerOpenAiEndpointRoutes = (app: SteadApp, { models }: { models: ModelsService }): void => {
  app.get('/v1/models', {
    config: { permission: 'models:read', workspaceFromQuery: true },
    schema: { tags: ['gateway'], summary: 'OpenAI-compatible model list: every model as `<provider>/<model>`', querystring: gatewayQuery },
  }, async (request) => {
    const list = await models.listModels(workspaceOf(request).workspaceId);
    return { object: 'list', data: list.map((model) => ({ id: model.qualifiedName, object: 'model', created: Math.floor(Date.parse('2026-01-01') / 1000), owned_by: model.providerName })) };
  });

  app.post('/v1/chat/completions', {
    config: { permission: 'models:use', ...gatewayConfig },
    schema: { tags: ['gateway'], summary: 'OpenAI-compatible chat completions (streaming, tools, response_format), routed by data class and capability', querystring: gatewayQuery, body: chatCompletionBody },
  }, async (request, reply) => {
    const { workspaceId } = workspaceOf(request);
    const body = request.body as unknown as ChatCompletionRequest;
    const caller = callerOf(request, clientGone(reply));
    if (!body.stream) {
      const { stead, ...completion } = await models.chat(workspaceId, body, caller);
      void reply.header('x-stead-target', stead.target);
      if (stead.cache) void reply.header('x-stead-cache', stead.cache);
      return completion;
    }
    const opened = await models.streamChat(workspaceId, body, caller);
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      'x-stead-target': opened.target,
    });
    // Events that arrive in the same tick (an upstream often sends many in one packet) leave in one write: one
    // chunk of the chunked encoding instead of one per event.
    let pending = '';
    const flush = () => {
      if (pending === '') return;
      raw.write(pending);
      pending = '';
    };
    const send = (event: string) => {
      if (pending === '') process.nextTick(flush);
      pending += event;
    };
    try {
      for await (const chunk of opened.chunks) send(`data: ${chunkJsonOf(chunk)}\n\n`);
      send('data: [DONE]\n\n');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = error instanceof SteadError ? error.code : 'provider_error';
      send(`data: ${JSON.stringify({ error: { message: `The upstream failed after the stream started: ${message}`, type: 'server_error', code } })}\n\n`);
    }
    raw.end(pending);
    pending = '';
  });

  app.post('/v1/embeddings', {
    config: { permission: 'models:use', ...gatewayConfig },
    schema: { tags: ['gateway'], summary: 'OpenAI-compatible embeddings', querystring: gatewayQuery, body: embeddingsBody },
  }, async (request, reply) => {
    const { workspaceId } = workspaceOf(request);
    return models.embed(workspaceId, request.body as unknown as EmbeddingRequest, callerOf(request, clientGone(reply)));
  });
};
