import { useMutation, useQuery } from '@tanstack/react-query';
import { CheckCircle2Icon, PencilIcon, PlugZapIcon, PlusIcon, RadarIcon, Trash2Icon, XCircleIcon } from 'lucide-react';
import { useState } from 'react';
import { AddProviderDialog } from '@/features/models/providers/add-provider-dialog.tsx';
import { DetectServersDialog } from '@/features/models/providers/detect-servers-dialog.tsx';
import { EditProviderDialog } from '@/features/models/providers/edit-provider-dialog.tsx';
import { ConfirmItemDialog } from '@/components/confirm-dialog.tsx';
import { DECLARED_HINT, DeclaredBadge, LocalityBadge } from '@/features/models/model-badges.tsx';
import { QueryTableCard } from '@/components/query-table-card.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Switch } from '@/components/ui/switch.tsx';
import { TableCell, TableHead, TableRow } from '@/components/ui/table.tsx';
import { api, type ModelProvider, type ProviderTestResult } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { modelProvidersQuery } from '@/features/models/models.queries.ts';
import { formatMs } from '@/features/models/models.ts';
import { describeTimeouts, providerTypeInfo } from '@/features/models/providers/providers.ts';
import { toast } from '@/lib/toast.ts';
import { useWorkspacePage } from '@/lib/use-app.ts';
import { modelKeys } from '@/features/models/models.queries.ts';

type TestOutcome = { state: 'pending' } | { state: 'done'; result: ProviderTestResult } | { state: 'failed'; message: string };

function TestResult({ outcome }: { outcome: TestOutcome | undefined }) {
  if (!outcome) return null;
  if (outcome.state === 'pending') return <p className="mt-1 text-xs text-muted-foreground" role="status">Testing…</p>;
  if (outcome.state === 'failed' || !outcome.result.ok) {
    const message = outcome.state === 'failed' ? outcome.message : (outcome.result.error ?? 'The provider did not answer.');
    return (
      <p className="mt-1 flex items-start gap-1 text-xs break-words text-destructive" role="status">
        <XCircleIcon aria-hidden className="mt-px size-3.5 shrink-0" />
        <span className="min-w-0">
          {message}
          {outcome.state === 'done' ? ` (${formatMs(outcome.result.latencyMs)})` : ''}
        </span>
      </p>
    );
  }
  const { latencyMs, models } = outcome.result;
  return (
    <p className="mt-1 flex items-center gap-1 text-xs text-success" role="status">
      <CheckCircle2Icon aria-hidden className="size-3.5 shrink-0" />
      Reachable in {formatMs(latencyMs)} · {models} model{models === 1 ? '' : 's'}
    </p>
  );
}

