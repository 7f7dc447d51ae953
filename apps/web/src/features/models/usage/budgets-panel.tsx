import { useQuery } from '@tanstack/react-query';
import { PencilIcon, PlusIcon, Trash2Icon } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog.tsx';
import { KeyLimitsDialog, type KeyLimitsTarget } from '@/features/models/usage/key-limits-dialog.tsx';
import { limitFieldInfo, LimitFields, UsageBar } from '@/features/models/usage/limit-fields.tsx';
import { EmptyState, LoadingRows } from '@/components/page-header.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { FormError } from '@/components/ui/field.tsx';
import type { ApiKey, ModelBudget } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { modelBudgetsQuery } from '@/features/models/models.queries.ts';
import { budgetFields, keyIsActive, keysWithout, limitsRequest, limitTexts, noLimits, type BudgetField } from '@/features/models/usage/usage.ts';
import { toast } from '@/lib/toast.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { useSetModelBudget } from '@/features/models/usage/use-set-model-budget.ts';

const noUsage: ModelBudget['usage'] = { requestsThisMinute: 0, tokensThisMinute: 0, spendToday: 0, spendThisMonth: 0 };

function WorkspaceLimitsForm({ workspaceId, budget, manage }: { workspaceId: string; budget: ModelBudget | undefined; manage: boolean }) {
  const { serverError, guard } = useServerError();
  const [texts, setTexts] = useState(() => limitTexts(budget?.limits));
  const [invalid, setInvalid] = useState<BudgetField[]>([]);
  const { pending, setBudget } = useSetModelBudget(workspaceId);

  const save = guard(async () => {
    const request = limitsRequest(texts);
    setInvalid(request.ok ? [] : request.invalid);
    if (!request.ok) return;
    await setBudget(request.limits);
    toast.success('Limits saved', noLimits(request.limits) ? 'The workspace has no limits now.' : undefined);
  });

  return (
    <form
      noValidate
      className="grid gap-4"
      aria-label="Workspace limits"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void save(undefined);
      }}
    >
      <LimitFields idPrefix="budget" texts={texts} onChange={setTexts} invalid={invalid} disabled={!manage} usage={budget?.usage ?? noUsage} />
      <FormError message={serverError} />
      {manage ? (
        <div className="flex flex-col gap-2 sm:flex-row sm:items-center sm:justify-between">
          <p className="text-xs text-muted-foreground">A call over a limit is answered 429 budget_exceeded. Empty fields mean no limit; all empty removes the limits.</p>
          <Button type="submit" disabled={pending} className="shrink-0">
            {pending ? 'Saving…' : 'Save limits'}
          </Button>
        </div>
      ) : null}
    </form>
  );
}

function KeyBudgetRow({ budget, name, inactive, manage, onEdit, onRemove }: { budget: ModelBudget; name: string; inactive: 'revoked' | 'expired' | null; manage: boolean; onEdit: () => void; onRemove: () => void }) {
  return (
    <li className="grid gap-2 rounded-lg border p-3 sm:grid-cols-[10rem_repeat(4,minmax(0,1fr))_auto] sm:items-start" aria-label={`Limits of ${name}`}>
      <div className="flex min-w-0 flex-wrap items-center gap-1.5">
        <span className="truncate font-medium" title={budget.keyId ?? ''}>
          {name}
        </span>
        {inactive ? <Badge variant="secondary">{inactive}</Badge> : null}
      </div>
      {budgetFields.map((field) => (
        <div key={field} className="grid gap-1">
          <span className="text-xs sm:hidden">{limitFieldInfo[field].label}</span>
          <UsageBar used={budget.usage[limitFieldInfo[field].usage]} limit={budget.limits[field]} money={limitFieldInfo[field].money} />
        </div>
      ))}
      {manage ? (
        <div className="flex justify-end">
          <Button variant="ghost" size="icon" aria-label={`Edit limits of ${name}`} onClick={onEdit}>
            <PencilIcon aria-hidden />
          </Button>
          <Button variant="ghost" size="icon" aria-label={`Remove limits of ${name}`} onClick={onRemove}>
            <Trash2Icon aria-hidden />
          </Button>
        </div>
      ) : null}
    </li>
  );
}

/** The per-key column headings, shown once above the rows from `sm` up (phones label each value). */
function KeyBudgetHeadings({ manage }: { manage: boolean }) {
  return (
    <div aria-hidden className="hidden gap-2 px-3 text-xs text-muted-foreground sm:grid sm:grid-cols-[10rem_repeat(4,minmax(0,1fr))_auto]">
      <span>Key</span>
      {budgetFields.map((field) => (
        <span key={field}>{limitFieldInfo[field].label}</span>
      ))}
      {manage ? <span className="w-18" /> : null}
    </div>
  );
}

