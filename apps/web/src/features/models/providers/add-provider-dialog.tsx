import { zodResolver } from '@hookform/resolvers/zod';
import { PlusIcon, Trash2Icon, TriangleAlertIcon } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useFieldArray, useForm, useWatch, type UseFormReturn } from 'react-hook-form';
import { z } from 'zod';
import { CheckboxGroup } from '@/components/checkbox-group.tsx';
import { DialogForm, useResultDialog, type WorkspaceDialogProps } from '@/components/form-dialog.tsx';
import { errorAria } from '@/components/form-input.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Dialog, DialogFooter, FormDialogFooter } from '@/components/ui/dialog.tsx';
import { Field } from '@/components/ui/field.tsx';
import { Input, NativeSelect } from '@/components/ui/input.tsx';
import { api, type AddProviderResult, type Locality, type ProviderType } from '@/lib/api.ts';
import { modelCapabilities } from '@/features/models/models.ts';
import { isHttpUrl, LocalityFieldset, providerCommonFields, providerNameSchema, TimeoutInputs } from '@/features/models/providers/provider-fields.tsx';
import { addressKind, declaredModelRequest, emptyDeclaredModel, providerTimeouts, providerTypeInfo, providerTypes, suggestLocality } from '@/features/models/providers/providers.ts';
import { useServerError } from '@/lib/use-server-error.ts';

const optionalNumber = (message: string, check: (value: number) => boolean) =>
  z.string().refine((text) => text.trim() === '' || (Number.isFinite(Number(text)) && check(Number(text))), message);

const schema = z.object({
  name: providerNameSchema('Letters, digits, ".", "_" or "-" only: it becomes the first part of model names (name/model).'),
  type: z.enum(['openai-compatible', 'ollama', 'anthropic', 'huggingface', 'gguf']),
  baseUrl: z
    .string()
    .trim()
    .min(1, 'Enter the base URL.')
    .refine(isHttpUrl, 'Enter an http:// or https:// URL.'),
  discover: z.boolean(),
  ...providerCommonFields,
  models: z.array(
    z.object({
      name: z.string().trim().min(1, 'Enter the model id.').max(200, 'At most 200 characters.'),
      capabilities: z.array(z.enum(['chat', 'tools', 'json', 'vision', 'embeddings', 'code'])).min(1, 'Pick at least one capability.'),
      contextLength: optionalNumber('A whole number of tokens.', (value) => Number.isInteger(value) && value >= 1),
      inputPrice: optionalNumber('Zero or more dollars.', (value) => value >= 0 && value <= 10_000),
      outputPrice: optionalNumber('Zero or more dollars.', (value) => value >= 0 && value <= 10_000),
    }),
  ),
});
type Values = z.infer<typeof schema>;

const localityExplanations: Record<Locality, string> = {
  local:
    'Runs on this machine or your own network; only local providers may serve private data. Stead reaches 127.0.0.1 at the port of Ollama (11434), llama.cpp (8080) or LM Studio (1234) at once; another private address needs an instance administrator to allow it in Instance settings → Allowed hosts.',
  hosted: 'A cloud service. It never receives private requests; its base URL must be a public address.',
};

function DeclaredModels({ form }: { form: UseFormReturn<Values> }) {
  const { fields, append, remove } = useFieldArray({ control: form.control, name: 'models' });
  const rows = useWatch({ control: form.control, name: 'models' });
  const errors = form.formState.errors.models;
  return (
    <fieldset className="grid min-w-0 gap-3">
      <legend className="mb-1 text-sm font-medium">Declared models (optional)</legend>
      <p className="text-xs text-muted-foreground">
        Models the provider does not list itself, or with their capabilities, context length and prices in US dollars per million tokens
        (prices make the usage ledger show costs).
      </p>
      {fields.map((field, index) => {
        const rowErrors = errors?.[index];
        const capabilities = rows[index]?.capabilities ?? [];
        return (
          <div key={field.id} className="grid min-w-0 gap-3 rounded-lg border p-3" aria-label={`Declared model ${index + 1}`} role="group">
            <div className="flex items-start gap-2">
              <Field id={`declared-${index}-name`} label="Model id" error={rowErrors?.name?.message} className="flex-1">
                <Input id={`declared-${index}-name`} autoComplete="off" spellCheck={false} placeholder="gpt-4o-mini" {...form.register(`models.${index}.name`)} />
              </Field>
              <Button variant="ghost" size="icon" className="mt-6" aria-label={`Remove declared model ${index + 1}`} onClick={() => remove(index)}>
                <Trash2Icon aria-hidden />
              </Button>
            </div>
            <CheckboxGroup
              legend="Capabilities"
              options={modelCapabilities}
              values={capabilities}
              error={rowErrors?.capabilities?.message}
              onChange={(values) => form.setValue(`models.${index}.capabilities`, values, { shouldValidate: true })}
            />
            <div className="grid grid-cols-3 gap-2">
              <Field id={`declared-${index}-context`} label="Context" error={rowErrors?.contextLength?.message}>
                <Input id={`declared-${index}-context`} inputMode="numeric" placeholder="128000" {...form.register(`models.${index}.contextLength`)} />
              </Field>
              <Field id={`declared-${index}-input-price`} label="$ in / 1M" error={rowErrors?.inputPrice?.message}>
                <Input id={`declared-${index}-input-price`} inputMode="decimal" placeholder="0.15" {...form.register(`models.${index}.inputPrice`)} />
              </Field>
              <Field id={`declared-${index}-output-price`} label="$ out / 1M" error={rowErrors?.outputPrice?.message}>
                <Input id={`declared-${index}-output-price`} inputMode="decimal" placeholder="0.60" {...form.register(`models.${index}.outputPrice`)} />
              </Field>
            </div>
          </div>
        );
      })}
      <div>
        <Button variant="outline" size="sm" onClick={() => append(emptyDeclaredModel())}>
          <PlusIcon aria-hidden />
          Declare a model
        </Button>
      </div>
    </fieldset>
  );
}

