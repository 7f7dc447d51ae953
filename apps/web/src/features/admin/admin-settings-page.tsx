import { useQuery } from '@tanstack/react-query';
import { PageHeader } from '@/components/page-header.tsx';
import { QueryStates } from '@/components/query-table-card.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table.tsx';
import { api, type InstanceSetting } from '@/lib/api.ts';
import { formatDuration } from '@/lib/format.ts';
import { useConnectionStatus } from '@/components/connection-status.tsx';
import { adminKeys } from '@/features/admin/admin.queries.ts';
import { AllowedHostsCard } from '@/features/admin/allowed-hosts-card.tsx';
import { orderSettings, settingValueText, sourceLabel } from '@/features/admin/setting-sources.ts';

function SettingRow({ setting, configFile }: { setting: InstanceSetting; configFile: string | null }) {
  const source = sourceLabel(setting.source, setting.envName, configFile);
  return (
    <TableRow>
      <TableCell className="align-top">
        <code className="text-xs break-all">{setting.key}</code>
        {setting.envName ? <div className="mt-1 hidden text-xs text-muted-foreground sm:block">{setting.envName}</div> : null}
      </TableCell>
      <TableCell className="align-top font-mono text-xs break-all">{settingValueText(setting.value)}</TableCell>
      <TableCell className="align-top">
        <div className="flex flex-wrap gap-1">
          <Badge variant={setting.source === 'default' ? 'outline' : 'secondary'} title={source.detail}>
            {source.label}
          </Badge>
          {setting.editableInDashboard ? (
            <Badge variant="success" title="Add entries in the Allowed hosts card below">
              + dashboard
            </Badge>
          ) : null}
        </div>
      </TableCell>
    </TableRow>
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
                <Table>
                  <TableHeader>
                    <TableRow>
                      <TableHead>Key</TableHead>
                      <TableHead>Value</TableHead>
                      <TableHead>Source</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {orderSettings(data.settings).map((setting) => (
                      <SettingRow key={setting.key} setting={setting} configFile={data.configFile} />
                    ))}
                  </TableBody>
                </Table>
              </CardContent>
            </Card>
          </>
        )}
      </QueryStates>
    </>
  );
}
