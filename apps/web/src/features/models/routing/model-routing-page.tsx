import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { PencilIcon, PlusIcon, Trash2Icon } from 'lucide-react';
import { useState } from 'react';
import { AliasDialog } from '@/features/models/routing/alias-dialog.tsx';
import { ConfirmItemDialog } from '@/components/confirm-dialog.tsx';
import { KeyDataClasses } from '@/features/models/routing/key-data-classes.tsx';
import { DECLARED_HINT, DeclaredBadge } from '@/features/models/model-badges.tsx';
import { LoadingRows } from '@/components/page-header.tsx';
import { QueryStates, QueryTableCard } from '@/components/query-table-card.tsx';
import { RouteTester } from '@/features/models/routing/route-tester.tsx';
import { RuleEditor, RuleList } from '@/features/models/routing/rule-editor.tsx';
import { TargetChain } from '@/features/models/routing/target-list-editor.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Field } from '@/components/ui/field.tsx';
import { NativeSelect } from '@/components/ui/input.tsx';
import { TableCell, TableHead, TableRow } from '@/components/ui/table.tsx';
import { SectionCard } from '@/components/detail-blocks.tsx';
import { api, type ApiKey, type DataClass, type DataClassDefaults, type ModelAlias } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { apiKeysQuery } from '@/features/keys/keys.queries.ts';
import { dataClassDefaultsQuery, modelAliasesQuery, modelRulesQuery, modelsQuery } from '@/features/models/models.queries.ts';
import { dataClasses, dataClassHints, dataClassLabels, targetSuggestions } from '@/features/models/models.ts';
import { toast } from '@/lib/toast.ts';
import { useWorkspacePage } from '@/lib/use-app.ts';
import { modelKeys } from '@/features/models/models.queries.ts';

function DefaultDataClass({ workspaceId, manage }: { workspaceId: string; manage: boolean }) {
  const queryClient = useQueryClient();
  const defaults = useQuery(dataClassDefaultsQuery(workspaceId));
  const keys = useQuery(apiKeysQuery(workspaceId, manage));
  const change = useMutation({
    mutationFn: (dataClass: DataClass) => api.setDataClassDefault(workspaceId, { dataClass }),
    onSuccess: (saved) => {
      queryClient.setQueryData(modelKeys.modelDataClasses(workspaceId), saved);
      toast.success('Default data class saved', `Requests without x-stead-data-class are ${saved.workspace} unless their key says otherwise.`);
    },
    onError: (error) => toast.error('Not saved', errorMessage(error)),
  });
  const pending = change.isPending && change.variables ? change.variables : undefined;
  return (
    <QueryStates query={defaults}>
      {(saved) => (
        <DefaultDataClassFields workspaceId={workspaceId} manage={manage} saved={saved} keys={keys.data ?? []} current={pending ?? saved.workspace} disabled={!manage || change.isPending} onChange={(dataClass) => change.mutate(dataClass)} />
      )}
    </QueryStates>
  );
}

