import { z } from 'zod';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { openEventStream } from '../../platform/http/event-stream.ts';
import { idParam, workspaceOf, type SteadApp } from '../../platform/http/http.types.ts';
import { chunkJsonOf, type ChatCompletionChunk, type ChatCompletionRequest, type EmbeddingRequest, type EmbeddingResponse } from '../../platform/model-provider/model-provider.port.ts';
import { forgetChunkJson } from '../../platform/model-provider/chat-completion.types.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { chatCompletionBody, dataClasses, embeddingsBody, latencyTiers, type DataClass, type LatencyTier } from './models.schema.ts';
import type { ModelsService } from './models.service.ts';
import type { CallerContext } from './models.types.ts';

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

const modelToken = (model: string): string => `"model":${JSON.stringify(model)}`;

/**
 * The JSON of each chunk of a stream, with `model` the target's `provider/model` (what `/v1/models` lists and a
 * client can send back) instead of the upstream's own name. Chunks pass through as the upstream wrote them, so the
 * name is swapped in that text: one string replace of the `"model":"<name>"` token (quotes inside JSON strings
 * are escaped, so the token only matches a real field). A chunk written another way (`"model": "m1"`) is
 * serialized again with the field set.
 */
const streamChunkJson = (target: string) => {
  const replacement = modelToken(target).replaceAll('$', '$$$$');
  let upstreamModel: string | undefined;
  let token = '';
  return (chunk: ChatCompletionChunk): string => {
    if (chunk.model === target) return chunkJsonOf(chunk);
    if (chunk.model !== upstreamModel) {
      upstreamModel = chunk.model;
      token = typeof chunk.model === 'string' ? modelToken(chunk.model) : '\u0000';
    }
    const json = chunkJsonOf(chunk);
    const swapped = json.replace(token, replacement);
    if (swapped !== json) return swapped;
    chunk.model = target;
    forgetChunkJson(chunk);
    return JSON.stringify(chunk);
  };
};

/** Little-endian float32 bytes in base64: what OpenAI answers for `encoding_format: "base64"` (its clients' default). */
const base64Embedding = (vector: readonly number[]): string => {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let index = 0; index < vector.length; index += 1) bytes.writeFloatLE(vector[index]!, index * 4);
  return bytes.toString('base64');
};

const encodeEmbeddings = (response: EmbeddingResponse, format: EmbeddingRequest['encoding_format']) =>
  format === 'base64' ? { ...response, data: response.data.map((entry) => ({ ...entry, embedding: base64Embedding(entry.embedding) })) } : response;

/** OpenAI's model object; `created` is not known for upstream models, so it is a fixed date. */
const modelObject = (model: { qualifiedName: string; providerName: string }) => ({ id: model.qualifiedName, object: 'model' as const, created: Math.floor(Date.parse('2026-01-01') / 1000), owned_by: model.providerName });

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
    return { object: 'list', data: list.map(modelObject) };
  });

  // Model ids hold a `/` (`ollama/llama3.2`), and OpenAI clients put them in the path unencoded.
  app.get('/v1/models/*', {
    config: { permission: 'models:read', workspaceFromQuery: true },
    schema: { tags: ['gateway'], summary: 'OpenAI-compatible model object of one `<provider>/<model>` id', querystring: gatewayQuery, params: z.object({ '*': z.string().max(600).describe('The model id, `<provider>/<model>`') }) },
  }, async (request) => {
    const id = request.params['*'];
    const model = (await models.listModels(workspaceOf(request).workspaceId)).find((entry) => entry.qualifiedName === id);
    if (!model) throw new SteadError('model_not_found', `The model '${id}' does not exist: GET /v1/models lists the ids, as <provider>/<model>`, { details: { model: id } });
    return modelObject(model);
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
    const raw = openEventStream(reply, { 'x-stead-target': opened.target });
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
      const jsonOf = streamChunkJson(opened.target);
      for await (const chunk of opened.chunks) send(`data: ${jsonOf(chunk)}\n\n`);
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
    schema: { tags: ['gateway'], summary: 'OpenAI-compatible embeddings, as floats or (`encoding_format: "base64"`, the official clients\' default) little-endian float32 in base64', querystring: gatewayQuery, body: embeddingsBody },
  }, async (request, reply) => {
    const { workspaceId } = workspaceOf(request);
    const body = request.body as unknown as EmbeddingRequest;
    const { stead, ...embeddings } = await models.embed(workspaceId, body, callerOf(request, clientGone(reply)));
    void reply.header('x-stead-target', stead.target);
    return encodeEmbeddings(embeddings, body.encoding_format);
  });
};
