import { useQuery } from '@tanstack/react-query';
import { PageHeader } from '@/components/page-header.tsx';
import { QueryStates } from '@/components/query-table-card.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { api, type InstanceSetting } from '@/lib/api.ts';
import { formatDuration } from '@/lib/format.ts';
import { useConnectionStatus } from '@/components/connection-status.tsx';
import { adminKeys } from '@/features/admin/admin.queries.ts';
import { AllowedHostsCard } from '@/features/admin/allowed-hosts-card.tsx';
import { orderSettings, settingValueText, sourceLabel } from '@/features/admin/setting-sources.ts';

/** One setting: key (and its variable), value, source. A row on wide screens; key and source above the value on a phone. */
function SettingRow({ setting, configFile }: { setting: InstanceSetting; configFile: string | null }) {
  const source = sourceLabel(setting.source, setting.envName, configFile);
  return (
    <li className="grid gap-x-4 gap-y-1 py-3 sm:grid-cols-[minmax(12rem,16rem)_1fr_auto]">
      <div className="flex min-w-0 flex-wrap items-baseline gap-x-2">
        <code className="text-xs font-medium break-all">{setting.key}</code>
        {setting.envName ? <span className="text-xs break-all text-muted-foreground">{setting.envName}</span> : null}
      </div>
      <div className="font-mono text-xs break-all sm:order-none">{settingValueText(setting.value)}</div>
      <div className="flex flex-wrap gap-1 sm:justify-end">
        <Badge variant={setting.source === 'default' ? 'outline' : 'secondary'} title={source.detail}>
          {source.label}
        </Badge>
        {setting.editableInDashboard ? (
          <Badge variant="success" title="Add entries in the Allowed hosts card above">
            + dashboard
          </Badge>
        ) : null}
      </div>
    </li>
  );
}

export function AdminSettingsPage() {
  const settings = useQuery({ queryKey: adminKeys.adminSettings, queryFn: () => api.instanceSettings() });
  const sources = useQuery({ queryKey: adminKeys.instanceSettingSources, queryFn: () => api.instanceSettingSources() });
  const connection = useConnectionStatus();
  return (
    <>
      <PageHeader
        title="Instance settings"
        description="Where each setting comes from. Allowed hosts can be changed here; the rest in the configuration file or environment, followed by a restart. Secrets are masked."
      />
      <QueryStates query={settings}>
        {(data) => (
          <Card>
            <CardHeader>
              <CardTitle>Server</CardTitle>
            </CardHeader>
            <CardContent>
              <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
                <dt className="text-muted-foreground">Version</dt>
                <dd>{data.version}</dd>
                <dt className="text-muted-foreground">Uptime</dt>
                <dd>{connection.uptime === null ? '—' : formatDuration(connection.uptime)}</dd>
                <dt className="text-muted-foreground">Data directory</dt>
                <dd className="break-all">
                  <code>{data.dataDir}</code>
                </dd>
                <dt className="text-muted-foreground">Database</dt>
                <dd className="break-all">
                  {data.database.dialect} · <code>{data.database.location}</code>
                </dd>
              </dl>
            </CardContent>
          </Card>
        )}
      </QueryStates>
      <QueryStates query={sources}>
        {(data) => (
          <>
            <AllowedHostsCard allowedHosts={data.allowedHosts} configFile={data.configFile} />
            <Card className="mt-6">
              <CardHeader>
                <CardTitle>Configuration</CardTitle>
                <CardDescription>
                  The effective configuration and where each value comes from: its default, {data.configFile ? <code>{data.configFile}</code> : 'stead.config.yaml'}, an
                  environment variable, or the dashboard. Settings changed from their default come first.
                </CardDescription>
              </CardHeader>
              <CardContent>
                <ul className="divide-y" aria-label="Settings">
                  {orderSettings(data.settings).map((setting) => (
                    <SettingRow key={setting.key} setting={setting} configFile={data.configFile} />
                  ))}
                </ul>
              </CardContent>
            </Card>
          </>
        )}
      </QueryStates>
    </>
  );
}
