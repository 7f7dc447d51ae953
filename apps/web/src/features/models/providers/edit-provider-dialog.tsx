import { zodResolver } from '@hookform/resolvers/zod';
import { useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import { Dialog, FormDialogFooter } from '@/components/ui/dialog.tsx';
import { Field } from '@/components/ui/field.tsx';
import { Input } from '@/components/ui/input.tsx';
import type { ModelProvider } from '@/lib/api.ts';
import { modelsApi } from '@/features/models/models.api.ts';
import { addressKind, providerChanges, suggestLocality } from '@/features/models/providers/providers.ts';
import { useServerError } from '@/lib/use-server-error.ts';

const seconds = z.string().refine((text) => text.trim() === '' || (Number.isFinite(Number(text)) && Number(text) >= 0.1 && Number(text) <= 3_600), 'From 0.1 to 3,600 seconds.');

const schema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter a name.')
    .max(100, 'At most 100 characters.')
    .regex(/^[\w.-]+$/, 'Letters, digits, ".", "_" or "-" only.'),
  baseUrl: z
    .string()
    .trim()
    .refine((text) => /^https?:\/\/[^\s/]+/i.test(text) && URL.canParse(text), 'Enter an http:// or https:// URL.'),
  locality: z.enum(['local', 'hosted']),
  apiKey: z.string().max(4_000, 'At most 4,000 characters.'),
  removeApiKey: z.boolean(),
  connectSeconds: seconds,
  firstTokenSeconds: seconds,
  totalSeconds: seconds,
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
    <form
      noValidate
      className="grid gap-4"
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
      <fieldset className="grid gap-2">
        <legend className="mb-2 text-sm font-medium">Locality</legend>
        <div className="grid grid-cols-2 gap-1 rounded-lg bg-muted p-1">
          {(['local', 'hosted'] as const).map((value) => (
            <label
              key={value}
              className="flex cursor-pointer items-center justify-center rounded-md px-2 py-1.5 text-sm font-medium text-muted-foreground transition-colors hover:text-foreground has-[:checked]:bg-background has-[:checked]:text-foreground has-[:checked]:shadow-sm has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring"
            >
              <input type="radio" value={value} className="sr-only" {...form.register('locality')} />
              {value === 'local' ? 'Local' : 'Hosted'}
            </label>
          ))}
        </div>
        {locality === 'hosted' && (kind === 'loopback' || kind === 'private') ? (
          <p className="text-xs text-destructive" role="alert">
            A hosted provider cannot use an address on this machine or your network: choose Local.
          </p>
        ) : suggestion.reason && locality === 'local' ? (
          <p className="text-xs text-muted-foreground">{suggestion.reason}</p>
        ) : null}
      </fieldset>
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
      <div className="grid grid-cols-3 gap-2">
        <Field id="edit-provider-connect" label="Connect (s)" error={errors.connectSeconds?.message} hint="Default 30">
          <Input id="edit-provider-connect" inputMode="decimal" placeholder="30" {...form.register('connectSeconds')} />
        </Field>
        <Field id="edit-provider-first-token" label="First token (s)" error={errors.firstTokenSeconds?.message} hint="Default 120">
          <Input id="edit-provider-first-token" inputMode="decimal" placeholder="120" {...form.register('firstTokenSeconds')} />
        </Field>
        <Field id="edit-provider-total" label="Total (s)" error={errors.totalSeconds?.message} hint="Default 600">
          <Input id="edit-provider-total" inputMode="decimal" placeholder="600" {...form.register('totalSeconds')} />
        </Field>
      </div>
      <FormDialogFooter error={serverError} onCancel={onCancel} submitDisabled={isSubmitting}>
        {isSubmitting ? 'Saving…' : 'Save'}
      </FormDialogFooter>
    </form>
  );
}

/** "Edit provider": everything but the type; a declared provider never gets here (it changes in stead.config.yaml). */
export function EditProviderDialog({
  workspaceId,
  provider,
  onOpenChange,
  onSaved,
}: {
  workspaceId: string;
  provider: ModelProvider | null;
  onOpenChange: (open: boolean) => void;
  onSaved: (provider: ModelProvider) => void;
}) {
  return (
    <Dialog open={provider !== null} onOpenChange={onOpenChange} title={provider ? `Edit ${provider.name}` : 'Edit provider'} className="max-w-xl">
      {provider ? (
        <EditProviderForm
          key={provider.id}
          workspaceId={workspaceId}
          provider={provider}
          onCancel={() => onOpenChange(false)}
          onSaved={(saved) => {
            onSaved(saved);
            onOpenChange(false);
          }}
        />
      ) : null}
    </Dialog>
  );
}