function ProviderRow({
  provider,
  manage,
  outcome,
  onTest,
  onToggle,
  onEdit,
  onRemove,
}: {
  provider: ModelProvider;
  manage: boolean;
  outcome: TestOutcome | undefined;
  onTest: () => void;
  onToggle: (enabled: boolean) => void;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const info = providerTypeInfo[provider.type];
  const timeouts = describeTimeouts(provider.timeouts);
  return (
    <TableRow>
      <TableCell className="max-w-44 align-top sm:max-w-80">
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-medium break-words">{provider.name}</span>
          <span className="md:hidden">
            <LocalityBadge locality={provider.locality} />
          </span>
          {provider.enabled ? null : <Badge variant="secondary">disabled</Badge>}
          {provider.declared ? <DeclaredBadge /> : null}
        </div>
        <div className="truncate font-mono text-xs text-muted-foreground" title={provider.baseUrl}>
          {provider.baseUrl}
        </div>
        <div className="text-xs text-muted-foreground sm:hidden">
          {info.label} · {provider.hasApiKey ? 'key set' : 'no key'}
        </div>
        {timeouts ? <div className="text-xs text-muted-foreground">Timeouts: {timeouts}</div> : null}
        <TestResult outcome={outcome} />
      </TableCell>
      <TableCell className="hidden align-top whitespace-nowrap sm:table-cell">{info.label}</TableCell>
      <TableCell className="hidden align-top md:table-cell">
        <LocalityBadge locality={provider.locality} />
      </TableCell>
      <TableCell className="hidden align-top sm:table-cell">
        {provider.hasApiKey ? <Badge variant="outline">set</Badge> : <span className="text-muted-foreground">none</span>}
      </TableCell>
      <TableCell className="hidden text-right align-top tabular-nums lg:table-cell">{provider.modelCount}</TableCell>
      {manage ? (
        <TableCell className="align-top">
          <div className="flex items-center justify-end gap-1">
            {/* A declared provider changes in stead.config.yaml only; testing it changes nothing. */}
            <span title={provider.declared ? DECLARED_HINT : undefined} className="inline-flex">
              <Switch
                checked={provider.enabled}
                disabled={provider.declared}
                onCheckedChange={onToggle}
                aria-label={`${provider.enabled ? 'Disable' : 'Enable'} ${provider.name}`}
                title={provider.declared ? DECLARED_HINT : provider.enabled ? 'Enabled: serves requests' : 'Disabled: serves nothing'}
              />
            </span>
            <Button variant="outline" size="sm" disabled={outcome?.state === 'pending'} onClick={onTest} aria-label={`Test ${provider.name}`}>
              <PlugZapIcon aria-hidden />
              <span className="hidden sm:inline">Test</span>
            </Button>
            <span title={provider.declared ? DECLARED_HINT : undefined} className="inline-flex">
              <Button variant="ghost" size="sm" disabled={provider.declared} onClick={onEdit} aria-label={`Edit ${provider.name}`}>
                <PencilIcon aria-hidden />
              </Button>
            </span>
            <span title={provider.declared ? DECLARED_HINT : undefined} className="inline-flex">
              <Button variant="ghost" size="sm" disabled={provider.declared} onClick={onRemove} aria-label={`Remove ${provider.name}`}>
                <Trash2Icon aria-hidden />
              </Button>
            </span>
          </div>
        </TableCell>
      ) : null}
    </TableRow>
  );
}

export function ModelProvidersPage() {
  const { workspace, queryClient, manage } = useWorkspacePage();
  const [addOpen, setAddOpen] = useState(false);
  const [detectOpen, setDetectOpen] = useState(false);
  const [editing, setEditing] = useState<ModelProvider | null>(null);
  const [removing, setRemoving] = useState<ModelProvider | null>(null);
  const [tests, setTests] = useState<Record<string, TestOutcome>>({});

  const providers = useQuery(modelProvidersQuery(workspace.id));

  const toggle = useMutation({
    mutationFn: ({ provider, enabled }: { provider: ModelProvider; enabled: boolean }) => api.setModelProviderEnabled(workspace.id, provider.id, enabled),
    onSuccess: ({ provider }) => {
      toast.success(provider.enabled ? 'Provider enabled' : 'Provider disabled', provider.name);
      void queryClient.invalidateQueries({ queryKey: modelKeys.gateway(workspace.id) });
    },
    onError: (error) => toast.error('Could not change the provider', errorMessage(error)),
  });
  const test = useMutation({
    mutationFn: (provider: ModelProvider) => api.testModelProvider(workspace.id, provider.id),
    onMutate: (provider) => setTests((current) => ({ ...current, [provider.id]: { state: 'pending' } })),
    onSuccess: (result, provider) => {
      setTests((current) => ({ ...current, [provider.id]: { state: 'done', result } }));
      // A successful test adds models the provider has gained since (its count too).
      if (result.ok) {
        void queryClient.invalidateQueries({ queryKey: modelKeys.models(workspace.id) });
        void queryClient.invalidateQueries({ queryKey: modelKeys.modelProviders(workspace.id) });
      }
    },
    onError: (error, provider) => setTests((current) => ({ ...current, [provider.id]: { state: 'failed', message: errorMessage(error) } })),
  });

  return (
    <>
      <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <p className="text-sm text-muted-foreground">
          Servers that answer model calls. Local ones (Ollama, llama.cpp, LM Studio) may serve private data; hosted ones never do.
        </p>
        {manage ? (
          <div className="flex shrink-0 flex-wrap gap-2">
            <Button variant="outline" onClick={() => setDetectOpen(true)}>
              <RadarIcon aria-hidden />
              Detect local servers
            </Button>
            <Button onClick={() => setAddOpen(true)}>
              <PlusIcon aria-hidden />
              Add provider
            </Button>
          </div>
        ) : null}
      </div>
      <QueryTableCard
        query={providers}
        label="Providers"
        empty={
          <>
            No providers yet. Add a local server such as Ollama (http://127.0.0.1:11434) to keep private data on this machine, and hosted
            ones such as OpenAI for everything else.{' '}
            {manage ? 'Detect local servers finds one running on this machine; Add provider adds any other.' : 'Admins and owners of this workspace add them.'}
          </>
        }
        columns={
          <>
            <TableHead>Provider</TableHead>
            <TableHead className="hidden sm:table-cell">Type</TableHead>
            <TableHead className="hidden md:table-cell">Locality</TableHead>
            <TableHead className="hidden sm:table-cell">API key</TableHead>
            <TableHead className="hidden text-right lg:table-cell">Models</TableHead>
            {manage ? <TableHead className="text-right">Actions</TableHead> : null}
          </>
        }
        row={(provider) => (
          <ProviderRow
            key={provider.id}
            provider={provider}
            manage={manage}
            outcome={tests[provider.id]}
            onTest={() => test.mutate(provider)}
            onToggle={(enabled) => toggle.mutate({ provider, enabled })}
            onEdit={() => setEditing(provider)}
            onRemove={() => setRemoving(provider)}
          />
        )}
      />
      {manage ? (
        <>
          <AddProviderDialog
            workspaceId={workspace.id}
            open={addOpen}
            onOpenChange={setAddOpen}
            onAdded={(result) => {
              void queryClient.invalidateQueries({ queryKey: modelKeys.gateway(workspace.id) });
              if (!result.discoveryError) {
                toast.success('Provider added', `${result.provider.name}: ${result.models.length} model${result.models.length === 1 ? '' : 's'}.`);
              }
            }}
          />
          <DetectServersDialog
            workspaceId={workspace.id}
            open={detectOpen}
            onOpenChange={setDetectOpen}
            onAdded={(result) => {
              void queryClient.invalidateQueries({ queryKey: modelKeys.gateway(workspace.id) });
              toast.success('Provider added', `${result.provider.name}: ${result.models.length} model${result.models.length === 1 ? '' : 's'}.`);
            }}
          />
          <EditProviderDialog
            workspaceId={workspace.id}
            provider={editing}
            onClose={() => setEditing(null)}
            onSaved={(provider) => {
              toast.success('Provider saved', provider.name);
              void queryClient.invalidateQueries({ queryKey: modelKeys.gateway(workspace.id) });
            }}
          />
          <ConfirmItemDialog
            item={removing}
            onClose={() => setRemoving(null)}
            title="Remove provider?"
            description={
              removing
                ? `${removing.name}, its ${removing.modelCount} model${removing.modelCount === 1 ? '' : 's'} and its stored API key are removed. Aliases and rules that name its models skip them from now on.`
                : ''
            }
            confirmLabel="Remove provider"
            onConfirm={async (item) => {
              await api.removeModelProvider(workspace.id, item.id);
              await queryClient.invalidateQueries({ queryKey: modelKeys.gateway(workspace.id) });
              toast.success('Provider removed', item.name);
            }}
          />
        </>
      ) : null}
    </>
  );
}
