import { SteadApiError } from '@stead/api-client';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { modelKeys } from '@/features/models/models.queries.ts';
import { api, type DataClass, type LatencyTier, type RouteDecision } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { ChatStreamError, streamChat, type ChatMessage } from './chat-stream.ts';
import { clearPlaygroundSession, loadPlaygroundSession, savePlaygroundSession, type PlaygroundRequest, type Turn } from './playground-session.ts';

export type { Turn } from './playground-session.ts';

/** A rough prompt size for the routing explanation (about four characters per token). */
const estimateTokens = (messages: readonly ChatMessage[]) => Math.ceil(messages.reduce((sum, message) => sum + message.content.length, 0) / 4);

/** What one Send asks for. */
export interface ChatRequest {
  text: string;
  model: string;
  system: string;
  dataClass: '' | DataClass;
  latencyTier: '' | LatencyTier;
  temperature?: number;
  maxTokens?: number;
  /** The data class the request gets (the chosen one or the default), for the routing explanation. */
  effectiveClass: DataClass;
}

/**
 * The Playground's conversation: its turns, each streamed through the gateway, and the routing decision of the
 * last message, explained by the route tester while the answer streams. The conversation and the request settings
 * outlive the page (see playground-session.ts) until Clear.
 */
export function usePlaygroundChat(workspaceId: string) {
  const queryClient = useQueryClient();
  const [initial] = useState(() => loadPlaygroundSession(workspaceId));
  const [turns, setTurns] = useState<Turn[]>(initial.turns);
  const [request, setRequestState] = useState<PlaygroundRequest>(initial.request);
  const [decision, setDecision] = useState<RouteDecision | null>(initial.decision);
  const [decisionError, setDecisionError] = useState<{ code: string | null; message: string } | null>(null);
  const [target, setTarget] = useState<string | null>(initial.target);
  const controller = useRef<AbortController | null>(null);
  const nextId = useRef(Math.max(0, ...initial.turns.map((turn) => turn.id)) + 1);
  const streaming = turns.some((turn) => turn.streaming);

  // Leaving the page stops a running stream.
  useEffect(() => () => controller.current?.abort(), []);
  useEffect(() => savePlaygroundSession(workspaceId, { turns, request, decision, target }), [workspaceId, turns, request, decision, target]);
  const setRequest = (change: Partial<PlaygroundRequest>) => setRequestState((current) => ({ ...current, ...change }));

  const updateTurn = (id: number, change: (turn: Turn) => Turn) => setTurns((current) => current.map((turn) => (turn.id === id ? change(turn) : turn)));

  const send = async ({ text, model, system, dataClass, latencyTier, temperature, maxTokens, effectiveClass }: ChatRequest) => {
    const userTurn: Turn = { id: nextId.current++, role: 'user', content: text };
    const answerId = nextId.current++;
    const history = [...turns.filter((turn) => !turn.error && turn.content), userTurn];
    const messages: ChatMessage[] = [...(system.trim() ? [{ role: 'system' as const, content: system.trim() }] : []), ...history.map((turn) => ({ role: turn.role, content: turn.content }))];
    setTurns((current) => [...current, userTurn, { id: answerId, role: 'assistant', content: '', streaming: true, meta: { model, target: null, firstTokenMs: null, totalMs: null, usage: null, finishReason: null } }]);
    setTarget(null);

    // The same decision the gateway makes, explained (candidates and reason); nothing is called by it.
    api
      .testModelRoute(workspaceId, { model, dataClass: effectiveClass, estimatedTokens: estimateTokens(messages), ...(latencyTier ? { latencyTier } : {}) })
      .then(
        (explained) => {
          setDecision(explained);
          setDecisionError(null);
        },
        (error: unknown) => {
          setDecision(null);
          setDecisionError({ code: error instanceof SteadApiError ? error.code : null, message: errorMessage(error) });
        },
      );

    const abort = new AbortController();
    controller.current = abort;
    // Shown as soon as the first token arrives, and kept when the stream fails later.
    const started = performance.now();
    let firstTokenMs: number | null = null;
    try {
      const result = await streamChat({
        workspaceId: workspaceId,
        model,
        messages,
        ...(dataClass ? { dataClass } : {}),
        ...(latencyTier ? { latencyTier } : {}),
        ...(temperature === undefined ? {} : { temperature }),
        ...(maxTokens === undefined ? {} : { maxTokens }),
        signal: abort.signal,
        onTarget: (served) => {
          setTarget(served);
          updateTurn(answerId, (turn) => ({ ...turn, meta: { ...turn.meta!, target: served } }));
        },
        onText: (piece) => {
          if (firstTokenMs === null) firstTokenMs = Math.round(performance.now() - started);
          const first = firstTokenMs;
          updateTurn(answerId, (turn) => ({ ...turn, content: turn.content + piece, meta: { ...turn.meta!, firstTokenMs: first } }));
        },
      });
      updateTurn(answerId, (turn) => ({
        ...turn,
        content: result.text,
        streaming: false,
        meta: { model, target: result.target, firstTokenMs: result.firstTokenMs, totalMs: result.totalMs, usage: result.usage, finishReason: result.finishReason },
      }));
    } catch (error) {
      const stopped = abort.signal.aborted;
      updateTurn(answerId, (turn) => ({
        ...turn,
        streaming: false,
        error: stopped
          ? { code: 'stopped', message: 'Stopped before the answer was complete.', midStream: turn.content !== '' }
          : error instanceof ChatStreamError
            ? { code: error.code, message: error.message, midStream: error.midStream }
            : { code: 'error', message: errorMessage(error), midStream: turn.content !== '' },
      }));
    } finally {
      controller.current = null;
      // Usage, budgets and health moved with this call.
      void queryClient.invalidateQueries({ queryKey: modelKeys.modelUsage(workspaceId) });
      void queryClient.invalidateQueries({ queryKey: modelKeys.models(workspaceId) });
    }
  };

  const clear = () => {
    clearPlaygroundSession(workspaceId);
    setTurns([]);
    setDecision(null);
    setDecisionError(null);
    setTarget(null);
  };

  return { turns, streaming, request, setRequest, decision, decisionError, target, send, clear, stop: () => controller.current?.abort() };
}
