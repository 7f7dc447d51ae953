import { SteadApiError } from '@stead/api-client';
import { isNetworkError } from './api-error.ts';
import type { Health } from './api.ts';

export type ConnectionState = 'checking' | 'online' | 'degraded' | 'offline';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Short text for the header indicator and its accessible label. */
  label: string;
  /** Names of components reported down, for the degraded tooltip. */
  downComponents: string[];
  version: string | null;
}

/** Poll interval while the server answers. */
export const HEALTH_POLL_MS = 30_000;
/** Faster retry while the server cannot be reached, so the banner clears soon after a restart. */
export const HEALTH_RETRY_MS = 5_000;

/**
 * Derives what the header shows from the last health answer and the last error.
 * An error newer than the data wins: a server that stopped answering is offline even if it was ok before.
 */
export function deriveConnectionStatus(input: {
  data: Health | undefined;
  error: unknown;
  dataUpdatedAt: number;
  errorUpdatedAt: number;
}): ConnectionStatus {
  const { data, error, dataUpdatedAt, errorUpdatedAt } = input;
  const errorIsLatest = error != null && errorUpdatedAt >= dataUpdatedAt;
  if (errorIsLatest) {
    // Any answer from the server means it is reachable; only a failed fetch or a proxy error means offline.
    const unreachable = !(error instanceof SteadApiError) || isNetworkError(error) || error.status === 502 || error.status === 504;
    if (unreachable) return { state: 'offline', label: 'Server unreachable', downComponents: [], version: data?.version ?? null };
    return { state: 'degraded', label: 'Server error', downComponents: [], version: data?.version ?? null };
  }
  if (!data) return { state: 'checking', label: 'Checking connection', downComponents: [], version: null };
  const downComponents = Object.entries(data.components)
    .filter(([, component]) => component.state === 'down')
    .map(([name]) => name)
    .sort();
  if (data.status === 'ok' && downComponents.length === 0) {
    return { state: 'online', label: 'Connected', downComponents, version: data.version };
  }
  const label = downComponents.length > 0 ? `Degraded: ${downComponents.join(', ')}` : 'Degraded';
  return { state: 'degraded', label, downComponents, version: data.version };
}

/**
 * How long to wait before the next health check, or `false` for none: while an event stream is open the server is
 * known to be up (the stream would drop otherwise), so polling waits until the stream is down.
 */
export function nextHealthPoll(state: ConnectionState, eventStreamOpen = false): number | false {
  if (eventStreamOpen && state !== 'offline') return false;
  return state === 'offline' ? HEALTH_RETRY_MS : HEALTH_POLL_MS;
}
