import { zodResolver } from '@hookform/resolvers/zod';
import { useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import { closingFormActions, DialogForm, EditItemDialog } from '@/components/form-dialog.tsx';
import { FormDialogFooter } from '@/components/ui/dialog.tsx';
import { Field } from '@/components/ui/field.tsx';
import { Input } from '@/components/ui/input.tsx';
import type { ModelProvider } from '@/lib/api.ts';
import { modelsApi } from '@/features/models/models.api.ts';
import { isHttpUrl, LocalityFieldset, providerCommonFields, providerNameSchema, TimeoutInputs } from '@/features/models/providers/provider-fields.tsx';
import { addressKind, providerChanges, suggestLocality } from '@/features/models/providers/providers.ts';
import { useServerError } from '@/lib/use-server-error.ts';

const schema = z.object({
  name: providerNameSchema('Letters, digits, ".", "_" or "-" only.'),
  baseUrl: z
    .string()
    .trim()
    .refine(isHttpUrl, 'Enter an http:// or https:// URL.'),
  removeApiKey: z.boolean(),
  ...providerCommonFields,
});
type Values = z.infer<typeof schema>;

const secondsOf = (ms: number | undefined) => (ms === undefined ? '' : String(ms / 1_000));

function EditProviderForm({ workspaceId, provider, onSaved, onCancel }: { workspaceId: string; provider: ModelProvider; onSaved: (provider: ModelProvider) => void; onCancel: () => void }) {
  const { serverError, guard } = useServerError();
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: {
      name: provider.name,
      baseUrl: provider.baseUrl,
      locality: provider.locality,
      apiKey: '',
      removeApiKey: false,
      connectSeconds: secondsOf(provider.timeouts?.connectMs),
      firstTokenSeconds: secondsOf(provider.timeouts?.firstTokenMs),
      totalSeconds: secondsOf(provider.timeouts?.totalMs),
    },
  });
  const { errors, isSubmitting } = form.formState;
  const [baseUrl, locality, removeApiKey] = useWatch({ control: form.control, name: ['baseUrl', 'locality', 'removeApiKey'] });
  const kind = addressKind(baseUrl);
  const suggestion = suggestLocality(baseUrl, provider.type);
  return (
    <DialogForm
      onSubmit={form.handleSubmit(
        guard(async (values) => {
          const changes = providerChanges(provider, values);
          if (Object.keys(changes).length === 0) return onCancel();
          onSaved((await modelsApi.updateProvider(workspaceId, provider.id, changes)).provider);
        }),
      )}
    >
      <Field id="edit-provider-name" label="Name" error={errors.name?.message} hint="Clients, aliases and rules that name old-name/model must follow a new name.">
        <Input id="edit-provider-name" autoComplete="off" spellCheck={false} {...form.register('name')} />
      </Field>
      <Field id="edit-provider-base-url" label="Base URL" error={errors.baseUrl?.message}>
        <Input id="edit-provider-base-url" type="url" inputMode="url" autoComplete="off" spellCheck={false} {...form.register('baseUrl')} />
      </Field>
      <LocalityFieldset registration={form.register('locality')}>
        {locality === 'hosted' && (kind === 'loopback' || kind === 'private') ? (
          <p className="text-xs text-destructive" role="alert">
            A hosted provider cannot use an address on this machine or your network: choose Local.
          </p>
        ) : suggestion.reason && locality === 'local' ? (
          <p className="text-xs text-muted-foreground">{suggestion.reason}</p>
        ) : null}
      </LocalityFieldset>
      <Field
        id="edit-provider-api-key"
        label="Replace API key"
        error={errors.apiKey?.message}
        hint={provider.hasApiKey ? 'A key is stored (never shown). Leave empty to keep it.' : 'No key is stored. Leave empty for servers without keys.'}
      >
        <Input id="edit-provider-api-key" type="password" autoComplete="off" spellCheck={false} disabled={removeApiKey} {...form.register('apiKey')} />
      </Field>
      {provider.hasApiKey ? (
        <label className="-mt-2 flex items-center gap-2 text-sm">
          <input type="checkbox" className="size-4 accent-primary" {...form.register('removeApiKey')} />
          Remove the stored key
        </label>
      ) : null}
      <TimeoutInputs
        className="grid grid-cols-3 gap-2"
        ids={{ connectSeconds: 'edit-provider-connect', firstTokenSeconds: 'edit-provider-first-token', totalSeconds: 'edit-provider-total' }}
        register={(name) => form.register(name)}
        errors={errors}
      />
      <FormDialogFooter error={serverError} onCancel={onCancel} submitDisabled={isSubmitting}>
        {isSubmitting ? 'Saving…' : 'Save'}
      </FormDialogFooter>
    </DialogForm>
  );
}

/** "Edit provider": everything but the type; a declared provider never gets here (it changes in stead.config.yaml). */
export function EditProviderDialog({
  workspaceId,
  provider,
  onClose,
  onSaved,
}: {
  workspaceId: string;
  provider: ModelProvider | null;
  onClose: () => void;
  onSaved: (provider: ModelProvider) => void;
}) {
  return (
    <EditItemDialog item={provider} title={provider ? `Edit ${provider.name}` : 'Edit provider'} className="max-w-xl" onClose={onClose}>
      {(item) => <EditProviderForm workspaceId={workspaceId} provider={item} {...closingFormActions(onClose, onSaved)} />}
    </EditItemDialog>
  );
}