/** The optional per-provider timeouts, in seconds. */
function TimeoutFields({ form }: { form: UseFormReturn<Values> }) {
  const { errors } = form.formState;
  return (
    <details className="group rounded-lg border px-3 py-2">
      <summary className="cursor-pointer text-sm font-medium">Timeouts (optional)</summary>
      <TimeoutInputs
        className="mt-3 grid grid-cols-3 gap-2 pb-1"
        ids={{ connectSeconds: 'provider-connect-timeout', firstTokenSeconds: 'provider-first-token-timeout', totalSeconds: 'provider-total-timeout' }}
        register={(name) => form.register(name)}
        errors={errors}
      />
      <p className="pb-1 text-xs text-muted-foreground">A call that runs out of time before its first token moves on to the next candidate.</p>
    </details>
  );
}

/** A hosted provider on an address inside: the server would refuse it, so say so and offer the fix. */
function HostedOnPrivateAlert({ onUseLocal }: { onUseLocal: () => void }) {
  return (
    <div role="alert" className="-mt-2 flex flex-wrap items-center gap-2 rounded-md border border-warning/40 bg-warning/15 px-3 py-2 text-xs">
      <TriangleAlertIcon aria-hidden className="size-3.5 shrink-0" />
      <span className="min-w-0 flex-1">A hosted provider cannot use an address on this machine or your network: a server you run yourself is Local.</span>
      <Button variant="outline" size="sm" onClick={onUseLocal}>
        Use Local
      </Button>
    </div>
  );
}

