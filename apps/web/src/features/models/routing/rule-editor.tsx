import { useQueryClient } from '@tanstack/react-query';
import { ArrowDownIcon, ArrowUpIcon, PlusIcon, Trash2Icon } from 'lucide-react';
import { useState } from 'react';
import { CheckboxGroup } from '@/components/checkbox-group.tsx';
import { DECLARED_HINT, DeclaredBadge } from '@/features/models/model-badges.tsx';
import { EmptyState } from '@/components/page-header.tsx';
import { TargetChain, TargetListEditor } from '@/features/models/routing/target-list-editor.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Field, FormError } from '@/components/ui/field.tsx';
import { Input, NativeSelect, ValueOptions } from '@/components/ui/input.tsx';
import { Switch } from '@/components/ui/switch.tsx';
import { api, type RouteRule } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { dataClasses, formatSeconds, latencyTiers, modelCapabilities, moveItem, removeAt } from '@/features/models/models.ts';
import { describeMatch, MAX_CACHE_TTL_SECONDS, newRuleDraft, ruleToDraft, rulesChanged, rulesRequest, type RuleDraft, type RuleDraftErrors } from '@/features/models/routing/routing.ts';
import { toast } from '@/lib/toast.ts';
import { modelKeys } from '@/features/models/models.queries.ts';

function RuleCard({
  draft,
  index,
  offset,
  count,
  errors,
  suggestions,
  onChange,
  onMove,
  onRemove,
}: {
  draft: RuleDraft;
  index: number;
  /** Rules ahead of the editable ones (declared in stead.config.yaml): numbering continues after them. */
  offset: number;
  count: number;
  errors: RuleDraftErrors | undefined;
  suggestions: readonly string[];
  onChange: (draft: RuleDraft) => void;
  onMove: (delta: number) => void;
  onRemove: () => void;
}) {
  const id = `rule-${draft.key}`;
  const set = <K extends keyof RuleDraft>(field: K, value: RuleDraft[K]) => onChange({ ...draft, [field]: value });
  const number = offset + index + 1;
  const label = draft.name.trim() || `rule ${number}`;
  return (
    <li className="grid min-w-0 gap-4 rounded-lg border p-3 sm:p-4" aria-label={`Rule ${number}: ${label}`}>
      <div className="flex flex-wrap items-start gap-2">
        <span className="mt-2 w-6 shrink-0 text-sm font-medium text-muted-foreground tabular-nums">{number}.</span>
        <div className="min-w-40 flex-1">
          <Input
            id={`${id}-name`}
            aria-label={`Name of rule ${number}`}
            autoComplete="off"
            value={draft.name}
            aria-invalid={errors?.name ? true : undefined}
            onChange={(event) => set('name', event.target.value)}
          />
          {errors?.name ? <p className="mt-1 text-sm text-destructive">{errors.name}</p> : null}
        </div>
        <label className="mt-2 flex items-center gap-2 text-sm">
          <Switch checked={draft.enabled} aria-label={`${label} enabled`} onCheckedChange={(enabled) => set('enabled', enabled)} />
          <span className="text-muted-foreground">{draft.enabled ? 'On' : 'Off'}</span>
        </label>
        <div className="ml-auto flex">
          <Button variant="ghost" size="icon" disabled={index === 0} aria-label={`Move ${label} up`} onClick={() => onMove(-1)}>
            <ArrowUpIcon aria-hidden />
          </Button>
          <Button variant="ghost" size="icon" disabled={index === count - 1} aria-label={`Move ${label} down`} onClick={() => onMove(1)}>
            <ArrowDownIcon aria-hidden />
          </Button>
          <Button variant="ghost" size="icon" aria-label={`Remove ${label}`} onClick={onRemove}>
            <Trash2Icon aria-hidden />
          </Button>
        </div>
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        <div className="grid min-w-0 content-start gap-4">
          <Field id={`${id}-models`} label="When the request asks for" hint="Names or aliases, comma-separated. Empty: auto.">
            <Input id={`${id}-models`} autoComplete="off" spellCheck={false} placeholder="auto" className="font-mono text-sm" value={draft.models} onChange={(event) => set('models', event.target.value)} />
          </Field>
          <CheckboxGroup legend="Data class" hint="None checked: any data class." options={dataClasses} values={draft.dataClasses} onChange={(values) => set('dataClasses', values)} />
          <CheckboxGroup legend="Needs" hint="Applies when the request needs all checked capabilities." options={modelCapabilities} values={draft.needs} onChange={(values) => set('needs', values)} />
          <div className="grid grid-cols-2 gap-3">
            <Field id={`${id}-tokens`} label="Prompt at least" error={errors?.minEstimatedTokens} hint="Estimated tokens">
              <Input
                id={`${id}-tokens`}
                type="number"
                inputMode="numeric"
                min={1}
                step={1}
                placeholder="any"
                value={draft.minEstimatedTokens}
                aria-invalid={errors?.minEstimatedTokens ? true : undefined}
                onChange={(event) => set('minEstimatedTokens', event.target.value)}
              />
            </Field>
            <Field id={`${id}-latency`} label="Latency tier" hint="x-stead-latency">
              <NativeSelect id={`${id}-latency`} value={draft.latencyTier} onChange={(event) => set('latencyTier', event.target.value as RuleDraft['latencyTier'])}>
                <option value="">any</option>
                <ValueOptions values={latencyTiers} />
              </NativeSelect>
            </Field>
          </div>
          <Field
            id={`${id}-budget`}
            label="Spend limit left below (%)"
            error={errors?.budgetRemainingBelowPercent}
            hint="Applies when less than this share of a spend limit (per day or month, of the workspace or the key) is left. Empty: any."
          >
            <Input
              id={`${id}-budget`}
              type="number"
              inputMode="decimal"
              min={0}
              max={100}
              step="any"
              placeholder="any"
              className="sm:max-w-40"
              value={draft.budgetRemainingBelowPercent}
              aria-invalid={errors?.budgetRemainingBelowPercent ? true : undefined}
              onChange={(event) => set('budgetRemainingBelowPercent', event.target.value)}
            />
          </Field>
        </div>
        <div className="grid min-w-0 content-start gap-4">
          <TargetListEditor id={`${id}-target`} label="Then try, in order" targets={draft.targets} onChange={(targets) => set('targets', targets)} suggestions={suggestions} error={errors?.targets} />
          <Field
            id={`${id}-cache`}
            label="Cache answers for (seconds)"
            error={errors?.cacheTtlSeconds}
            hint="Deterministic answers (temperature 0, not streamed) are reused this long; a hit calls no model. Empty: no cache."
          >
            <Input
              id={`${id}-cache`}
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_CACHE_TTL_SECONDS}
              step={1}
              placeholder="no cache"
              className="sm:max-w-40"
              value={draft.cacheTtlSeconds}
              aria-invalid={errors?.cacheTtlSeconds ? true : undefined}
              onChange={(event) => set('cacheTtlSeconds', event.target.value)}
            />
          </Field>
        </div>
      </div>
    </li>
  );
}

