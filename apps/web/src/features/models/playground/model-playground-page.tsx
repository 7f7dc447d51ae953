import { SteadApiError } from '@stead/api-client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { EraserIcon, SendIcon, SquareIcon } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { LocalityBadge } from '@/features/models/model-badges.tsx';
import { EmptyState, LoadingRows } from '@/components/page-header.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { Field, FormError } from '@/components/ui/field.tsx';
import { NativeSelect } from '@/components/ui/input.tsx';
import { Textarea } from '@/components/ui/textarea.tsx';
import { api, type DataClass, type LatencyTier, type RouteDecision } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { ChatStreamError, streamChat, type ChatMessage, type ChatUsage } from '@/features/models/playground/chat-stream.ts';
import { dataClassDefaultsQuery, modelAliasesQuery, modelsQuery } from '@/features/models/models.queries.ts';
import { canUseModels, dataClasses, dataClassHints, formatMs, latencyTiers } from '@/features/models/models.ts';
import { chatChoices } from '@/features/models/playground/playground.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { cn } from '@/lib/utils.ts';
import { modelKeys } from '@/features/models/models.queries.ts';

interface Turn {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  /** Assistant turns: how it was served. */
  meta?: { model: string; target: string | null; firstTokenMs: number | null; totalMs: number | null; usage: ChatUsage | null; finishReason: string | null };
  error?: { code: string; message: string; midStream: boolean };
  streaming?: boolean;
}

/** A rough prompt size for the routing explanation (about four characters per token). */
const estimateTokens = (messages: readonly ChatMessage[]) => Math.ceil(messages.reduce((sum, message) => sum + message.content.length, 0) / 4);

function StreamError({ error }: { error: NonNullable<Turn['error']> }) {
  return (
    <div role="alert" className="mt-2 grid gap-1 rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm">
      <code className="text-xs font-semibold text-destructive">{error.code}</code>
      <p className="break-words whitespace-pre-wrap text-destructive">{error.message}</p>
      {error.midStream ? <p className="text-xs text-muted-foreground">The answer above is what arrived before the failure.</p> : null}
    </div>
  );
}

