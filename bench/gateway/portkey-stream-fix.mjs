// Preloaded into @portkey-ai/gateway (`node --import bench/gateway/portkey-stream-fix.mjs start-server.js`) so
// its streaming path works at all. Portkey 1.15.2 with the @hono/node-server it resolves here (1.19.x) answers
// every `stream: true` chat completion with 500 "Something went wrong": @hono/node-server's Response keeps the
// upstream fetch Response's headers object, whose guard is "immutable", and Portkey then appends its
// x-portkey-* headers to it (TypeError: immutable; Portkey-AI/gateway issues #1389 and #1550; the fix proposed in
// PR #1551 copies the response before the headers are set). This does the same copy one step earlier: an
// upstream `text/event-stream` response is re-wrapped in a Response with its own, mutable headers. Non-streaming
// responses are left untouched, so that path runs Portkey exactly as shipped.
const nativeFetch = globalThis.fetch;
const NativeResponse = globalThis.Response;

globalThis.fetch = async function fetchWithMutableStreamHeaders(...args) {
  const response = await nativeFetch.apply(this, args);
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) return response;
  return new NativeResponse(response.body, { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) });
};
