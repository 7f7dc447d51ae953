import { createRoute, lazyRouteComponent, redirect } from '@tanstack/react-router';
import { UserIcon } from 'lucide-react';
import { appRoute, defineFeatureRoutes, rootRoute } from '@/layout-routes.tsx';
import { sessionQuery, setupQuery } from '@/lib/queries.ts';

/** Only same-app paths are accepted as a post-login destination (no open redirects). */
function safeRedirect(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : undefined;
}

const setupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'setup',
  beforeLoad: async ({ context }) => {
    const setup = await context.queryClient.fetchQuery(setupQuery);
    if (!setup.needsSetup) throw redirect({ to: '/login' });
  },
  component: lazyRouteComponent(() => import('./setup-page.tsx'), 'SetupPage'),
});

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'login',
  validateSearch: (search: Record<string, unknown>): { redirect?: string; email?: string } => ({
    redirect: safeRedirect(search.redirect),
    // Prefilled after a password reset; only ever a value for the email field.
    email: typeof search.email === 'string' && search.email.length <= 254 ? search.email : undefined,
  }),
  beforeLoad: async ({ context, search }) => {
    const setup = await context.queryClient.fetchQuery(setupQuery);
    if (setup.needsSetup) throw redirect({ to: '/setup' });
    const session = await context.queryClient.fetchQuery(sessionQuery);
    if (session) throw redirect({ to: search.redirect ?? '/' });
  },
  component: lazyRouteComponent(() => import('./login-page.tsx'), 'LoginPage'),
});

const inviteRoute = createRoute({
  getParentRoute: () => rootRoute, path: 'invite/$token', component: lazyRouteComponent(() => import('./invite-page.tsx'), 'InvitePage'),
});

/** A password link carries its token after `#` (`/reset-password#<token>`): browsers never send it to the server. */
const resetPasswordRoute = createRoute({
  getParentRoute: () => rootRoute, path: 'reset-password', component: lazyRouteComponent(() => import('./reset-password-page.tsx'), 'ResetPasswordPage'),
});

const accountRoute = createRoute({
  getParentRoute: () => appRoute, path: 'account', component: lazyRouteComponent(() => import('./account-page.tsx'), 'AccountPage'),
  staticData: { nav: { section: 'you', order: 10, label: 'Account', icon: UserIcon } },
});

export const authRoutes = defineFeatureRoutes({ root: [setupRoute, loginRoute, inviteRoute, resetPasswordRoute], app: [accountRoute] });