/**
 * Limits of the workspace and of single API keys (requests and tokens per minute, spend per day and month) with
 * what is used of them now. A call made with a key must stay within both. `keys` are the workspace's API keys
 * (empty for people who may not list them: rows then show key ids).
 */
export function BudgetsPanel({ workspaceId, manage, keys }: { workspaceId: string; manage: boolean; keys: readonly ApiKey[] }) {
  const { setBudget } = useSetModelBudget(workspaceId);
  // Usage of a per-minute limit changes by the second: keep it roughly current while the panel is shown.
  const budgets = useQuery({ ...modelBudgetsQuery(workspaceId), refetchInterval: 15_000 });
  const [editing, setEditing] = useState<KeyLimitsTarget | null>(null);
  const [removing, setRemoving] = useState<{ keyId: string; name: string } | null>(null);
  if (budgets.isPending) return <LoadingRows />;
  if (budgets.isError) return <FormError message={errorMessage(budgets.error)} />;

  const byId = new Map(keys.map((key) => [key.id, key]));
  const nameOf = (keyId: string) => byId.get(keyId)?.name ?? keyId;
  const workspaceBudget = budgets.data.find((budget) => budget.keyId === null);
  const keyBudgets = budgets.data.filter((budget): budget is ModelBudget & { keyId: string } => budget.keyId !== null);
  const choices = keysWithout(keys, keyBudgets.map((budget) => budget.keyId), Date.now());

  return (
    <div className="grid gap-6">
      <WorkspaceLimitsForm key={JSON.stringify(workspaceBudget?.limits ?? null)} workspaceId={workspaceId} budget={workspaceBudget} manage={manage} />
      <section className="grid gap-3 border-t pt-4" aria-label="API key limits">
        <div className="flex flex-wrap items-end justify-between gap-2">
          <div className="grid gap-0.5">
            <h3 className="text-sm font-medium">API keys with their own limits</h3>
            <p className="text-xs text-muted-foreground">A call made with such a key must stay within the key’s limits and the workspace’s.</p>
          </div>
          {manage ? (
            <Button variant="outline" size="sm" disabled={choices.length === 0} title={choices.length === 0 ? (keysWithout(keys, [], Date.now()).length === 0 ? 'No active API keys yet (create them under API keys)' : 'Every active API key has limits of its own') : undefined} onClick={() => setEditing({ choices })}>
              <PlusIcon aria-hidden />
              Add key limits
            </Button>
          ) : null}
        </div>
        {keyBudgets.length === 0 ? (
          <EmptyState>
            No API key has limits of its own{manage && keysWithout(keys, [], Date.now()).length === 0 ? ', and the workspace has no active API keys yet (create them under API keys)' : ''}.
          </EmptyState>
        ) : (
          <>
            <KeyBudgetHeadings manage={manage} />
            <ul className="grid gap-2">
              {keyBudgets.map((budget) => {
                const key = byId.get(budget.keyId);
                const name = nameOf(budget.keyId);
                return (
                  <KeyBudgetRow
                    key={budget.keyId}
                    budget={budget}
                    name={name}
                    inactive={!key || keyIsActive(key, Date.now()) ? null : key.revokedAt ? 'revoked' : 'expired'}
                    manage={manage}
                    onEdit={() => setEditing({ budget, name })}
                    onRemove={() => setRemoving({ keyId: budget.keyId, name })}
                  />
                );
              })}
            </ul>
          </>
        )}
      </section>
      {manage ? (
        <>
          <KeyLimitsDialog workspaceId={workspaceId} target={editing} onClose={() => setEditing(null)} />
          <ConfirmDialog
            open={removing !== null}
            onOpenChange={(open) => {
              if (!open) setRemoving(null);
            }}
            title="Remove key limits?"
            description={removing ? `Calls with ${removing.name} are then limited by the workspace’s limits alone.` : ''}
            confirmLabel="Remove limits"
            onConfirm={async () => {
              if (!removing) return;
              await setBudget({ keyId: removing.keyId, requestsPerMinute: null, tokensPerMinute: null, spendPerDay: null, spendPerMonth: null });
              toast.success('Key limits removed', removing.name);
            }}
          />
        </>
      ) : null}
    </div>
  );
}
