import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { setFlagsFromString } from 'node:v8';

// Imported first by main.ts: it takes effect before the server starts or handles a request. Each setting below was
// found with bench/gateway at 500 calls/s and kept because the added p99 improved over several suite runs
// (docs/gateway.md, "The tail").

// V8 "pretenures" an allocation site when most of its objects survive a young-generation collection: from then on
// the site allocates straight into the old generation. A gateway request's short-lived objects can trip this by
// chance (a collection that lands while many requests are in flight, as in a warm-up burst); their site then
// allocates in the old generation for the life of the process, and every young object such an object points to
// survives each scavenge through the old-to-new remembered set. Measured at 500 calls/s (bench/gateway, several
// runs each): in about one run in three the memory promoted per scavenge went from ~0.2 MB to ~2 MB, scavenge
// pauses from ~1.5 ms to ~5 ms and the added p99 past the 5 ms budget; with pretenuring off, every run stayed in the
// good state. A server's long-lived objects are few and made at start-up, so it loses nothing measurable.
setFlagsFromString('--no-allocation-site-pretenuring');

// After a quiet spell V8's memory reducer shrinks the heap and leaves the next full collection only ~5 MB of old
// space away. When traffic comes back at 500 calls/s that meant a full collection every 2-3 s (--trace-gc), each a
// stall of 20-60 ms. Letting the old space grow to twice the live heap before the next one (~40 MB here, given back
// by the same memory reducer when the server is idle again) left one per 13 s run at that load instead of three.
setFlagsFromString('--heap-growing-percent=100');

/**
 * The threads the process has when this runs are V8's and Node's platform helpers (they mark the heap
 * concurrently, scavenge in parallel, sweep and compile in the background) and libuv's pool (file system, DNS,
 * crypto; the module loader has already started it). During a full collection the four V8 helpers are busy at
 * once; on a two-core machine they took both cores for 30-60 ms at a time while the event loop, its clients and its
 * upstreams waited (perf sched timehist). At nice 10 they still use every idle cycle, but when cores are short the
 * event loop and other processes go first; the pool's work (a DNS lookup, a password hash) is small and waits a
 * little under full load. Linux only: elsewhere a thread id is not a process id.
 */
const helperThreadNice = 10;

const lowerHelperThreadPriority = (): void => {
  if (process.platform !== 'linux') return;
  let threads: string[];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    return;
  }
  for (const thread of threads) {
    const id = Number(thread);
    if (id === process.pid) continue;
    try {
      setPriority(id, helperThreadNice);
    } catch {
      // Gone or not permitted: it keeps the normal priority, which is only slower under load.
    }
  }
};
lowerHelperThreadPriority();