function AddProviderForm({ workspaceId, onAdded, onCancel }: { workspaceId: string; onAdded: (result: AddProviderResult) => void; onCancel: () => void }) {
  const { serverError, guard } = useServerError();
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: {
      name: '',
      type: 'openai-compatible',
      baseUrl: '',
      locality: 'hosted',
      apiKey: '',
      discover: true,
      connectSeconds: '',
      firstTokenSeconds: '',
      totalSeconds: '',
      models: [],
    },
  });
  const { errors, isSubmitting } = form.formState;
  const type = useWatch({ control: form.control, name: 'type' });
  const locality = useWatch({ control: form.control, name: 'locality' });
  const baseUrl = useWatch({ control: form.control, name: 'baseUrl' });
  const info = providerTypeInfo[type];
  // Locality follows the base URL and type until the person picks one: a server on this machine is Local.
  const [localityPicked, setLocalityPicked] = useState(false);
  const suggestion = suggestLocality(baseUrl, type);
  useEffect(() => {
    if (!localityPicked && suggestion.locality !== form.getValues('locality')) form.setValue('locality', suggestion.locality);
  }, [form, localityPicked, suggestion.locality]);
  const kind = addressKind(baseUrl);
  const hostedOnPrivate = locality === 'hosted' && (kind === 'loopback' || kind === 'private');
  const { invalid, describedBy } = errorAria(errors);

  return (
    <DialogForm
      onSubmit={form.handleSubmit(
        guard(async (values) => {
          const timeouts = providerTimeouts(values);
          const result = await api.addModelProvider(workspaceId, {
            name: values.name,
            type: values.type,
            baseUrl: values.baseUrl,
            locality: values.locality,
            ...(values.apiKey ? { apiKey: values.apiKey } : {}),
            models: values.models.map(declaredModelRequest),
            discover: values.discover,
            ...(timeouts ? { timeouts } : {}),
          });
          onAdded(result);
        }),
      )}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="provider-name" label="Name" error={errors.name?.message} hint="Model names become name/model, e.g. ollama/llama3.2.">
          <Input
            id="provider-name"
            autoComplete="off"
            spellCheck={false}
            placeholder={type === 'ollama' ? 'ollama' : type === 'openai-compatible' ? 'openai' : type}
            aria-invalid={invalid('name')}
            aria-describedby={describedBy('name', 'provider-name')}
            {...form.register('name')}
          />
        </Field>
        <Field id="provider-type" label="Type" hint={info.hint}>
          <NativeSelect
            id="provider-type"
            {...form.register('type', {
              // A new type brings its usual locality unless the base URL or the person says otherwise.
              onChange: (event: { target: { value: string } }) => {
                if (!localityPicked) form.setValue('locality', suggestLocality(form.getValues('baseUrl'), event.target.value as ProviderType).locality);
              },
            })}
          >
            {providerTypes.map((value) => (
              <option key={value} value={value}>
                {providerTypeInfo[value].label}
              </option>
            ))}
          </NativeSelect>
        </Field>
      </div>
      <Field id="provider-base-url" label="Base URL" error={errors.baseUrl?.message}>
        <Input
          id="provider-base-url"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder={info.placeholder}
          aria-invalid={invalid('baseUrl')}
          aria-describedby={describedBy('baseUrl', 'provider-base-url')}
          {...form.register('baseUrl')}
        />
      </Field>
      {suggestion.reason && locality === 'local' ? (
        <p className="-mt-2 text-xs text-muted-foreground" role="status" data-testid="locality-suggestion">
          {suggestion.reason}
        </p>
      ) : null}
      {hostedOnPrivate ? (
        <HostedOnPrivateAlert
          onUseLocal={() => {
            setLocalityPicked(true);
            form.setValue('locality', 'local');
          }}
        />
      ) : null}
      <LocalityFieldset registration={form.register('locality', { onChange: () => setLocalityPicked(true) })}>
        <p className="text-xs text-muted-foreground">{localityExplanations[locality]}</p>
      </LocalityFieldset>
      <Field
        id="provider-api-key"
        label={info.needsKey ? 'API key' : 'API key (optional)'}
        error={errors.apiKey?.message}
        hint="Kept encrypted on the server and never shown again. Leave empty for servers without keys."
      >
        <Input id="provider-api-key" type="password" autoComplete="off" spellCheck={false} placeholder={info.needsKey ? 'sk-…' : undefined} {...form.register('apiKey')} />
      </Field>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" className="mt-0.5 size-4 accent-primary" {...form.register('discover')} />
        <span>
          Discover models now
          <span className="block text-xs text-muted-foreground">Asks the provider for its model list. Turn off for a provider that is not running yet.</span>
        </span>
      </label>
      <TimeoutFields form={form} />
      <DeclaredModels form={form} />
      <FormDialogFooter error={serverError} onCancel={onCancel} submitDisabled={isSubmitting}>
        {isSubmitting ? 'Adding…' : 'Add provider'}
      </FormDialogFooter>
    </DialogForm>
  );
}

/** What adding did: the models found, or why discovery failed (the provider is saved either way). */
function AddedSummary({ result, onDone }: { result: AddProviderResult; onDone: () => void }) {
  return (
    <div className="grid gap-4">
      <p className="text-sm">
        <span className="font-medium">{result.provider.name}</span> was added with {result.models.length} model{result.models.length === 1 ? '' : 's'}.
      </p>
      {result.discoveryError ? (
        <div role="alert" className="flex gap-2 rounded-md border border-warning/40 bg-warning/15 px-3 py-2 text-sm">
          <TriangleAlertIcon aria-hidden className="mt-0.5 size-4 shrink-0" />
          <div className="min-w-0">
            <p className="font-medium">Model discovery failed</p>
            <p className="break-words">{result.discoveryError}</p>
            <p className="mt-1 text-xs text-muted-foreground">Check the base URL and key, start the server, then use Test on the provider to discover again.</p>
          </div>
        </div>
      ) : null}
      <DialogFooter>
        <Button onClick={onDone}>Done</Button>
      </DialogFooter>
    </div>
  );
}

/** "Add provider": type, base URL, locality, key and optional declared models; discovery runs on adding. */
export function AddProviderDialog({
  workspaceId,
  open,
  onOpenChange,
  onAdded,
}: WorkspaceDialogProps & {
  onAdded: (result: AddProviderResult) => void;
}) {
  const { result: added, setResult: setAdded, close: change } = useResultDialog<AddProviderResult>(onOpenChange);
  return (
    <Dialog
      open={open}
      onOpenChange={change}
      title={added ? 'Provider added' : 'Add provider'}
      description={added ? undefined : 'A server Stead sends model calls to. Its models are discovered when it is added.'}
      className="max-w-2xl"
    >
      {added ? (
        <AddedSummary result={added} onDone={() => change(false)} />
      ) : (
        <AddProviderForm
          workspaceId={workspaceId}
          onCancel={() => change(false)}
          onAdded={(result) => {
            onAdded(result);
            // A failed discovery needs reading; a clean add just closes.
            if (result.discoveryError) setAdded(result);
            else change(false);
          }}
        />
      )}
    </Dialog>
  );
}
