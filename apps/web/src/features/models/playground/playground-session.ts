/**
 * The Playground's conversation and request settings, kept per workspace for the browser tab's session: switching
 * to another page (or reloading) brings them back, Clear forgets them, and closing the tab ends them. Held in
 * memory and mirrored to sessionStorage; a storage that refuses (private mode, quota) only loses the reload case.
 */
import type { DataClass, LatencyTier, RouteDecision } from '@/lib/api.ts';
import type { ChatUsage } from './chat-stream.ts';

export interface Turn {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  /** Assistant turns: how it was served. */
  meta?: { model: string; target: string | null; firstTokenMs: number | null; totalMs: number | null; usage: ChatUsage | null; finishReason: string | null };
  error?: { code: string; message: string; midStream: boolean };
  streaming?: boolean;
}

/** What the next message asks for. Temperature and max tokens stay text as typed; empty means the model's default. */
export interface PlaygroundRequest {
  model: string;
  dataClass: '' | DataClass;
  latencyTier: '' | LatencyTier;
  system: string;
  temperature: string;
  maxTokens: string;
}

export interface PlaygroundSession {
  turns: Turn[];
  request: PlaygroundRequest;
  decision: RouteDecision | null;
  target: string | null;
}

export const defaultPlaygroundRequest: PlaygroundRequest = { model: 'auto', dataClass: '', latencyTier: '', system: '', temperature: '', maxTokens: '' };

const sessions = new Map<string, PlaygroundSession>();
const storageKey = (workspaceId: string) => `stead.playground.${workspaceId}`;

const storage = (): Storage | undefined => {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
};

/**
 * A stream cannot outlive its page: an answer still streaming when the page was left is shown as stopped, with
 * what had arrived.
 */
const settled = (turns: Turn[]): Turn[] =>
  turns.map((turn) => (turn.streaming ? { ...turn, streaming: false, error: { code: 'stopped', message: 'Stopped when the page was left.', midStream: turn.content !== '' } } : turn));

export function loadPlaygroundSession(workspaceId: string): PlaygroundSession {
  const held = sessions.get(workspaceId);
  if (held) return { ...held, turns: settled(held.turns) };
  try {
    const text = storage()?.getItem(storageKey(workspaceId));
    if (text) {
      const stored = JSON.parse(text) as Partial<PlaygroundSession>;
      return {
        turns: settled(Array.isArray(stored.turns) ? stored.turns : []),
        request: { ...defaultPlaygroundRequest, ...stored.request },
        decision: stored.decision ?? null,
        target: stored.target ?? null,
      };
    }
  } catch {
    // Unreadable: start afresh.
  }
  return { turns: [], request: { ...defaultPlaygroundRequest }, decision: null, target: null };
}

export function savePlaygroundSession(workspaceId: string, session: PlaygroundSession): void {
  sessions.set(workspaceId, session);
  try {
    storage()?.setItem(storageKey(workspaceId), JSON.stringify(session));
  } catch {
    // Full or refused: the in-memory copy still survives switching pages.
  }
}

export function clearPlaygroundSession(workspaceId: string): void {
  sessions.delete(workspaceId);
  try {
    storage()?.removeItem(storageKey(workspaceId));
  } catch {
    // Nothing stored.
  }
}

/** Temperature and max tokens as the API takes them, or the first problem with what was typed. */
export function samplingSettings(request: Pick<PlaygroundRequest, 'temperature' | 'maxTokens'>): { temperature?: number; maxTokens?: number } | { error: string } {
  const settings: { temperature?: number; maxTokens?: number } = {};
  if (request.temperature.trim() !== '') {
    const temperature = Number(request.temperature);
    if (!Number.isFinite(temperature) || temperature < 0 || temperature > 2) return { error: 'Temperature: a number from 0 to 2, or empty for the default.' };
    settings.temperature = temperature;
  }
  if (request.maxTokens.trim() !== '') {
    const maxTokens = Number(request.maxTokens);
    if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > 1_000_000) return { error: 'Max tokens: a whole number from 1, or empty for the default.' };
    settings.maxTokens = maxTokens;
  }
  return settings;
}
