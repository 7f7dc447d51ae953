import { SteadError } from '../../platform/errors/stead-error.ts';
import { ProviderError } from '../../platform/model-provider/model-provider.port.ts';
import type { TargetHealth } from './target-health.ts';

export interface FallbackOptions {
  /** Extra attempts on the same target after a retryable failure, before moving on. Default 1. */
  retriesPerTarget?: number;
  /** A `Retry-After` longer than this moves on to the next target instead of waiting. Default 2,000 ms. */
  maxRetryWaitMs?: number;
  /** Base of the exponential backoff when the upstream gives no `Retry-After`. Default 200 ms. */
  backoffMs?: number;
  signal?: AbortSignal | undefined;
  random?: () => number;
}

export interface FallbackOutcome<T> {
  result: T;
  target: string;
  /** What happened to the targets tried before, for the usage ledger: `cloud/gpt-x: 503`, `local/llama: breaker open`. */
  skipped: string[];
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });

const describeFailure = (error: unknown): string =>
  error instanceof ProviderError ? (error.status ? String(error.status) : error.code) : error instanceof Error ? error.message : String(error);

/**
 * Calls targets in order until one answers. A failure another attempt might not have (429, 5xx, timeouts,
 * connection errors: `ProviderError.isRetryable`) is retried on the same target with jittered backoff, honouring
 * `Retry-After` when it is short, then the next target takes over. Anything else — a 400/401/403/404, a refused
 * destination, the client going away — ends the call at once: another target would not fix the request.
 * Targets whose circuit breaker is open are skipped; when every one is, the call fails without sending anything.
 */
export const callWithFallback = async <T>(
  targets: string[],
  health: TargetHealth,
  call: (target: string) => Promise<T>,
  { retriesPerTarget = 1, maxRetryWaitMs = 2_000, backoffMs = 200, signal, random = Math.random }: FallbackOptions = {},
): Promise<FallbackOutcome<T>> => {
  const skipped: string[] = [];
  let lastError: unknown;
  for (const target of targets) {
    for (let attempt = 0; attempt <= retriesPerTarget; attempt += 1) {
      if (!health.tryAcquire(target)) {
        skipped.push(`${target}: breaker open`);
        break;
      }
      const started = performance.now();
      try {
        const result = await call(target);
        health.succeeded(target, performance.now() - started);
        return { result, target, skipped };
      } catch (error) {
        if (signal?.aborted || !(error instanceof ProviderError) || !error.isRetryable) {
          health.released(target);
          throw error;
        }
        health.failed(target);
        lastError = error;
        const wait = error.retryAfterMs ?? backoffMs * 2 ** attempt * (1 - 0.2 * random());
        if (attempt === retriesPerTarget || wait > maxRetryWaitMs) {
          skipped.push(`${target}: ${describeFailure(error)}`);
          break;
        }
        await sleep(wait, signal);
      }
    }
  }
  if (lastError === undefined) {
    const retryAt = targets.map((target) => health.view(target).retryAt).filter(Boolean).sort()[0];
    throw new SteadError('provider_unavailable', `Every target's circuit breaker is open after repeated failures${retryAt ? `; the next probe is allowed at ${retryAt}` : ''}`, { details: { skipped } });
  }
  throw lastError;
};