function TurnView({ turn }: { turn: Turn }) {
  const user = turn.role === 'user';
  return (
    <li className={cn('flex min-w-0', user ? 'justify-end' : 'justify-start')}>
      <div className={cn('max-w-[92%] min-w-0 rounded-xl px-3 py-2 text-sm sm:max-w-[80%]', user ? 'bg-primary text-primary-foreground' : 'border bg-card')}>
        <p className="sr-only">{user ? 'You' : 'Assistant'}</p>
        {turn.content || turn.streaming ? (
          <p className="break-words whitespace-pre-wrap" aria-live={turn.streaming ? 'polite' : undefined}>
            {turn.content}
            {turn.streaming ? <span aria-hidden className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-foreground/60 align-text-bottom" /> : null}
          </p>
        ) : null}
        {turn.error ? <StreamError error={turn.error} /> : null}
        {turn.meta ? (
          <p className="mt-1.5 flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-muted-foreground tabular-nums">
            <span>
              {turn.meta.target ? (
                <>
                  served by <code className="text-foreground">{turn.meta.target}</code>
                </>
              ) : (
                <>asked for {turn.meta.model}</>
              )}
            </span>
            {turn.meta.firstTokenMs !== null ? <span>first token {formatMs(turn.meta.firstTokenMs)}</span> : null}
            {turn.meta.totalMs !== null ? <span>total {formatMs(turn.meta.totalMs)}</span> : null}
            {turn.meta.usage ? (
              <span>
                {turn.meta.usage.promptTokens ?? '?'} → {turn.meta.usage.completionTokens ?? '?'} tokens
              </span>
            ) : null}
          </p>
        ) : null}
      </div>
    </li>
  );
}

function DecisionPanel({ decision, error, target }: { decision: RouteDecision | null; error: { code: string | null; message: string } | null; target: string | null }) {
  return (
    <section aria-label="Routing decision" aria-live="polite" className="grid min-w-0 gap-2">
      <h3 className="text-sm font-medium">Routing decision</h3>
      {target ? (
        <p className="text-sm">
          Served by <code className="rounded bg-muted px-1.5 py-0.5 text-xs">{target}</code>
        </p>
      ) : null}
      {error ? (
        <p className="text-sm break-words text-muted-foreground">
          Refused{error.code ? <> with <code className="text-xs text-destructive">{error.code}</code></> : null}: no target would serve it.
        </p>
      ) : null}
      {decision ? (
        <>
          <p className="text-xs text-muted-foreground">{decision.reason}</p>
          {decision.candidates.length > 0 ? (
            <ol className="grid gap-1">
              {decision.candidates.map((candidate, index) => {
                // `model` is already qualified (provider/model), as x-stead-target names it.
                const name = candidate.model;
                return (
                  <li key={name} className={cn('flex min-w-0 items-center gap-2 rounded-md border px-2 py-1 text-xs', name === target && 'border-success/50 bg-success/10')}>
                    <span className="text-muted-foreground tabular-nums">{index + 1}.</span>
                    <code className="min-w-0 flex-1 truncate" title={name}>
                      {name}
                    </code>
                    <LocalityBadge locality={candidate.locality} />
                  </li>
                );
              })}
            </ol>
          ) : null}
        </>
      ) : !error && !target ? (
        <p className="text-xs text-muted-foreground">Send a message to see which targets were candidates, which one served, and why.</p>
      ) : null}
    </section>
  );
}

export function ModelPlaygroundPage() {
  const workspace = useCurrentWorkspace();
  const queryClient = useQueryClient();
  const models = useQuery(modelsQuery(workspace.id));
  const aliases = useQuery(modelAliasesQuery(workspace.id));
  const defaults = useQuery(dataClassDefaultsQuery(workspace.id));
  const [model, setModel] = useState('auto');
  const [dataClass, setDataClass] = useState<'' | DataClass>('');
  const [latencyTier, setLatencyTier] = useState<'' | LatencyTier>('');
  const [system, setSystem] = useState('');
  const [message, setMessage] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [decision, setDecision] = useState<RouteDecision | null>(null);
  const [decisionError, setDecisionError] = useState<{ code: string | null; message: string } | null>(null);
  const [target, setTarget] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  const nextId = useRef(1);
  const listRef = useRef<HTMLOListElement>(null);
  const streaming = turns.some((turn) => turn.streaming);

  // Leaving the page stops a running stream.
  useEffect(() => () => controller.current?.abort(), []);
  // Keep the newest text in view while it streams (the list scrolls, not the page).
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [turns]);

  if (!canUseModels(workspace.role)) {
    return <EmptyState>The playground needs the member role or higher in {workspace.name}: viewers may read the Models pages but not call models.</EmptyState>;
  }
  if (models.isPending || aliases.isPending) return <LoadingRows />;
  if (models.isError) return <FormError message={errorMessage(models.error)} />;
  const choices = chatChoices(models.data, aliases.data ?? []);
  const effectiveClass: DataClass = dataClass || defaults.data?.workspace || 'internal';
  const alias = aliases.data?.find((item) => item.name === model);
  const modelHint =
    model === 'auto'
      ? 'auto lets the route rules choose among every chat model.'
      : alias
        ? `Alias: ${alias.targets.join(' → ')}`
        : choices.models.find((item) => item.qualifiedName === model)?.locality === 'local'
          ? 'A local model: it may serve private data.'
          : 'A hosted model: it never serves private data.';

  const updateTurn = (id: number, change: (turn: Turn) => Turn) => setTurns((current) => current.map((turn) => (turn.id === id ? change(turn) : turn)));

  const send = async (event: FormEvent) => {
    event.preventDefault();
    const text = message.trim();
    if (!text || streaming) return;
    const userTurn: Turn = { id: nextId.current++, role: 'user', content: text };
    const answerId = nextId.current++;
    const history = [...turns.filter((turn) => !turn.error && turn.content), userTurn];
    const messages: ChatMessage[] = [...(system.trim() ? [{ role: 'system' as const, content: system.trim() }] : []), ...history.map((turn) => ({ role: turn.role, content: turn.content }))];
    setTurns((current) => [...current, userTurn, { id: answerId, role: 'assistant', content: '', streaming: true, meta: { model, target: null, firstTokenMs: null, totalMs: null, usage: null, finishReason: null } }]);
    setMessage('');
    setTarget(null);

    // The same decision the gateway makes, explained (candidates and reason); nothing is called by it.
    api
      .testModelRoute(workspace.id, { model, dataClass: effectiveClass, estimatedTokens: estimateTokens(messages), ...(latencyTier ? { latencyTier } : {}) })
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
        workspaceId: workspace.id,
        model,
        messages,
        ...(dataClass ? { dataClass } : {}),
        ...(latencyTier ? { latencyTier } : {}),
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
      void queryClient.invalidateQueries({ queryKey: modelKeys.modelUsage(workspace.id) });
      void queryClient.invalidateQueries({ queryKey: modelKeys.models(workspace.id) });
    }
  };

  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-[18rem_minmax(0,1fr)] lg:grid-rows-[auto_1fr] lg:items-start">
      <Card className="min-w-0 lg:col-start-1 lg:row-start-1">
        <CardHeader className="pb-2 sm:pb-3">
          <CardTitle className="text-base">Request</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4">
          <Field id="playground-model" label="Model" hint={modelHint}>
            <NativeSelect id="playground-model" value={model} disabled={streaming} onChange={(event) => setModel(event.target.value)}>
              <option value="auto">auto</option>
              {choices.aliases.length > 0 ? (
                <optgroup label="Aliases">
                  {choices.aliases.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </optgroup>
              ) : null}
              {choices.models.length > 0 ? (
                <optgroup label="Models">
                  {choices.models.map((item) => (
                    <option key={item.id} value={item.qualifiedName}>
                      {item.qualifiedName} ({item.locality})
                    </option>
                  ))}
                </optgroup>
              ) : null}
            </NativeSelect>
          </Field>
          <Field id="playground-data-class" label="Data class" hint={dataClassHints[effectiveClass]}>
            <NativeSelect id="playground-data-class" value={dataClass} disabled={streaming} onChange={(event) => setDataClass(event.target.value as '' | DataClass)}>
              <option value="">workspace default ({defaults.data?.workspace ?? 'internal'})</option>
              {dataClasses.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field id="playground-latency" label="Latency tier">
            <NativeSelect id="playground-latency" value={latencyTier} disabled={streaming} onChange={(event) => setLatencyTier(event.target.value as '' | LatencyTier)}>
              <option value="">not given</option>
              {latencyTiers.map((tier) => (
                <option key={tier} value={tier}>
                  {tier}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field id="playground-system" label="System prompt">
            <Textarea id="playground-system" rows={3} placeholder="You are a concise assistant." value={system} onChange={(event) => setSystem(event.target.value)} />
          </Field>
        </CardContent>
      </Card>

      <Card className="flex min-w-0 flex-col lg:col-start-2 lg:row-span-2 lg:row-start-1">
        <CardHeader className="flex-row items-center justify-between gap-2 pb-2 sm:pb-3">
          <CardTitle className="text-base">Conversation</CardTitle>
          <Button
            variant="ghost"
            size="sm"
            disabled={streaming || turns.length === 0}
            onClick={() => {
              setTurns([]);
              setDecision(null);
              setDecisionError(null);
              setTarget(null);
            }}
          >
            <EraserIcon aria-hidden />
            Clear
          </Button>
        </CardHeader>
        <CardContent className="grid gap-4">
          {/* A refusal after the last provider was disabled stays readable: the hint only replaces an empty conversation. */}
          {choices.models.length === 0 && turns.length === 0 ? (
            <EmptyState>
              No chat models yet.{' '}
              <Link to="/w/$workspaceId/models/providers" params={{ workspaceId: workspace.id }} className="underline underline-offset-4">
                Add a provider
              </Link>{' '}
              first.
            </EmptyState>
          ) : turns.length === 0 ? (
            <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">
              Messages go through the gateway like any client's: routed, recorded in Usage and counted against the budgets.
            </p>
          ) : (
            <ol ref={listRef} className="grid max-h-[60vh] min-h-40 content-start gap-3 overflow-y-auto pr-1" aria-label="Messages">
              {turns.map((turn) => (
                <TurnView key={turn.id} turn={turn} />
              ))}
            </ol>
          )}
          <form onSubmit={(event) => void send(event)} className="grid gap-2">
            <label htmlFor="playground-message" className="sr-only">
              Message
            </label>
            <Textarea
              id="playground-message"
              rows={3}
              placeholder="Ask something… (Enter sends, Shift+Enter for a new line)"
              value={message}
              onChange={(event) => setMessage(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
                  event.preventDefault();
                  event.currentTarget.form?.requestSubmit();
                }
              }}
            />
            <div className="flex items-center justify-end gap-2">
              {streaming ? (
                <Button variant="outline" onClick={() => controller.current?.abort()}>
                  <SquareIcon aria-hidden />
                  Stop
                </Button>
              ) : null}
              <Button type="submit" disabled={streaming || !message.trim()}>
                <SendIcon aria-hidden />
                Send
              </Button>
            </div>
          </form>
        </CardContent>
      </Card>

      <Card className="min-w-0 lg:col-start-1 lg:row-start-2">
        <CardContent className="pt-4 sm:pt-6">
          <DecisionPanel decision={decision} error={decisionError} target={target} />
        </CardContent>
      </Card>
    </div>
  );
}
