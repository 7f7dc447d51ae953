import type { AsyncLocalStorage } from 'node:async_hooks';
import { getCurrentAuthContextAsyncLocalStorage, getCurrentDBAdapterAsyncLocalStorage, getRequestStateAsyncLocalStorage } from '@better-auth/core/context';

/**
 * better-auth keeps its request state in three AsyncLocalStorage instances, shared by every better-auth instance
 * in the process. On Node 20 a storage that has run once installs promise hooks for the life of the process, so
 * every promise anywhere pays for context propagation: about 15 % of the CPU of a streamed gateway call, as
 * profiled (bench/gateway/profile.mjs), on a server where somebody had merely signed in. Stead calls better-auth
 * only through the auth service, which runs each call through `withAuthContext`; the storages are switched off
 * whenever no such call is in flight in the process, and the next call's `run` switches them on again.
 */
let inFlight = 0;
let storages: Promise<AsyncLocalStorage<unknown>[]> | undefined;
const storagesOf = () =>
  (storages ??= Promise.all([getCurrentAuthContextAsyncLocalStorage(), getRequestStateAsyncLocalStorage(), getCurrentDBAdapterAsyncLocalStorage()]) as Promise<
    AsyncLocalStorage<unknown>[]
  >);

/** Runs work that calls better-auth, then switches its storages off if it was the last such work running. */
export const withAuthContext = async <T>(work: () => Promise<T>): Promise<T> => {
  inFlight += 1;
  try {
    return await work();
  } finally {
    inFlight -= 1;
    if (inFlight === 0) {
      const list = await storagesOf();
      // Another call may have started while the storages were looked up: it still needs them.
      if (inFlight === 0) for (const storage of list) storage.disable();
    }
  }
};
