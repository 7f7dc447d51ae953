import { Field } from '@/components/ui/field.tsx';
import { Input } from '@/components/ui/input.tsx';
import type { ModelBudget } from '@/lib/api.ts';
import { formatCost } from '@/features/models/models.ts';
import { budgetFields, parseLimit, usedShare, type BudgetField, type LimitTexts } from '@/features/models/usage/usage.ts';
import { cn } from '@/lib/utils.ts';

export type BudgetUsage = ModelBudget['usage'];

export const limitFieldInfo: Record<BudgetField, { label: string; usage: keyof BudgetUsage; money: boolean; placeholder: string }> = {
  requestsPerMinute: { label: 'Requests per minute', usage: 'requestsThisMinute', money: false, placeholder: '60' },
  tokensPerMinute: { label: 'Tokens per minute', usage: 'tokensThisMinute', money: false, placeholder: '100000' },
  spendPerDay: { label: 'Spend per day ($)', usage: 'spendToday', money: true, placeholder: '5' },
  spendPerMonth: { label: 'Spend per month ($)', usage: 'spendThisMonth', money: true, placeholder: '100' },
};

/** What is used of one limit now: a bar coloured by how close it is, and the numbers. */
export function UsageBar({ used, limit, money }: { used: number; limit: number | null; money: boolean }) {
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

/**
 * The four limit inputs (requests and tokens per minute, spend per day and month), each with what is used of it
 * when `usage` is given. Empty means no limit.
 */
export function LimitFields({
  idPrefix,
  texts,
  onChange,
  invalid,
  disabled,
  usage,
  className,
}: {
  idPrefix: string;
  texts: LimitTexts;
  onChange: (texts: LimitTexts) => void;
  invalid: readonly BudgetField[];
  disabled?: boolean;
  usage?: BudgetUsage;
  className?: string;
}) {
  return (
    <div className={cn('grid gap-4 sm:grid-cols-2 lg:grid-cols-4', className)}>
      {budgetFields.map((field) => {
        const info = limitFieldInfo[field];
        const id = `${idPrefix}-${field}`;
        const limit = parseLimit(texts[field]);
        const wrong = invalid.includes(field);
        return (
          <Field key={field} id={id} label={info.label} error={wrong ? 'Zero or more, or empty for no limit.' : undefined}>
            <Input
              id={id}
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              placeholder={`no limit (e.g. ${info.placeholder})`}
              disabled={disabled}
              aria-invalid={wrong ? true : undefined}
              aria-describedby={wrong ? `${id}-error` : undefined}
              value={texts[field]}
              onChange={(event) => onChange({ ...texts, [field]: event.target.value })}
            />
            {usage ? <UsageBar used={usage[info.usage]} limit={limit.ok ? limit.value : null} money={info.money} /> : null}
          </Field>
        );
      })}
    </div>
  );
}
