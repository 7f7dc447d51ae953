import { useQueryClient } from '@tanstack/react-query';
import { PlusIcon, Trash2Icon } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Field, FormError } from '@/components/ui/field.tsx';
import { NativeSelect } from '@/components/ui/input.tsx';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table.tsx';
import { api, type ApiKey, type DataClass, type DataClassDefaults } from '@/lib/api.ts';
import { dataClasses, dataClassLabels } from '@/features/models/models.ts';
import { keysWithout } from '@/features/models/usage/usage.ts';
import { toast } from '@/lib/toast.ts';
import { useServerError } from '@/lib/use-server-error.ts';
import { ApiKeyOptions } from '@/features/keys/api-key-options.tsx';
import { modelKeys } from '@/features/models/models.queries.ts';

function DataClassSelect({ id, label, value, disabled, onChange }: { id: string; label?: string; value: DataClass | ''; disabled?: boolean; onChange: (value: DataClass) => void }) {
  return (
    <NativeSelect id={id} aria-label={label} className="sm:max-w-44" value={value} disabled={disabled} onChange={(event) => onChange(event.target.value as DataClass)}>
      {value === '' ? <option value="">Choose…</option> : null}
      {dataClasses.map((dataClass) => (
        <option key={dataClass} value={dataClass}>
          {dataClassLabels[dataClass]}
        </option>
      ))}
    </NativeSelect>
  );
}

/** Picks a key without a default of its own and gives it one. */
function AddKeyDefault({ choices, none, pending, onAdd }: { choices: readonly ApiKey[]; none: string; pending: boolean; onAdd: (keyId: string, dataClass: DataClass) => void }) {
  const [keyId, setKeyId] = useState('');
  const [dataClass, setDataClass] = useState<DataClass | ''>('');
  const [tried, setTried] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!keyId || !dataClass) return;
    onAdd(keyId, dataClass);
    setKeyId('');
    setDataClass('');
    setTried(false);
  };
  return (
    <form noValidate onSubmit={submit} aria-label="Add a key default" className="grid gap-3 rounded-lg border border-dashed p-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,11rem)_auto] sm:items-start">
      <Field id="key-default-key" label="API key" error={tried && !keyId ? 'Pick an API key.' : undefined}>
        <NativeSelect id="key-default-key" value={keyId} disabled={choices.length === 0} onChange={(event) => setKeyId(event.target.value)}>
          <option value="">{choices.length === 0 ? none : 'Choose a key…'}</option>
          <ApiKeyOptions keys={choices} />
        </NativeSelect>
      </Field>
      <Field id="key-default-class" label="Default data class" error={tried && !dataClass ? 'Pick a data class.' : undefined}>
        <DataClassSelect id="key-default-class" value={dataClass} onChange={setDataClass} />
      </Field>
      <Button type="submit" variant="outline" className="sm:mt-[1.375rem]" disabled={pending || choices.length === 0}>
        <PlusIcon aria-hidden />
        Add key default
      </Button>
    </form>
  );
}

/**
 * Default data classes of single API keys: requests made with such a key that send no x-stead-data-class get
 * the key's class instead of the workspace's. `keys` are the workspace's API keys (empty for people who may not
 * list them: rows then show key ids).
 */
export function KeyDataClasses({ workspaceId, manage, defaults, keys }: { workspaceId: string; manage: boolean; defaults: DataClassDefaults; keys: readonly ApiKey[] }) {
  const queryClient = useQueryClient();
  const { serverError, guard } = useServerError();
  const [pending, setPending] = useState(false);
  const byId = new Map(keys.map((key) => [key.id, key]));
  const nameOf = (keyId: string) => byId.get(keyId)?.name ?? keyId;
  const rows = Object.entries(defaults.keys).sort(([a], [b]) => nameOf(a).localeCompare(nameOf(b)));

  const save = guard(async ({ keyId, dataClass }: { keyId: string; dataClass: DataClass | null }) => {
    setPending(true);
    try {
      const saved = await api.setDataClassDefault(workspaceId, { keyId, dataClass });
      queryClient.setQueryData(modelKeys.modelDataClasses(workspaceId), saved);
      toast.success(dataClass ? 'Key default saved' : 'Key default removed', dataClass ? `${nameOf(keyId)}: ${dataClass}` : `${nameOf(keyId)} follows the workspace default (${saved.workspace}).`);
    } finally {
      setPending(false);
    }
  });

  return (
    <section className="grid gap-3" aria-label="API key defaults">
      <div className="grid gap-0.5">
        <h3 className="text-sm font-medium">API keys with their own default</h3>
        <p className="text-xs text-muted-foreground">Requests made with such a key that send no x-stead-data-class get the key’s class instead of the workspace’s.</p>
      </div>
      {rows.length === 0 ? (
        <p className="text-sm text-muted-foreground">No API key has a default of its own: every key follows the workspace default.</p>
      ) : (
        <Table aria-label="Key defaults">
          <TableHeader>
            <TableRow>
              <TableHead>API key</TableHead>
              <TableHead>Default data class</TableHead>
              {manage ? <TableHead className="text-right">Actions</TableHead> : null}
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map(([keyId, dataClass]) => {
              const name = nameOf(keyId);
              const revoked = byId.get(keyId)?.revokedAt;
              return (
                <TableRow key={keyId}>
                  <TableCell className="max-w-48 break-words" title={keyId}>
                    {name} {revoked ? <Badge variant="secondary">revoked</Badge> : null}
                  </TableCell>
                  <TableCell>
                    {manage ? (
                      <DataClassSelect id={`key-default-${keyId}`} label={`Default data class of ${name}`} value={dataClass} disabled={pending} onChange={(next) => void save({ keyId, dataClass: next })} />
                    ) : (
                      dataClassLabels[dataClass]
                    )}
                  </TableCell>
                  {manage ? (
                    <TableCell className="text-right">
                      <Button variant="ghost" size="icon" disabled={pending} aria-label={`Remove the default of ${name}`} title="Follow the workspace default again" onClick={() => void save({ keyId, dataClass: null })}>
                        <Trash2Icon aria-hidden />
                      </Button>
                    </TableCell>
                  ) : null}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      <FormError message={serverError} />
      {manage ? (
        <AddKeyDefault
          choices={keysWithout(keys, Object.keys(defaults.keys), Date.now())}
          none={keysWithout(keys, [], Date.now()).length === 0 ? 'No active API keys yet (create them under API keys)' : 'Every active key has a default'}
          pending={pending}
          onAdd={(keyId, dataClass) => void save({ keyId, dataClass })}
        />
      ) : null}
    </section>
  );
}
