import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { LoadingRows } from '@/components/page-header.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Field, FormError } from '@/components/ui/field.tsx';
import { Input } from '@/components/ui/input.tsx';
import { api, type ModelBudget } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { modelBudgetsQuery } from '@/lib/model-queries.ts';
import { budgetFields, formatCost, parseLimit, usedShare, type BudgetField } from '@/lib/models.ts';
import { queryKeys } from '@/lib/queries.ts';
import { toast } from '@/lib/toast.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { cn } from '@/lib/utils.ts';

type Usage = ModelBudget['usage'];

const fieldInfo: Record<BudgetField, { label: string; usage: keyof Usage; money: boolean; placeholder: string }> = {
  requestsPerMinute: { label: 'Requests per minute', usage: 'requestsThisMinute', money: false, placeholder: '60' },
  tokensPerMinute: { label: 'Tokens per minute', usage: 'tokensThisMinute', money: false, placeholder: '100000' },
  spendPerDay: { label: 'Spend per day ($)', usage: 'spendToday', money: true, placeholder: '5' },
  spendPerMonth: { label: 'Spend per month ($)', usage: 'spendThisMonth', money: true, placeholder: '100' },
};

const noUsage: Usage = { requestsThisMinute: 0, tokensThisMinute: 0, spendToday: 0, spendThisMonth: 0 };

function UsageBar({ used, limit, money }: { used: number; limit: number | null; money: boolean }) {
  const share = usedShare(used, limit);
  const format = (value: number) => (money ? formatCost(value) : value.toLocaleString('en'));
  return (
    <div className="grid gap-1">
      {share === null ? null : (
        <progress
          value={Math.round(share * 1000)}
          max={1000}
          aria-label="Used"
          className={cn(
            'h-1.5 w-full appearance-none overflow-hidden rounded-full [&::-moz-progress-bar]:rounded-full [&::-webkit-progress-bar]:bg-muted [&::-webkit-progress-value]:rounded-full',
            share >= 1 ? '[&::-webkit-progress-value]:bg-destructive [&::-moz-progress-bar]:bg-destructive' : share >= 0.8 ? '[&::-webkit-progress-value]:bg-warning [&::-moz-progress-bar]:bg-warning' : '[&::-webkit-progress-value]:bg-success [&::-moz-progress-bar]:bg-success',
          )}
        />
      )}
      <p className="text-xs text-muted-foreground tabular-nums">
        {format(used)} used{limit === null ? ', no limit' : ` of ${format(limit)}`}
      </p>
    </div>
  );
}

function LimitsForm({ workspaceId, budget, manage }: { workspaceId: string; budget: ModelBudget | undefined; manage: boolean }) {
  const queryClient = useQueryClient();
  const { serverError, guard } = useServerError();
  const initial = () => Object.fromEntries(budgetFields.map((field) => [field, budget?.limits[field] == null ? '' : String(budget.limits[field])])) as Record<BudgetField, string>;
  const [values, setValues] = useState(initial);
  const [invalid, setInvalid] = useState<BudgetField[]>([]);
  const [pending, setPending] = useState(false);
  const usage = budget?.usage ?? noUsage;

  const save = guard(async () => {
    const parsed = budgetFields.map((field) => [field, parseLimit(values[field])] as const);
    const bad = parsed.filter(([, result]) => !result.ok).map(([field]) => field);
    setInvalid(bad);
    if (bad.length > 0) return;
    const limits = Object.fromEntries(parsed.map(([field, result]) => [field, result.ok ? result.value : null])) as Record<BudgetField, number | null>;
    setPending(true);
    try {
      const { budgets } = await api.setModelBudget(workspaceId, limits);
      queryClient.setQueryData(queryKeys.modelBudgets(workspaceId), budgets);
      toast.success('Limits saved', Object.values(limits).every((value) => value === null) ? 'The workspace has no limits now.' : undefined);
    } finally {
      setPending(false);
    }
  });

  return (
    <form
      noValidate
      className="grid gap-4"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void save(undefined);
      }}
    >
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {budgetFields.map((field) => {
          const info = fieldInfo[field];
          const limit = parseLimit(values[field]);
          return (
            <Field key={field} id={`budget-${field}`} label={info.label} error={invalid.includes(field) ? 'Zero or more, or empty for no limit.' : undefined}>
              <Input
                id={`budget-${field}`}
                type="number"
                inputMode="decimal"
                min={0}
                step="any"
                placeholder={`no limit (e.g. ${info.placeholder})`}
                disabled={!manage}
                aria-invalid={invalid.includes(field) ? true : undefined}
                value={values[field]}
                onChange={(event) => setValues({ ...values, [field]: event.target.value })}
              />
              <UsageBar used={usage[info.usage]} limit={limit.ok ? limit.value : null} money={info.money} />
            </Field>
          );
        })}
      </div>
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

/** Workspace limits (requests and tokens per minute, spend per day and month) with what is used of them now. */
export function BudgetsPanel({ workspaceId, manage, keyNames }: { workspaceId: string; manage: boolean; keyNames: ReadonlyMap<string, string> }) {
  // Usage of a per-minute limit changes by the second: keep it roughly current while the panel is shown.
  const budgets = useQuery({ ...modelBudgetsQuery(workspaceId), refetchInterval: 15_000 });
  if (budgets.isPending) return <LoadingRows />;
  if (budgets.isError) return <FormError message={errorMessage(budgets.error)} />;
  const workspaceBudget = budgets.data.find((budget) => budget.keyId === null);
  const keyBudgets = budgets.data.filter((budget) => budget.keyId !== null);
  return (
    <div className="grid gap-4">
      <LimitsForm key={JSON.stringify(workspaceBudget?.limits ?? null)} workspaceId={workspaceId} budget={workspaceBudget} manage={manage} />
      {keyBudgets.length > 0 ? (
        <div className="grid gap-2">
          <h3 className="text-sm font-medium">API keys with their own limits</h3>
          <ul className="grid gap-2">
            {keyBudgets.map((budget) => (
              <li key={budget.keyId} className="grid gap-2 rounded-lg border p-3 sm:grid-cols-[10rem_repeat(4,minmax(0,1fr))] sm:items-start">
                <span className="truncate font-medium" title={budget.keyId ?? ''}>
                  {keyNames.get(budget.keyId ?? '') ?? budget.keyId}
                </span>
                {budgetFields.map((field) => (
                  <div key={field} className="grid gap-1">
                    <span className="text-xs sm:hidden">{fieldInfo[field].label}</span>
                    <UsageBar used={budget.usage[fieldInfo[field].usage]} limit={budget.limits[field]} money={fieldInfo[field].money} />
                  </div>
                ))}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
