import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useMatchRoute, useNavigate, useParams, useRouter, useRouterState, type AnyRoute } from '@tanstack/react-router';
import { ChevronsUpDownIcon, LogOutIcon, MenuIcon, PlusIcon, UserIcon, type LucideIcon } from 'lucide-react';
import { lazy, Suspense, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ConnectionIndicator } from '@/components/connection-status.tsx';
import { ThemeToggle } from '@/components/theme-toggle.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Dialog } from '@/components/ui/dialog.tsx';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu.tsx';
import type { NavAccess, NavEntry } from '@/layout-routes.tsx';
import { api, type Workspace } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { toast } from '@/lib/toast.ts';
import { useSession, useWorkspaces } from '@/lib/use-app.ts';
import { cn } from '@/lib/utils.ts';
import { canManage, pickWorkspace, readStoredWorkspaceId } from '@/lib/workspace-store.ts';

// Loaded on first use: its form code (zod, react-hook-form) is not needed to render the shell.
const CreateWorkspaceDialog = lazy(async () => ({
  default: (await import('@/features/workspaces/create-workspace-dialog.tsx')).CreateWorkspaceDialog,
}));

function Logo() {
  return (
    <span className="flex items-center gap-2 font-semibold tracking-tight">
      <img src="/favicon.svg" alt="" className="size-6" />
      Stead
    </span>
  );
}

function NavLink({ to, params, icon: Icon, label }: { to: string; params?: Record<string, string>; icon: LucideIcon; label: string }) {
  const matchRoute = useMatchRoute();
  // An index page (Home, `/w/$workspaceId/`) is active only on itself, not on every page below it.
  const active = Boolean(matchRoute({ to, params, fuzzy: !to.endsWith('/') }));
  return (
    <Link
      to={to}
      params={params}
      aria-current={active ? 'page' : undefined}
      className={cn(
        'flex items-center gap-2 rounded-md px-2 py-2 text-sm transition-colors hover:bg-accent hover:text-accent-foreground [&_svg]:size-4',
        active ? 'bg-accent font-medium text-accent-foreground' : 'text-muted-foreground',
      )}
    >
      <Icon aria-hidden />
      {label}
    </Link>
  );
}

/** Whether someone with `role` sees a workspace page of that access in the sidebar. */
function mayOpen(access: NavAccess = 'all', role: Workspace['role'] | undefined): boolean {
  if (access === 'members') return role !== 'viewer';
  if (access === 'managers') return canManage(role);
  return true;
}

/** The sidebar's pages: every route that declares `staticData.nav`, in their order. */
function useNavEntries(): { to: string; nav: NavEntry }[] {
  const router = useRouter();
  return useMemo(
    () =>
      Object.values(router.routesById as Record<string, AnyRoute>)
        .flatMap((route) => (route.options.staticData?.nav ? [{ to: route.fullPath as string, nav: route.options.staticData.nav }] : []))
        .sort((a, b) => a.nav.order - b.nav.order),
    [router],
  );
}

function NavSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="grid gap-0.5">
      <p className="px-2 pb-1 text-xs font-medium text-muted-foreground">{title}</p>
      {children}
    </div>
  );
}

