import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { EraserIcon, SendIcon, SquareIcon } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { LocalityBadge } from '@/features/models/model-badges.tsx';
import { EmptyState, LoadingRows } from '@/components/page-header.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { Field, FormError } from '@/components/ui/field.tsx';
import { Input, NativeSelect, ValueOptions } from '@/components/ui/input.tsx';
import { Textarea } from '@/components/ui/textarea.tsx';
import type { DataClass, LatencyTier, RouteDecision } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { usePlaygroundChat, type Turn } from './use-playground-chat.ts';
import { samplingSettings, type PlaygroundRequest } from './playground-session.ts';
import { dataClassDefaultsQuery, modelAliasesQuery, modelsQuery } from '@/features/models/models.queries.ts';
import { canUseModels, dataClasses, dataClassHints, formatMs, latencyTiers } from '@/features/models/models.ts';
import { chatChoices } from '@/features/models/playground/playground.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { cn } from '@/lib/utils.ts';

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

interface RequestCardProps {
  choices: ReturnType<typeof chatChoices>;
  modelHint: string;
  request: PlaygroundRequest;
  defaultClass: DataClass;
  effectiveClass: DataClass;
  disabled: boolean;
  /** What is wrong with the typed temperature or max tokens, if anything. */
  samplingError: string | null;
  onChange: (change: Partial<PlaygroundRequest>) => void;
}

/** What the next message asks for: model, data class, latency tier and system prompt. */
function RequestCard({ choices, modelHint, request, defaultClass, effectiveClass, disabled, samplingError, onChange }: RequestCardProps) {
  return (
    <Card className="min-w-0 lg:col-start-1 lg:row-start-1">
      <CardHeader className="pb-2 sm:pb-3">
        <CardTitle className="text-base">Request</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4">
        <Field id="playground-model" label="Model" hint={modelHint}>
          <NativeSelect id="playground-model" value={request.model} disabled={disabled} onChange={(event) => onChange({ model: event.target.value })}>
            <option value="auto">auto</option>
            {choices.aliases.length > 0 ? (
              <optgroup label="Aliases">
                <ValueOptions values={choices.aliases} />
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
          <NativeSelect id="playground-data-class" value={request.dataClass} disabled={disabled} onChange={(event) => onChange({ dataClass: event.target.value as '' | DataClass })}>
            <option value="">workspace default ({defaultClass})</option>
            <ValueOptions values={dataClasses} />
          </NativeSelect>
        </Field>
        <Field id="playground-latency" label="Latency tier">
          <NativeSelect id="playground-latency" value={request.latencyTier} disabled={disabled} onChange={(event) => onChange({ latencyTier: event.target.value as '' | LatencyTier })}>
            <option value="">not given</option>
            <ValueOptions values={latencyTiers} />
          </NativeSelect>
        </Field>
        <div className="grid grid-cols-2 items-start gap-2">
          <Field id="playground-temperature" label="Temperature" hint="0 to 2">
            <Input id="playground-temperature" inputMode="decimal" placeholder="default" value={request.temperature} onChange={(event) => onChange({ temperature: event.target.value })} />
          </Field>
          <Field id="playground-max-tokens" label="Max tokens" hint="Whole number">
            <Input id="playground-max-tokens" inputMode="numeric" placeholder="default" value={request.maxTokens} onChange={(event) => onChange({ maxTokens: event.target.value })} />
          </Field>
        </div>
        {samplingError ? (
          <p className="-mt-2 text-xs text-destructive" role="alert">
            {samplingError}
          </p>
        ) : null}
        <Field id="playground-system" label="System prompt">
          <Textarea id="playground-system" rows={3} placeholder="You are a concise assistant." value={request.system} onChange={(event) => onChange({ system: event.target.value })} />
        </Field>
      </CardContent>
    </Card>
  );
}

/** One conversation per workspace: another workspace's page starts from its own kept session. */
export function ModelPlaygroundPage() {
  const workspace = useCurrentWorkspace();
  return <Playground key={workspace.id} />;
}

function Playground() {
  const workspace = useCurrentWorkspace();
  const models = useQuery(modelsQuery(workspace.id));
  const aliases = useQuery(modelAliasesQuery(workspace.id));
  const defaults = useQuery(dataClassDefaultsQuery(workspace.id));
  const [message, setMessage] = useState('');
  const chat = usePlaygroundChat(workspace.id);
  const { turns, streaming, request } = chat;
  const { model, dataClass, latencyTier, system } = request;
  const sampling = samplingSettings(request);
  const listRef = useRef<HTMLOListElement>(null);
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

  const send = (event: FormEvent) => {
    event.preventDefault();
    const text = message.trim();
    if (!text || streaming || 'error' in sampling) return;
    setMessage('');
    void chat.send({ text, model, system, dataClass, latencyTier, ...sampling, effectiveClass });
  };

  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-[18rem_minmax(0,1fr)] lg:grid-rows-[auto_1fr] lg:items-start">
      <RequestCard
        choices={choices}
        modelHint={modelHint}
        request={request}
        defaultClass={defaults.data?.workspace ?? 'internal'}
        effectiveClass={effectiveClass}
        disabled={streaming}
        samplingError={'error' in sampling ? sampling.error : null}
        onChange={chat.setRequest}
      />

      <Card className="flex min-w-0 flex-col lg:col-start-2 lg:row-span-2 lg:row-start-1">
        <CardHeader className="flex-row items-center justify-between gap-2 pb-2 sm:pb-3">
          <CardTitle className="text-base">Conversation</CardTitle>
          <Button
            variant="ghost"
            size="sm"
            disabled={streaming || turns.length === 0}
            onClick={chat.clear}
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
          <form onSubmit={send} className="grid gap-2">
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
                <Button variant="outline" onClick={chat.stop}>
                  <SquareIcon aria-hidden />
                  Stop
                </Button>
              ) : null}
              <Button type="submit" disabled={streaming || !message.trim() || 'error' in sampling}>
                <SendIcon aria-hidden />
                Send
              </Button>
            </div>
          </form>
        </CardContent>
      </Card>

      <Card className="min-w-0 lg:col-start-1 lg:row-start-2">
        <CardContent className="pt-4 sm:pt-6">
          <DecisionPanel decision={chat.decision} error={chat.decisionError} target={chat.target} />
        </CardContent>
      </Card>
    </div>
  );
}
