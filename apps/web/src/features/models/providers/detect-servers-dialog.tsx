import { useMutation, useQuery } from '@tanstack/react-query';
import { CheckCircle2Icon, PlusIcon, RefreshCwIcon } from 'lucide-react';
import type { WorkspaceDialogProps } from '@/components/form-dialog.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Dialog, DialogFooter } from '@/components/ui/dialog.tsx';
import { api, type AddProviderResult } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { modelsApi, type LocalServer } from '@/features/models/models.api.ts';
import { modelKeys } from '@/features/models/models.queries.ts';

function ServerRow({ server, onAdd, adding }: { server: LocalServer; onAdd: () => void; adding: boolean }) {
  return (
    <li className="flex flex-col gap-2 rounded-lg border p-3 sm:flex-row sm:items-center sm:justify-between" aria-label={server.label}>
      <div className="min-w-0">
        <p className="font-medium">
          {server.label} <span className="font-mono text-xs text-muted-foreground">{server.provider.baseUrl}</span>
        </p>
        <p className="text-xs break-words text-muted-foreground">
          {server.models.length === 0 ? 'No models pulled yet.' : `${server.models.length} model${server.models.length === 1 ? '' : 's'}: ${server.models.slice(0, 6).join(', ')}${server.models.length > 6 ? ', …' : ''}`}
        </p>
      </div>
      {server.existingProvider ? (
        <span className="inline-flex shrink-0 items-center gap-1 text-xs text-success">
          <CheckCircle2Icon aria-hidden className="size-3.5" />
          Added as {server.existingProvider}
        </span>
      ) : (
        <Button size="sm" className="shrink-0" disabled={adding} onClick={onAdd} aria-label={`Add ${server.label} as ${server.provider.name}`}>
          <PlusIcon aria-hidden />
          {adding ? 'Adding…' : `Add as ${server.provider.name}`}
        </Button>
      )}
    </li>
  );
}

/**
 * "Detect local servers": what `stead providers detect` does, from the dashboard. The server looks on its own
 * loopback ports (Ollama 11434, llama.cpp 8080, LM Studio 1234); adding one makes a Local provider, which Stead
 * reaches on those ports without any further setting.
 */
export function DetectServersDialog({ workspaceId, open, onOpenChange, onAdded }: WorkspaceDialogProps & { onAdded: (result: AddProviderResult) => void }) {
  const detected = useQuery({ queryKey: [...modelKeys.modelProviders(workspaceId), 'detect'], queryFn: () => modelsApi.detectLocalServers(workspaceId), enabled: open, staleTime: 0, gcTime: 0 });
  const add = useMutation({
    mutationFn: (server: LocalServer) => api.addModelProvider(workspaceId, { ...server.provider, models: [], discover: true }),
    onSuccess: async (result) => {
      onAdded(result);
      await detected.refetch();
    },
  });
  const servers = detected.data?.servers ?? [];
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="Detect local servers" description="Looks for Ollama, llama.cpp and LM Studio on their default ports of the machine Stead runs on." className="max-w-xl">
      <div className="grid gap-3" aria-live="polite">
        {detected.isPending ? <p className="text-sm text-muted-foreground" role="status">Looking…</p> : null}
        {detected.isError ? <p className="text-sm text-destructive" role="alert">{errorMessage(detected.error)}</p> : null}
        {detected.isSuccess && servers.length === 0 ? (
          <p className="text-sm text-muted-foreground" role="status">
            No local model server answered on 127.0.0.1:11434 (Ollama), :8080 (llama.cpp) or :1234 (LM Studio). Start one, or add a provider by hand.
          </p>
        ) : null}
        {servers.length > 0 ? (
          <ul className="grid gap-2">
            {servers.map((server) => (
              <ServerRow key={server.provider.baseUrl} server={server} adding={add.isPending && add.variables?.provider.baseUrl === server.provider.baseUrl} onAdd={() => add.mutate(server)} />
            ))}
          </ul>
        ) : null}
        {add.isError ? <p className="text-sm text-destructive" role="alert">{errorMessage(add.error)}</p> : null}
        {add.data?.discoveryError ? <p className="text-sm text-warning" role="alert">Added, but listing its models failed: {add.data.discoveryError}</p> : null}
      </div>
      <DialogFooter>
        <Button variant="outline" onClick={() => void detected.refetch()} disabled={detected.isFetching}>
          <RefreshCwIcon aria-hidden />
          Look again
        </Button>
        <Button onClick={() => onOpenChange(false)}>Done</Button>
      </DialogFooter>
    </Dialog>
  );
}
