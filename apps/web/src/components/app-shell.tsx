import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useMatchRoute, useNavigate, useParams, useRouterState } from '@tanstack/react-router';
import {
  BrainCircuitIcon,
  CalendarClockIcon,
  ChevronsUpDownIcon,
  KeyRoundIcon,
  LockKeyholeIcon,
  ListChecksIcon,
  LogOutIcon,
  MenuIcon,
  PlusIcon,
  ScrollTextIcon,
  ServerIcon,
  SettingsIcon,
  ShieldIcon,
  UserIcon,
  UsersIcon,
  type LucideIcon,
} from 'lucide-react';
import { lazy, Suspense, useEffect, useState } from 'react';
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
import { api } from '@/lib/api.ts';
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
  const active = Boolean(matchRoute({ to, params, fuzzy: true }));
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

function WorkspaceSwitcher({ onCreate }: { onCreate: () => void }) {
  const workspaces = useWorkspaces();
  const params = useParams({ strict: false });
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const current = workspaces.find((workspace) => workspace.id === params.workspaceId) ?? pickWorkspace(workspaces, readStoredWorkspaceId());
  // Keep the same page when switching (members → members of the other workspace).
  const section = /^\/w\/[^/]+\/(members|tasks|schedules|models|keys|secrets|audit|settings)/.exec(pathname)?.[1] ?? 'members';

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
              // Viewers read members, tasks, schedules and models; the rest needs an admin or owner.
              const allowed = ['members', 'tasks', 'schedules', 'models'].includes(section) || canManage(workspace.role);
              void navigate({ to: `/w/$workspaceId/${allowed ? section : 'members'}`, params: { workspaceId: workspace.id } });
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
  const manage = canManage(workspace?.role);

  return (
    <div className="flex h-full flex-col gap-4">
      <div className="px-2 pt-1">
        <Logo />
      </div>
      <WorkspaceSwitcher onCreate={onCreateWorkspace} />
      <nav aria-label="Main" className="flex flex-1 flex-col gap-4 overflow-y-auto">
        {workspaceParams ? (
          <div className="grid gap-0.5">
            <p className="px-2 pb-1 text-xs font-medium text-muted-foreground">Workspace</p>
            <NavLink to="/w/$workspaceId/members" params={workspaceParams} icon={UsersIcon} label="Members" />
            <NavLink to="/w/$workspaceId/tasks" params={workspaceParams} icon={ListChecksIcon} label="Tasks" />
            <NavLink to="/w/$workspaceId/schedules" params={workspaceParams} icon={CalendarClockIcon} label="Schedules" />
            <NavLink to="/w/$workspaceId/models" params={workspaceParams} icon={BrainCircuitIcon} label="Models" />
            {workspace?.role !== 'viewer' ? <NavLink to="/w/$workspaceId/secrets" params={workspaceParams} icon={LockKeyholeIcon} label="Secrets" /> : null}
            {manage ? (
              <>
                <NavLink to="/w/$workspaceId/keys" params={workspaceParams} icon={KeyRoundIcon} label="API keys" />
                <NavLink to="/w/$workspaceId/audit" params={workspaceParams} icon={ScrollTextIcon} label="Audit log" />
                <NavLink to="/w/$workspaceId/settings" params={workspaceParams} icon={SettingsIcon} label="Settings" />
              </>
            ) : null}
          </div>
        ) : null}
        <div className="grid gap-0.5">
          <p className="px-2 pb-1 text-xs font-medium text-muted-foreground">You</p>
          <NavLink to="/account" icon={UserIcon} label="Account" />
        </div>
        {session.user.isAdmin ? (
          <div className="grid gap-0.5">
            <p className="px-2 pb-1 text-xs font-medium text-muted-foreground">Instance</p>
            <NavLink to="/admin/users" icon={ShieldIcon} label="Users" />
            <NavLink to="/admin/audit" icon={ScrollTextIcon} label="Instance audit" />
            <NavLink to="/admin/settings" icon={ServerIcon} label="Instance settings" />
          </div>
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
