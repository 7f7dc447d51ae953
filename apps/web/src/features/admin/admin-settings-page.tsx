import { useQuery } from '@tanstack/react-query';
import { PageHeader } from '@/components/page-header.tsx';
import { QueryStates } from '@/components/query-table-card.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table.tsx';
import { api } from '@/lib/api.ts';
import { flattenConfig, formatDuration } from '@/lib/format.ts';
import { useConnectionStatus } from '@/components/connection-status.tsx';
import { adminKeys } from '@/features/admin/admin.queries.ts';

export function AdminSettingsPage() {
  const settings = useQuery({ queryKey: adminKeys.adminSettings, queryFn: () => api.instanceSettings() });
  const connection = useConnectionStatus();
  return (
    <>
      <PageHeader
        title="Instance settings"
        description="Read-only. Change them in the configuration file or environment and restart Stead. Secrets are masked."
      />
      <QueryStates query={settings}>
        {(data) => (
          <>
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
            <Card className="mt-6">
              <CardHeader>
                <CardTitle>Configuration</CardTitle>
                <CardDescription>The effective configuration after defaults, file and environment.</CardDescription>
              </CardHeader>
              <CardContent>
                <Table>
                  <TableHeader>
                    <TableRow>
                      <TableHead>Key</TableHead>
                      <TableHead>Value</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {flattenConfig(data.config).map(([key, value]) => (
                      <TableRow key={key}>
                        <TableCell>
                          <code className="text-xs break-all">{key}</code>
                        </TableCell>
                        <TableCell className="font-mono text-xs break-all">{value}</TableCell>
                      </TableRow>
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