/** One saved rule, read-only: a declared one (stead.config.yaml), or any rule for people who may not change them. */
function RuleSummary({ rule, number }: { rule: RouteRule; number: number }) {
  return (
    <li className="grid gap-1.5 rounded-lg border p-3" aria-label={`Rule ${number}: ${rule.name}`} title={rule.declared ? DECLARED_HINT : undefined}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-sm text-muted-foreground tabular-nums">{number}.</span>
        <span className="font-medium">{rule.name}</span>
        {rule.declared ? <DeclaredBadge /> : null}
        {rule.enabled ? null : <Badge variant="secondary">off</Badge>}
        {rule.cacheTtlSeconds ? <Badge variant="outline">cache {formatSeconds(rule.cacheTtlSeconds)}</Badge> : null}
      </div>
      <p className="text-xs text-muted-foreground">When {describeMatch(rule.match)}</p>
      <TargetChain targets={rule.targets} />
    </li>
  );
}

/** The saved rules for people who may not change them. */
export function RuleList({ rules }: { rules: readonly RouteRule[] }) {
  if (rules.length === 0) return <EmptyState>No route rules: requests go to the models they name, local ones first.</EmptyState>;
  return (
    <ol className="grid gap-2" aria-label="Route rules">
      {rules.map((rule, index) => (
        <RuleSummary key={rule.id} rule={rule} number={index + 1} />
      ))}
    </ol>
  );
}

