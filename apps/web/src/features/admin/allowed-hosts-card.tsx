import { useMutation, useQueryClient } from '@tanstack/react-query';
import { PlusIcon, Trash2Icon } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { Field } from '@/components/ui/field.tsx';
import { Input } from '@/components/ui/input.tsx';
import { api, type AllowedHost } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { formatDate } from '@/lib/format.ts';
import { toast } from '@/lib/toast.ts';
import { adminKeys } from '@/features/admin/admin.queries.ts';
import { sourceLabel } from '@/features/admin/setting-sources.ts';

function AllowedHostRow({ host, configFile, onRemove, removing }: { host: AllowedHost; configFile: string | null; onRemove: () => void; removing: boolean }) {
  const source = sourceLabel(host.source, 'STEAD_EGRESS_ALLOWED_HOSTS', configFile);
  return (
    <li className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2">
      <code className="min-w-0 break-all text-sm font-medium">{host.rule}</code>
      <Badge variant={host.id ? 'success' : 'outline'} title={source.detail}>
        {host.source === 'environment' ? 'from STEAD_EGRESS_ALLOWED_HOSTS' : source.label}
      </Badge>
      {host.createdAt ? <span className="text-xs text-muted-foreground">added {formatDate(host.createdAt)}</span> : null}
      <span className="ml-auto">
        {host.id ? (
          <Button variant="ghost" size="sm" disabled={removing} onClick={onRemove} aria-label={`Remove ${host.rule}`}>
            <Trash2Icon aria-hidden /> Remove
          </Button>
        ) : (
          <span className="text-xs text-muted-foreground">{source.detail}</span>
        )}
      </span>
    </li>
  );
}

/** The private hosts, addresses and ranges outbound HTTP may reach: add and remove them here, at once, on every node. */
export function AllowedHostsCard({ allowedHosts, configFile }: { allowedHosts: AllowedHost[]; configFile: string | null }) {
  const queryClient = useQueryClient();
  const [rule, setRule] = useState('');
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: adminKeys.instanceSettingSources });
  const add = useMutation({
    mutationFn: (value: string) => api.addAllowedHost(value),
    onSuccess: async ({ allowedHost }) => {
      setRule('');
      toast.success(`Allowed ${allowedHost.rule}`, 'Outbound requests may reach it now.');
      await refresh();
    },
    onError: (failure) => setError(errorMessage(failure)),
  });
  const remove = useMutation({
    mutationFn: (host: AllowedHost) => api.removeAllowedHost(host.id!),
    onSuccess: async (_answer, host) => {
      toast.success(`Removed ${host.rule}`, 'Outbound requests to it are refused again.');
      await refresh();
    },
    onError: (failure) => toast.error('Could not remove the host', errorMessage(failure)),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (rule.trim() === '') return setError('Enter a host name, an IP address or a CIDR range.');
    add.mutate(rule.trim());
  };

  return (
    <Card className="mt-6">
      <CardHeader>
        <CardTitle>Allowed hosts</CardTitle>
        <CardDescription>
          Outbound requests (HTTP tasks, webhooks) refuse private, loopback and link-local addresses. Allow the machines of your own network here: a change
          applies at once, on every node, and is recorded in the audit log.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {allowedHosts.length === 0 ? (
          <p className="text-sm text-muted-foreground">None yet: every private destination is refused.</p>
        ) : (
          <ul className="divide-y" aria-label="Allowed hosts">
            {allowedHosts.map((host) => (
              <AllowedHostRow key={`${host.source}:${host.rule}`} host={host} configFile={configFile} removing={remove.isPending} onRemove={() => remove.mutate(host)} />
            ))}
          </ul>
        )}
        <form onSubmit={submit} className="mt-4 grid gap-3 sm:grid-cols-[1fr_auto] sm:items-end" noValidate>
          <Field id="allowed-host" label="Add a host" hint="A host name (nas.lan), an IP address (192.168.1.20) or a range (10.0.0.0/8); every port." error={error ?? undefined}>
            <Input
              id="allowed-host"
              value={rule}
              onChange={(event) => setRule(event.target.value)}
              placeholder="192.168.1.20"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'allowed-host-error' : undefined}
            />
          </Field>
          <Button type="submit" disabled={add.isPending} className="sm:mb-6">
            <PlusIcon aria-hidden /> {add.isPending ? 'Adding…' : 'Allow host'}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
