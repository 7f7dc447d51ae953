import { useState, type FormEvent } from 'react';
import { TargetListEditor } from '@/features/models/routing/target-list-editor.tsx';
import { closingFormActions, DialogForm, type WorkspaceDialogProps } from '@/components/form-dialog.tsx';
import { Dialog, FormDialogFooter } from '@/components/ui/dialog.tsx';
import { Field } from '@/components/ui/field.tsx';
import { Input } from '@/components/ui/input.tsx';
import { api, type ModelAlias } from '@/lib/api.ts';
import { useServerError } from '@/lib/use-server-error.ts';

function aliasNameError(name: string, taken: readonly string[]): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return 'Enter a name.';
  if (trimmed.length > 100) return 'At most 100 characters.';
  if (!/^[\w.-]+$/.test(trimmed)) return 'Letters, digits, ".", "_" or "-" only.';
  if (trimmed === 'auto') return '"auto" is reserved: it means every chat model.';
  if (taken.includes(trimmed)) return `An alias ${trimmed} exists already; edit it instead.`;
  return undefined;
}

function AliasForm({
  workspaceId,
  alias,
  taken,
  suggestions,
  onSaved,
  onCancel,
}: {
  workspaceId: string;
  alias: ModelAlias | undefined;
  taken: readonly string[];
  suggestions: readonly string[];
  onSaved: (alias: ModelAlias) => void;
  onCancel: () => void;
}) {
  const { serverError, guard } = useServerError();
  const [name, setName] = useState(alias?.name ?? '');
  const [targets, setTargets] = useState<string[]>(alias?.targets ?? []);
  const [submitted, setSubmitted] = useState(false);
  const [pending, setPending] = useState(false);
  const nameError = alias ? undefined : aliasNameError(name, taken);
  const targetsError = targets.length === 0 ? 'Add at least one target.' : undefined;

  const save = guard(async () => {
    setPending(true);
    try {
      onSaved((await api.setModelAlias(workspaceId, alias?.name ?? name.trim(), targets)).alias);
    } finally {
      setPending(false);
    }
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!nameError && !targetsError) void save(undefined);
  };

  return (
    <DialogForm
      onSubmit={submit}
    >
      <Field id="alias-name" label="Name" error={submitted ? nameError : undefined} hint="Clients send it as model, e.g. fast, smart, private, code.">
        <Input
          id="alias-name"
          autoComplete="off"
          spellCheck={false}
          placeholder="fast"
          disabled={Boolean(alias)}
          aria-invalid={submitted && nameError ? true : undefined}
          aria-describedby={submitted && nameError ? 'alias-name-error' : undefined}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </Field>
      <TargetListEditor
        id="alias-target"
        label="Targets"
        targets={targets}
        onChange={setTargets}
        suggestions={suggestions.filter((suggestion) => suggestion !== (alias?.name ?? name.trim()))}
        error={submitted ? targetsError : undefined}
      />
      <p className="text-xs text-muted-foreground">
        Tried in this order; a target that fails before its first token is replaced by the next. Private requests only ever reach local targets.
      </p>
      <FormDialogFooter error={serverError} onCancel={onCancel} submitDisabled={pending}>
        {pending ? 'Saving…' : alias ? 'Save alias' : 'Create alias'}
      </FormDialogFooter>
    </DialogForm>
  );
}

/** "New alias" and "Edit alias": a name and an ordered list of targets. */
export function AliasDialog({
  workspaceId,
  open,
  onOpenChange,
  alias,
  taken,
  suggestions,
  onSaved,
}: WorkspaceDialogProps & {
  /** The alias to edit; none for a new one. */
  alias?: ModelAlias;
  /** Names in use, refused for a new alias. */
  taken: readonly string[];
  suggestions: readonly string[];
  onSaved: (alias: ModelAlias) => void;
}) {
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={alias ? `Edit alias ${alias.name}` : 'New alias'}
      description="A name clients may send as model, standing for an ordered list of targets."
      className="max-w-xl"
    >
      <AliasForm
        workspaceId={workspaceId}
        alias={alias}
        taken={taken}
        suggestions={suggestions}
        {...closingFormActions(() => onOpenChange(false), onSaved)}
      />
    </Dialog>
  );
}