/** Rules made in the dashboard; declared ones (always first) are shown, never sent back. */
const ownRules = (rules: readonly RouteRule[]) => rules.filter((rule) => !rule.declared);

/**
 * The ordered rule list as one editable draft: add, remove, reorder, change conditions and targets, then Save
 * replaces the list on the server. The first enabled rule whose conditions hold picks the targets. Rules declared
 * in stead.config.yaml come first, read-only; Save leaves them out and the server keeps them.
 */
export function RuleEditor({ workspaceId, saved, suggestions }: { workspaceId: string; saved: readonly RouteRule[]; suggestions: readonly string[] }) {
  const queryClient = useQueryClient();
  const [baseline, setBaseline] = useState(saved);
  const [drafts, setDrafts] = useState<RuleDraft[]>(() => ownRules(saved).map(ruleToDraft));
  const [errors, setErrors] = useState<Record<string, RuleDraftErrors>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const dirty = rulesChanged(drafts, ownRules(baseline));
  const declared = saved.filter((rule) => rule.declared);

  // Someone else saved (or the list was refetched) while nothing here was edited: show theirs.
  if (saved !== baseline && !dirty) {
    setBaseline(saved);
    setDrafts(ownRules(saved).map(ruleToDraft));
  }

  const update = (next: RuleDraft[]) => {
    setDrafts(next);
    setServerError(null);
  };

  const save = async () => {
    const request = rulesRequest(drafts);
    if (!request.ok) {
      setErrors(request.errors);
      return;
    }
    setErrors({});
    setServerError(null);
    setPending(true);
    try {
      const { rules } = await api.replaceModelRules(workspaceId, request.rules);
      queryClient.setQueryData(modelKeys.modelRules(workspaceId), rules);
      setBaseline(rules);
      setDrafts(ownRules(rules).map(ruleToDraft));
      toast.success('Route rules saved', `${rules.length} rule${rules.length === 1 ? '' : 's'}.`);
    } catch (error) {
      setServerError(errorMessage(error));
    } finally {
      setPending(false);
    }
  };

  return (
    <div className="grid gap-4">
      {declared.length > 0 ? (
        <ol className="grid gap-2" aria-label="Declared route rules">
          {declared.map((rule, index) => (
            <RuleSummary key={rule.id} rule={rule} number={index + 1} />
          ))}
        </ol>
      ) : null}
      {drafts.length === 0 ? (
        declared.length > 0 ? (
          <p className="text-sm text-muted-foreground">No rules made here: only the declared rules above apply. Rules added here are checked after them.</p>
        ) : (
          <EmptyState>No route rules: requests go to the models they name, local ones first. Add a rule to send, say, private or long prompts somewhere specific.</EmptyState>
        )
      ) : (
        <ol className="grid gap-3" aria-label="Route rules" start={declared.length + 1}>
          {drafts.map((draft, index) => (
            <RuleCard
              key={draft.key}
              draft={draft}
              index={index}
              offset={declared.length}
              count={drafts.length}
              errors={errors[draft.key]}
              suggestions={suggestions}
              onChange={(next) => update(drafts.map((item) => (item.key === draft.key ? next : item)))}
              onMove={(delta) => update(moveItem(drafts, index, delta))}
              onRemove={() => update(removeAt(drafts, index))}
            />
          ))}
        </ol>
      )}
      <FormError message={serverError ?? (Object.keys(errors).length > 0 ? 'Some rules are not complete; see the marked fields.' : null)} />
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:items-center">
        <Button variant="outline" onClick={() => update([...drafts, newRuleDraft(declared.length + drafts.length)])}>
          <PlusIcon aria-hidden />
          Add rule
        </Button>
        <span className="text-xs text-muted-foreground sm:ml-auto" role="status">
          {dirty ? 'Unsaved changes' : 'Saved'}
        </span>
        <Button
          variant="outline"
          disabled={!dirty || pending}
          onClick={() => {
            setErrors({});
            update(ownRules(baseline).map(ruleToDraft));
          }}
        >
          Discard changes
        </Button>
        <Button disabled={!dirty || pending} onClick={() => void save()}>
          {pending ? 'Saving…' : 'Save rules'}
        </Button>
      </div>
    </div>
  );
}