function DefaultDataClassFields({ workspaceId, manage, saved, keys, current, disabled, onChange }: { workspaceId: string; manage: boolean; saved: DataClassDefaults; keys: readonly ApiKey[]; current: DataClass; disabled: boolean; onChange: (dataClass: DataClass) => void }) {
  return (
    <div className="grid gap-6">
      <Field id="default-data-class" label="Workspace default" hint={dataClassHints[current]}>
        <NativeSelect
          id="default-data-class"
          className="sm:max-w-xs"
          value={current}
          disabled={disabled}
          onChange={(event) => onChange(event.target.value as DataClass)}
        >
          {dataClasses.map((value) => (
            <option key={value} value={value}>
              {dataClassLabels[value]}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <KeyDataClasses workspaceId={workspaceId} manage={manage} defaults={saved} keys={keys} />
    </div>
  );
}

function AliasRow({ alias, manage, onEdit, onRemove }: { alias: ModelAlias; manage: boolean; onEdit: () => void; onRemove: () => void }) {
  return (
    <TableRow>
      <TableCell className="align-top">
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-mono text-sm font-medium">{alias.name}</span>
          {alias.declared ? <DeclaredBadge /> : null}
        </div>
      </TableCell>
      <TableCell className="max-w-[60vw] min-w-40 align-top">
        <TargetChain targets={alias.targets} />
      </TableCell>
      {manage ? (
        <TableCell className="align-top">
          {/* A declared alias changes in stead.config.yaml only. */}
          <div className="flex justify-end" title={alias.declared ? DECLARED_HINT : undefined}>
            <Button variant="ghost" size="icon" disabled={alias.declared} aria-label={`Edit alias ${alias.name}`} onClick={onEdit}>
              <PencilIcon aria-hidden />
            </Button>
            <Button variant="ghost" size="icon" disabled={alias.declared} aria-label={`Remove alias ${alias.name}`} onClick={onRemove}>
              <Trash2Icon aria-hidden />
            </Button>
          </div>
        </TableCell>
      ) : null}
    </TableRow>
  );
}

export function ModelRoutingPage() {
  const { workspace, queryClient, manage } = useWorkspacePage();
  const models = useQuery(modelsQuery(workspace.id));
  const aliases = useQuery(modelAliasesQuery(workspace.id));
  const rules = useQuery(modelRulesQuery(workspace.id));
  const defaults = useQuery(dataClassDefaultsQuery(workspace.id));
  const keys = useQuery(apiKeysQuery(workspace.id, manage));
  const [editing, setEditing] = useState<ModelAlias | 'new' | null>(null);
  const [removing, setRemoving] = useState<ModelAlias | null>(null);
  const suggestions = targetSuggestions(models.data ?? [], aliases.data ?? []);
  const aliasList = aliases.data ?? [];

  return (
    <div className="grid grid-cols-1 gap-4">
      <SectionCard
        title="Route tester"
        description="Which targets would serve a request, in order, and why. Nothing is sent to a model."
      >
        {defaults.isPending ? <LoadingRows /> : <RouteTester workspaceId={workspace.id} suggestions={suggestions} defaults={defaults.data ?? { workspace: 'internal', keys: {} }} keys={keys.data ?? []} />}
      </SectionCard>

      <QueryTableCard
        query={aliases}
        label="Aliases"
        title="Aliases"
        description="Names clients may send as model, each standing for an ordered list of targets (fast, smart, private, code…)."
        actions={
          manage ? (
            <Button variant="outline" onClick={() => setEditing('new')}>
              <PlusIcon aria-hidden />
              New alias
            </Button>
          ) : null
        }
        empty="No aliases yet. An alias such as fast → groq/llama-3.1-8b → ollama/llama3.2 lets clients ask for a role instead of a model."
        columns={
          <>
            <TableHead>Alias</TableHead>
            <TableHead>Targets, in order</TableHead>
            {manage ? <TableHead className="text-right">Actions</TableHead> : null}
          </>
        }
        row={(alias) => <AliasRow key={alias.id} alias={alias} manage={manage} onEdit={() => setEditing(alias)} onRemove={() => setRemoving(alias)} />}
      />

      <SectionCard
        title="Route rules"
        description="Checked in order for every request: the first enabled rule whose conditions all hold picks the targets. Private requests still only reach local targets."
      >
        <QueryStates query={rules}>
          {(saved) => (manage ? <RuleEditor workspaceId={workspace.id} saved={saved} suggestions={suggestions} /> : <RuleList rules={saved} />)}
        </QueryStates>
      </SectionCard>

      <SectionCard title="Default data class" description="For requests that send no x-stead-data-class header: the API key’s default if it has one, else the workspace’s.">
        <DefaultDataClass workspaceId={workspace.id} manage={manage} />
      </SectionCard>

      {manage ? (
        <>
          <AliasDialog
            workspaceId={workspace.id}
            open={editing !== null}
            onOpenChange={(open) => {
              if (!open) setEditing(null);
            }}
            alias={editing === 'new' || editing === null ? undefined : editing}
            taken={aliasList.map((alias) => alias.name)}
            suggestions={suggestions}
            onSaved={(alias) => {
              void queryClient.invalidateQueries({ queryKey: modelKeys.modelAliases(workspace.id) });
              toast.success('Alias saved', `${alias.name} → ${alias.targets.join(' → ')}`);
            }}
          />
          <ConfirmItemDialog
            item={removing}
            onClose={() => setRemoving(null)}
            title="Remove alias?"
            description={removing ? `Requests for ${removing.name} will fail with model_not_found unless a model has that name.` : ''}
            confirmLabel="Remove alias"
            onConfirm={async (item) => {
              await api.removeModelAlias(workspace.id, item.name);
              await queryClient.invalidateQueries({ queryKey: modelKeys.modelAliases(workspace.id) });
              toast.success('Alias removed', item.name);
            }}
          />
        </>
      ) : null}
    </div>
  );
}