function WorkspaceSwitcher({ onCreate }: { onCreate: () => void }) {
  const workspaces = useWorkspaces();
  const params = useParams({ strict: false });
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const current = workspaces.find((workspace) => workspace.id === params.workspaceId) ?? pickWorkspace(workspaces, readStoredWorkspaceId());
  // Keep the same page when switching (members → members of the other workspace).
  const entries = useNavEntries().filter(({ nav }) => nav.section === 'workspace');
  // The most specific page that matches: Home's path is a prefix of every workspace page.
  const page = entries
    .filter(({ to }) => pathname.startsWith(to.replace('$workspaceId', params.workspaceId ?? '').replace(/\/$/, '')))
    .sort((a, b) => b.to.length - a.to.length)[0];

  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="outline" className="w-full justify-between" aria-label="Switch workspace">
          <span className="truncate">{current?.name ?? 'No workspace'}</span>
          <ChevronsUpDownIcon aria-hidden className="opacity-60" />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start" className="w-[var(--radix-dropdown-menu-trigger-width)]">
        <DropdownMenuLabel>Workspaces</DropdownMenuLabel>
        {workspaces.map((workspace) => (
          <DropdownMenuItem
            key={workspace.id}
            onSelect={() => {
              // Pages open to everyone stay open; the rest needs an admin or owner of the other workspace.
              const allowed = page && ((page.nav.access ?? 'all') === 'all' || canManage(workspace.role));
              void navigate({ to: allowed ? page.to : '/w/$workspaceId/', params: { workspaceId: workspace.id } });
            }}
          >
            <span className="flex-1 truncate">{workspace.name}</span>
            <span className="text-xs text-muted-foreground">{workspace.role}</span>
          </DropdownMenuItem>
        ))}
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={onCreate}>
          <PlusIcon aria-hidden />
          Create workspace
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

function SidebarContent({ onCreateWorkspace }: { onCreateWorkspace: () => void }) {
  const session = useSession();
  const workspaces = useWorkspaces();
  const params = useParams({ strict: false });
  const workspace = workspaces.find((item) => item.id === params.workspaceId) ?? pickWorkspace(workspaces, readStoredWorkspaceId());
  const workspaceParams = workspace ? { workspaceId: workspace.id } : undefined;
  const entries = useNavEntries();

  return (
    <div className="flex h-full flex-col gap-4">
      <div className="px-2 pt-1">
        <Logo />
      </div>
      <WorkspaceSwitcher onCreate={onCreateWorkspace} />
      <nav aria-label="Main" className="flex flex-1 flex-col gap-4 overflow-y-auto">
        {workspaceParams ? (
          <NavSection title="Workspace">
            {entries
              .filter(({ nav }) => nav.section === 'workspace' && mayOpen(nav.access, workspace?.role))
              .map(({ to, nav }) => (
                <NavLink key={to} to={to} params={workspaceParams} icon={nav.icon} label={nav.label} />
              ))}
          </NavSection>
        ) : null}
        <NavSection title="You">
          {entries
            .filter(({ nav }) => nav.section === 'you')
            .map(({ to, nav }) => (
              <NavLink key={to} to={to} icon={nav.icon} label={nav.label} />
            ))}
        </NavSection>
        {session.user.isAdmin ? (
          <NavSection title="Instance">
            {entries
              .filter(({ nav }) => nav.section === 'instance')
              .map(({ to, nav }) => (
                <NavLink key={to} to={to} icon={nav.icon} label={nav.label} />
              ))}
          </NavSection>
        ) : null}
      </nav>
    </div>
  );
}

function UserMenu() {
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation({
    mutationFn: () => api.logout(),
    onSettled: async (_data, error) => {
      if (error) toast.error('Sign-out failed', errorMessage(error));
      else {
        queryClient.clear();
        await navigate({ to: '/login' });
      }
    },
  });
  const initials = session.user.name
    .split(/\s+/)
    .map((part) => part[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" aria-label="Account menu" className="rounded-full bg-secondary text-xs font-semibold">
          {initials || <UserIcon aria-hidden />}
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel className="grid">
          <span className="truncate text-sm text-foreground">{session.user.name}</span>
          <span className="truncate font-normal">{session.user.email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link to="/account">
            <UserIcon aria-hidden />
            Account
          </Link>
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => logout.mutate()}>
          <LogOutIcon aria-hidden />
          Sign out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

export function AppShell() {
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [createOpen, setCreateOpen] = useState(false);
  const pathname = useRouterState({ select: (state) => state.location.pathname });

  // Close the phone drawer after navigating.
  useEffect(() => setDrawerOpen(false), [pathname]);

  const openCreate = () => {
    setDrawerOpen(false);
    setCreateOpen(true);
  };

  return (
    <div className="min-h-dvh md:grid md:grid-cols-[15rem_1fr]">
      <aside className="sticky top-0 hidden h-dvh border-r bg-card/40 p-3 md:block">
        <SidebarContent onCreateWorkspace={openCreate} />
      </aside>
      <Dialog open={drawerOpen} onOpenChange={setDrawerOpen} title="Navigation" side="left">
        <SidebarContent onCreateWorkspace={openCreate} />
      </Dialog>
      <div className="flex min-w-0 flex-col">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-2 border-b bg-background/90 px-3 backdrop-blur sm:px-4">
          <Button variant="ghost" size="icon" className="md:hidden" aria-label="Open navigation" onClick={() => setDrawerOpen(true)}>
            <MenuIcon aria-hidden />
          </Button>
          <span className="md:hidden">
            <Logo />
          </span>
          <div className="ml-auto flex items-center gap-1 sm:gap-2">
            <ConnectionIndicator className="mr-1" />
            <ThemeToggle />
            <UserMenu />
          </div>
        </header>
        <main className="mx-auto w-full max-w-5xl flex-1 px-4 py-6 sm:px-6 sm:py-8">
          <Outlet />
        </main>
      </div>
      {createOpen ? (
        <Suspense fallback={null}>
          <CreateWorkspaceDialog open={createOpen} onOpenChange={setCreateOpen} />
        </Suspense>
      ) : null}
    </div>
  );
}
