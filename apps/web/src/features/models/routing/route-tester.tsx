import { SteadApiError } from '@stead/api-client';
import { useMutation } from '@tanstack/react-query';
import { RouteIcon } from 'lucide-react';
import { useId, useState, type FormEvent } from 'react';
import { CheckboxGroup } from '@/components/checkbox-group.tsx';
import { LocalityBadge } from '@/features/models/model-badges.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Field } from '@/components/ui/field.tsx';
import { Input, NativeSelect, ValueOptions } from '@/components/ui/input.tsx';
import { api, type ApiKey, type DataClass, type DataClassDefaults, type RouteDecision } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { dataClasses, dataClassHints, formatSeconds, latencyTiers, modelCapabilities } from '@/features/models/models.ts';
import { routeTestQuery, type RouteTestForm } from '@/features/models/routing/routing.ts';
import { ApiKeyOptions } from '@/features/keys/api-key-options.tsx';

/** A refusal as the tester shows it: the stable code (route_no_private_target, model_not_found) and the message. */
function RefusalBox({ error }: { error: unknown }) {
  const code = error instanceof SteadApiError ? error.code : null;
  return (
    <div role="alert" className="grid gap-1 rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm">
      {code ? <code className="text-xs font-semibold text-destructive">{code}</code> : null}
      <p className="break-words text-destructive">{errorMessage(error)}</p>
    </div>
  );
}

function DecisionView({ decision }: { decision: RouteDecision }) {
  return (
    <div className="grid gap-3" aria-label="Routing decision">
      <p className="text-sm">
        <span className="text-muted-foreground">Reason: </span>
        {decision.reason}
      </p>
      {decision.candidates.length === 0 ? (
        <p className="text-sm text-muted-foreground">No candidate would serve it.</p>
      ) : (
        <ol className="grid gap-1.5">
          {decision.candidates.map((candidate, index) => (
            <li key={candidate.model} className="flex min-w-0 items-center gap-2 rounded-md border px-3 py-2 text-sm">
              <span className="w-5 shrink-0 text-muted-foreground tabular-nums">{index + 1}.</span>
              <code className="min-w-0 flex-1 truncate text-xs" title={candidate.model}>
                {candidate.model}
              </code>
              {index === 0 ? <span className="hidden text-xs text-muted-foreground sm:inline">serves first</span> : null}
              <LocalityBadge locality={candidate.locality} />
            </li>
          ))}
        </ol>
      )}
      <p className="text-xs text-muted-foreground">
        Asked for <code>{decision.requested}</code> as {decision.dataClass}
        {decision.needs.length > 0 ? `, needing ${decision.needs.join(', ')}` : ''}. No model was called.
      </p>
      {decision.cacheTtlSeconds ? (
        <p className="text-xs text-muted-foreground">Deterministic answers (temperature 0, not streamed) are cached for {formatSeconds(decision.cacheTtlSeconds)}.</p>
      ) : null}
    </div>
  );
}

/**
 * "Which target would serve this?": the ordered candidates and the reason, without calling a model. With a key
 * chosen it answers as for that key's calls: its default data class and its own spend limits.
 */
export function RouteTester({ workspaceId, suggestions, defaults, keys }: { workspaceId: string; suggestions: readonly string[]; defaults: DataClassDefaults; keys: readonly ApiKey[] }) {
  const listId = useId();
  const [form, setForm] = useState<RouteTestForm>({ model: 'auto', dataClass: '', keyId: '', needs: [], latencyTier: '', estimatedTokens: '' });
  // What a request without the header gets: the chosen key's default, else the workspace's.
  const defaultClass: DataClass = (form.keyId ? defaults.keys[form.keyId] : undefined) ?? defaults.workspace;
  const activeKeys = keys.filter((key) => !key.revokedAt);
  const test = useMutation({ mutationFn: () => api.testModelRoute(workspaceId, routeTestQuery(form)) });
  const set = <K extends keyof RouteTestForm>(field: K, value: RouteTestForm[K]) => setForm((current) => ({ ...current, [field]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    test.mutate();
  };

  return (
    <div className="grid gap-4 lg:grid-cols-2 lg:items-start">
      <form noValidate onSubmit={submit} className="grid min-w-0 gap-4" aria-label="Route tester">
        <div className="grid grid-cols-2 gap-3">
          <Field id="route-test-model" label="Model" hint="A model, an alias or auto">
            <Input id="route-test-model" list={listId} autoComplete="off" spellCheck={false} className="font-mono text-sm" value={form.model} onChange={(event) => set('model', event.target.value)} />
          </Field>
          <datalist id={listId}>
            <option value="auto" />
            {suggestions.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
          <Field id="route-test-data-class" label="Data class" hint={dataClassHints[form.dataClass || defaultClass]}>
            <NativeSelect id="route-test-data-class" value={form.dataClass} onChange={(event) => set('dataClass', event.target.value as RouteTestForm['dataClass'])}>
              <option value="">default ({defaultClass})</option>
              <ValueOptions values={dataClasses} />
            </NativeSelect>
          </Field>
        </div>
        {activeKeys.length > 0 ? (
          <Field id="route-test-key" label="As API key" hint="Its default data class and its own spend limits apply, as for its calls.">
            <NativeSelect id="route-test-key" value={form.keyId} onChange={(event) => set('keyId', event.target.value)}>
              <option value="">no key (the workspace's defaults)</option>
              <ApiKeyOptions keys={activeKeys} />
            </NativeSelect>
          </Field>
        ) : null}
        <CheckboxGroup legend="Needs" options={modelCapabilities} values={form.needs} onChange={(values) => set('needs', values)} />
        <div className="grid grid-cols-2 gap-3">
          <Field id="route-test-latency" label="Latency tier">
            <NativeSelect id="route-test-latency" value={form.latencyTier} onChange={(event) => set('latencyTier', event.target.value as RouteTestForm['latencyTier'])}>
              <option value="">not given</option>
              <ValueOptions values={latencyTiers} />
            </NativeSelect>
          </Field>
          <Field id="route-test-tokens" label="Estimated tokens">
            <Input id="route-test-tokens" type="number" inputMode="numeric" min={0} step={1} placeholder="0" value={form.estimatedTokens} onChange={(event) => set('estimatedTokens', event.target.value)} />
          </Field>
        </div>
        <div>
          <Button type="submit" disabled={test.isPending}>
            <RouteIcon aria-hidden />
            {test.isPending ? 'Testing…' : 'Test route'}
          </Button>
        </div>
      </form>
      <section aria-live="polite" aria-label="Tester result" className="grid min-w-0 gap-2 rounded-lg border bg-muted/40 p-3">
        <h3 className="text-sm font-medium">Would serve</h3>
        {test.isError ? (
          <RefusalBox error={test.error} />
        ) : test.data ? (
          <DecisionView decision={test.data} />
        ) : (
          <p className="text-sm text-muted-foreground">Describe a request and press Test route to see the targets it would reach, in order, and why.</p>
        )}
      </section>
    </div>
  );
}
