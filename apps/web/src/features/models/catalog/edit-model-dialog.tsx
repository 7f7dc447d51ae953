import { useState } from 'react';
import { CheckboxGroup } from '@/components/checkbox-group.tsx';
import { closingFormActions, DialogForm, EditItemDialog } from '@/components/form-dialog.tsx';
import { FormDialogFooter } from '@/components/ui/dialog.tsx';
import { Field } from '@/components/ui/field.tsx';
import { Input } from '@/components/ui/input.tsx';
import { errorMessage } from '@/lib/api-error.ts';
import { modelChanges, modelEditValues, type ModelEditValues } from '@/features/models/catalog/catalog.ts';
import { modelsApi, type ModelWithState } from '@/features/models/models.api.ts';
import { modelCapabilities } from '@/features/models/models.ts';

function EditModelForm({ workspaceId, model, onSaved, onCancel }: { workspaceId: string; model: ModelWithState; onSaved: (model: ModelWithState) => void; onCancel: () => void }) {
  const [values, setValues] = useState(() => modelEditValues(model));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof ModelEditValues>(key: K, value: ModelEditValues[K]) => setValues((current) => ({ ...current, [key]: value }));
  return (
    <DialogForm
      onSubmit={(event) => {
        event.preventDefault();
        const result = modelChanges(model, values);
        if ('error' in result) return setError(result.error);
        if (Object.keys(result.changes).length === 0) return onCancel();
        setSaving(true);
        modelsApi
          .updateModel(workspaceId, model.id, result.changes)
          .then(({ model: saved }) => onSaved(saved))
          .catch((failure: unknown) => setError(errorMessage(failure)))
          .finally(() => setSaving(false));
      }}
    >
      <CheckboxGroup
        legend="Capabilities"
        hint="Chat requests (and auto) only go to models with chat; embeddings requests only to models with embeddings."
        options={modelCapabilities}
        values={values.capabilities}
        onChange={(next) => set('capabilities', next)}
      />
      <div className="grid grid-cols-3 items-start gap-2">
        <Field id="edit-model-context" label="Context (tokens)">
          <Input id="edit-model-context" inputMode="numeric" placeholder="unknown" value={values.contextLength} onChange={(event) => set('contextLength', event.target.value)} />
        </Field>
        <Field id="edit-model-input-price" label="$ in / 1M">
          <Input id="edit-model-input-price" inputMode="decimal" placeholder="—" value={values.inputPrice} onChange={(event) => set('inputPrice', event.target.value)} />
        </Field>
        <Field id="edit-model-output-price" label="$ out / 1M">
          <Input id="edit-model-output-price" inputMode="decimal" placeholder="—" value={values.outputPrice} onChange={(event) => set('outputPrice', event.target.value)} />
        </Field>
      </div>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" className="mt-0.5 size-4 accent-primary" checked={values.enabled} onChange={(event) => set('enabled', event.target.checked)} />
        <span>
          Enabled
          <span className="block text-xs text-muted-foreground">A disabled model is never routed to; it stays listed here.</span>
        </span>
      </label>
      <FormDialogFooter error={error} onCancel={onCancel} submitDisabled={saving}>
        {saving ? 'Saving…' : 'Save'}
      </FormDialogFooter>
    </DialogForm>
  );
}

/** "Edit model": correct what discovery guessed. Models of declared providers change in stead.config.yaml only. */
export function EditModelDialog({ workspaceId, model, onClose, onSaved }: { workspaceId: string; model: ModelWithState | null; onClose: () => void; onSaved: (model: ModelWithState) => void }) {
  return (
    <EditItemDialog item={model} title={model ? `Edit ${model.qualifiedName}` : 'Edit model'} className="max-w-lg" onClose={onClose}>
      {(item) => <EditModelForm workspaceId={workspaceId} model={item} {...closingFormActions(onClose, onSaved)} />}
    </EditItemDialog>
  );
}
