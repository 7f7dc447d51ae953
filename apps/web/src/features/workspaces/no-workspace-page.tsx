import { CreateWorkspaceForm } from '@/features/workspaces/create-workspace-dialog.tsx';
import { PageHeader } from '@/components/page-header.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';

/** Shown when the person belongs to no workspace (for example after deleting the last one). */
export function NoWorkspacePage() {
  return (
    <>
      <PageHeader title="Welcome" />
      <Card className="max-w-lg">
        <CardHeader>
          <CardTitle>You are not in any workspace yet</CardTitle>
          <CardDescription>Create one, or open an invitation link someone sent you.</CardDescription>
        </CardHeader>
        <CardContent>
          <CreateWorkspaceForm />
        </CardContent>
      </Card>
    </>
  );
}
