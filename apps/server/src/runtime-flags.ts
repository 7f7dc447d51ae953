import { setFlagsFromString } from 'node:v8';

// Imported first by main.ts: it takes effect before the server starts or handles a request.
//
// V8 "pretenures" an allocation site when most of its objects survive a young-generation collection: from then on
// the site allocates straight into the old generation. A gateway request's short-lived objects can trip this by
// chance (a collection that lands while many requests are in flight, as in a warm-up burst); their site then
// allocates in the old generation for the life of the process, and every young object such an object points to
// survives each scavenge through the old-to-new remembered set. Measured at 500 calls/s (bench/gateway, several
// runs each): in about one run in three the memory promoted per scavenge went from ~0.2 MB to ~2 MB, scavenge
// pauses from ~1.5 ms to ~5 ms and the added p99 past the 5 ms budget; with pretenuring off, every run stayed in the
// good state. A server's long-lived objects are few and made at start-up, so it loses nothing measurable.
setFlagsFromString('--no-allocation-site-pretenuring');
