import { useState, type FormEvent } from 'react';
import { LimitFields } from '@/features/models/usage/limit-fields.tsx';
import { Dialog, FormDialogFooter } from '@/components/ui/dialog.tsx';
import { Field } from '@/components/ui/field.tsx';
import { NativeSelect } from '@/components/ui/input.tsx';
import type { ApiKey, ModelBudget } from '@/lib/api.ts';
import { limitsRequest, limitTexts, noLimits, type BudgetField } from '@/features/models/usage/usage.ts';
import { toast } from '@/lib/toast.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { useSetModelBudget } from '@/features/models/usage/use-set-model-budget.ts';
import { ApiKeyOptions } from '@/features/keys/api-key-options.tsx';

/** What the dialog works on: a key's saved limits, or new limits for a key picked from `choices`. */
export type KeyLimitsTarget = { budget: ModelBudget; name: string } | { choices: readonly ApiKey[] };

function KeyLimitsForm({ workspaceId, target, onDone }: { workspaceId: string; target: KeyLimitsTarget; onDone: () => void }) {
  const { serverError, setServerError, guard } = useServerError();
  const editing = 'budget' in target ? target : null;
  const [keyId, setKeyId] = useState(editing?.budget.keyId ?? '');
  const [texts, setTexts] = useState(() => limitTexts(editing?.budget.limits));
  const [invalid, setInvalid] = useState<BudgetField[]>([]);
  const [keyError, setKeyError] = useState<string | undefined>();
  const { pending, setBudget } = useSetModelBudget(workspaceId);

  const save = guard(async () => {
    const request = limitsRequest(texts);
    setInvalid(request.ok ? [] : request.invalid);
    setKeyError(keyId ? undefined : 'Pick an API key.');
    if (!request.ok || !keyId) return;
    // A new key budget needs something in it; emptying saved ones removes them.
    if (!editing && noLimits(request.limits)) return setServerError('Set at least one limit.');
    await setBudget({ keyId, ...request.limits });
    const name = editing?.name ?? ('choices' in target ? target.choices.find((key) => key.id === keyId)?.name : undefined) ?? keyId;
    toast.success(noLimits(request.limits) ? 'Key limits removed' : 'Key limits saved', name);
    onDone();
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
      {'choices' in target ? (
        <Field id="key-budget-key" label="API key" error={keyError} hint="Calls with this key must stay within its limits and the workspace's.">
          <NativeSelect
            id="key-budget-key"
            value={keyId}
            aria-invalid={keyError ? true : undefined}
            aria-describedby={keyError ? 'key-budget-key-error' : undefined}
            onChange={(event) => {
              setKeyId(event.target.value);
              setKeyError(undefined);
            }}
          >
            <option value="">Choose a key…</option>
            <ApiKeyOptions keys={target.choices} />
          </NativeSelect>
        </Field>
      ) : null}
      <LimitFields
        idPrefix="key-budget"
        texts={texts}
        onChange={(next) => {
          setTexts(next);
          setServerError(null);
        }} invalid={invalid} usage={editing?.budget.usage} className="lg:grid-cols-2" />
      <p className="text-xs text-muted-foreground">{editing ? 'Empty fields mean no limit; all empty removes the key’s limits.' : 'Empty fields mean no limit.'}</p>
      <FormDialogFooter error={serverError} onCancel={onDone} submitDisabled={pending}>
        {pending ? 'Saving…' : 'Save limits'}
      </FormDialogFooter>
    </form>
  );
}

/** Adds limits for one API key, or edits a key's limits. */
export function KeyLimitsDialog({ workspaceId, target, onClose }: { workspaceId: string; target: KeyLimitsTarget | null; onClose: () => void }) {
  return (
    <Dialog
      open={target !== null}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={target && 'budget' in target ? `Limits of ${target.name}` : 'Limits for an API key'}
      description="Requests and tokens per minute, spend per day and month, checked before every call made with the key."
    >
      {target ? <KeyLimitsForm workspaceId={workspaceId} target={target} onDone={onClose} /> : null}
    </Dialog>
  );
}
