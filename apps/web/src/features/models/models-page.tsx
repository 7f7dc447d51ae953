import { Link, Outlet, useMatchRoute } from '@tanstack/react-router';
import { PageHeader } from '@/components/page-header.tsx';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { cn } from '@/lib/utils.ts';

const tabs = [
  { to: '/w/$workspaceId/models/providers', label: 'Providers' },
  { to: '/w/$workspaceId/models/catalog', label: 'Models' },
  { to: '/w/$workspaceId/models/routing', label: 'Routing' },
  { to: '/w/$workspaceId/models/usage', label: 'Usage' },
  { to: '/w/$workspaceId/models/playground', label: 'Playground' },
] as const;

function Tab({ to, label, workspaceId }: { to: (typeof tabs)[number]['to']; label: string; workspaceId: string }) {
  const matchRoute = useMatchRoute();
  const active = Boolean(matchRoute({ to, params: { workspaceId }, fuzzy: true }));
  return (
    <Link
      to={to}
      params={{ workspaceId }}
      aria-current={active ? 'page' : undefined}
      className={cn(
        '-mb-px shrink-0 border-b-2 px-1.5 py-2 sm:px-3 text-sm font-medium whitespace-nowrap transition-colors focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none',
        active ? 'border-foreground text-foreground' : 'border-transparent text-muted-foreground hover:text-foreground',
      )}
    >
      {label}
    </Link>
  );
}

/** The Models area: one header and a tab bar over the gateway's sub-pages, each its own lazily loaded route. */
export function ModelsPage() {
  const workspace = useCurrentWorkspace();
  return (
    <>
      <PageHeader
        title="Models"
        description={`The gateway of ${workspace.name}: one OpenAI-compatible endpoint in front of local and hosted models, routed by data class, capability and budget.`}
      />
      <nav aria-label="Models sections" className="mb-6 flex overflow-x-auto border-b">
        {tabs.map((tab) => (
          <Tab key={tab.to} to={tab.to} label={tab.label} workspaceId={workspace.id} />
        ))}
      </nav>
      <Outlet />
    </>
  );
}
