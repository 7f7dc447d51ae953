import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { PencilIcon, RadioIcon } from 'lucide-react';
import { useState } from 'react';
import { EditModelDialog } from '@/features/models/catalog/edit-model-dialog.tsx';
import { BreakerBadge, CapabilityChips, DECLARED_HINT, LocalityBadge } from '@/features/models/model-badges.tsx';
import { modelsApi, type ModelWithState } from '@/features/models/models.api.ts';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { QueryTableCard } from '@/components/query-table-card.tsx';
import { TableCell, TableHead, TableRow } from '@/components/ui/table.tsx';
import { api, type Model } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { MODELS_REFRESH_MS, modelKeys } from '@/features/models/models.queries.ts';
import { formatMs, formatPrice, formatRate, formatTokens } from '@/features/models/models.ts';
import { useWorkspacePage } from '@/lib/use-app.ts';
import { useNow } from '@/features/tasks/use-task-events.ts';
import { toast } from '@/lib/toast.ts';

function Health({ model, now }: { model: Model; now: number }) {
  const { health } = model;
  return (
    <div className="flex flex-wrap items-start gap-x-3 gap-y-1">
      <BreakerBadge health={health} now={now} />
      <dl className="grid grid-cols-[auto_auto] gap-x-2 text-xs text-muted-foreground tabular-nums">
        <dt>p50</dt>
        <dd className="text-foreground">{formatMs(health.p50Ms)}</dd>
        <dt>errors</dt>
        <dd className="text-foreground">{formatRate(health.errorRate)}</dd>
        <dt>calls</dt>
        <dd className="text-foreground">{health.calls}</dd>
      </dl>
    </div>
  );
}

function ModelRow({ model, now, onEdit }: { model: ModelWithState; now: number; onEdit: (() => void) | undefined }) {
  return (
    <TableRow className={model.enabled ? undefined : 'opacity-70'}>
      <TableCell className="max-w-48 align-top sm:max-w-72">
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-mono text-sm font-medium break-all">{model.qualifiedName}</span>
          {model.enabled ? null : <Badge variant="secondary">disabled</Badge>}
        </div>
        <div className="text-xs text-muted-foreground">
          {model.source}
          <span className="md:hidden">
            {' · '}
            {model.locality}
            {model.contextLength ? ` · ${formatTokens(model.contextLength)} context` : ''}
          </span>
        </div>
        <div className="mt-1 lg:hidden">
          <CapabilityChips capabilities={model.capabilities} />
        </div>
      </TableCell>
      <TableCell className="hidden align-top lg:table-cell">
        <CapabilityChips capabilities={model.capabilities} />
      </TableCell>
      <TableCell className="hidden align-top md:table-cell">
        <LocalityBadge locality={model.locality} />
      </TableCell>
      <TableCell className="hidden text-right align-top whitespace-nowrap tabular-nums md:table-cell">{formatTokens(model.contextLength)}</TableCell>
      <TableCell className="hidden text-right align-top whitespace-nowrap tabular-nums sm:table-cell">
        {formatPrice(model.inputPricePerMillion)} / {formatPrice(model.outputPricePerMillion)}
      </TableCell>
      <TableCell className="align-top">
        <Health model={model} now={now} />
      </TableCell>
      {onEdit ? (
        <TableCell className="text-right align-top">
          <span title={model.declared ? DECLARED_HINT : undefined} className="inline-flex">
            <Button variant="ghost" size="sm" disabled={model.declared} onClick={onEdit} aria-label={`Edit ${model.qualifiedName}`}>
              <PencilIcon aria-hidden />
            </Button>
          </span>
        </TableCell>
      ) : null}
    </TableRow>
  );
}

export function ModelCatalogPage() {
  const { workspace, queryClient, manage } = useWorkspacePage();
  const [editing, setEditing] = useState<ModelWithState | null>(null);
  // Admins see disabled models too, to correct or enable them; everyone else sees what routing sees.
  const models = useQuery({
    queryKey: [...modelKeys.models(workspace.id), manage ? 'all' : 'enabled'],
    queryFn: async (): Promise<ModelWithState[]> => (manage ? (await modelsApi.listAllModels(workspace.id)) : await api.listModels(workspace.id)).models,
    staleTime: 5_000,
    refetchInterval: MODELS_REFRESH_MS,
  });
  const list = models.data ?? [];
  const now = useNow(list.some((model) => model.health.breaker !== 'closed'));
  return (
    <>
      <div className="mb-4 flex flex-col gap-2 sm:flex-row sm:items-end sm:justify-between">
        <p className="text-sm text-muted-foreground">
          Every model of the enabled providers. Clients send the name in the first column as <code className="text-xs">model</code>, or an
          alias, or <code className="text-xs">auto</code>.
        </p>
        <span className="inline-flex shrink-0 items-center gap-1 text-xs text-muted-foreground" role="status">
          <RadioIcon aria-hidden className={models.isError ? 'size-3.5' : 'size-3.5 text-success'} />
          {models.isError ? 'Health updates off' : `Health refreshes every ${MODELS_REFRESH_MS / 1_000} s`}
        </span>
      </div>
      <QueryTableCard
        query={models}
        label="Models"
        staleOnError
        empty={
          <>
            No models yet. They come from providers: add one under{' '}
            <Link to="/w/$workspaceId/models/providers" params={{ workspaceId: workspace.id }} className="underline underline-offset-4">
              Providers
            </Link>{' '}
            and its models are discovered.
          </>
        }
        columns={
          <>
            <TableHead>Model</TableHead>
            <TableHead className="hidden lg:table-cell">Capabilities</TableHead>
            <TableHead className="hidden md:table-cell">Locality</TableHead>
            <TableHead className="hidden text-right md:table-cell">Context</TableHead>
            <TableHead className="hidden text-right sm:table-cell" title="US dollars per million tokens, input / output">
              Price in / out (1M)
            </TableHead>
            <TableHead>Health</TableHead>
            {manage ? <TableHead className="text-right">Edit</TableHead> : null}
          </>
        }
        row={(model) => <ModelRow key={model.id} model={model} now={now} onEdit={manage ? () => setEditing(model) : undefined} />}
        footer={models.isError && list.length > 0 ? <p className="mt-3 text-xs text-destructive">Refreshing failed: {errorMessage(models.error)}</p> : null}
      />
      {manage ? (
        <EditModelDialog
          workspaceId={workspace.id}
          model={editing}
          onClose={() => setEditing(null)}
          onSaved={(model) => {
            toast.success('Model saved', model.qualifiedName);
            void queryClient.invalidateQueries({ queryKey: modelKeys.gateway(workspace.id) });
          }}
        />
      ) : null}
    </>
  );
}
