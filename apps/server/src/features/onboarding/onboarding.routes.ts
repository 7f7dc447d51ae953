import { z } from 'zod';
import { setCookies, type SteadApp } from '../../platform/http/http.types.ts';
import { clientOf } from '../../platform/http/request-context.ts';
import { emailSchema, passwordSchema, personNameSchema, sessionUserSchema, signInResultSchema } from '../auth/auth.schema.ts';
import { workspaceSchema } from '../workspaces/workspaces.schema.ts';
import type { OnboardingService } from './onboarding.service.ts';

const setupBody = z.strictObject({
  name: personNameSchema,
  email: emailSchema,
  password: passwordSchema,
  workspaceName: z.string().trim().min(1).max(80).default('Personal'),
});

const signUpBody = z.strictObject({
  name: personNameSchema,
  email: emailSchema,
  password: passwordSchema,
  invitationToken: z.string().min(10).max(200),
});

export interface OnboardingRoutesDeps {
  onboarding: OnboardingService;
  loginRateLimit: { max: number; timeWindow: string };
}

export const registerOnboardingRoutes = (app: SteadApp, { onboarding, loginRateLimit }: OnboardingRoutesDeps): void => {
  app.get('/api/setup', {
    config: { permission: 'public' },
    schema: { tags: ['setup'], summary: 'Whether the owner account still has to be created', response: { 200: z.object({ needsSetup: z.boolean() }) } },
  }, async () => ({ needsSetup: await onboarding.needsSetup() }));

  app.post('/api/setup', {
    config: { permission: 'public', audit: 'setup.complete', rateLimit: loginRateLimit },
    schema: {
      tags: ['setup'],
      summary: 'Create the owner account and first workspace (first run only)',
      body: setupBody,
      response: { 201: z.object({ user: sessionUserSchema, workspace: workspaceSchema }) },
    },
  }, async (request, reply) => {
    const { result, cookies } = await onboarding.completeSetup(request.body, clientOf(request));
    setCookies(reply, cookies);
    const { user, workspace } = result;
    request.auditDetails = { workspaceId: workspace.id, targetType: 'user', targetId: user.id, actor: { type: 'user', id: user.id, label: user.email } };
    return reply.status(201).send(result);
  });

  app.post('/api/auth/sign-up', {
    config: { permission: 'public', audit: 'auth.sign-up', rateLimit: loginRateLimit },
    schema: {
      tags: ['auth'],
      summary: 'Create an account with an invitation and join its workspace (there is no open registration; a link is used once)',
      body: signUpBody,
      response: { 201: signInResultSchema },
    },
  }, async (request, reply) => {
    const { result: { user, workspace }, cookies } = await onboarding.signUpWithInvitation(request.body, clientOf(request));
    setCookies(reply, cookies);
    request.auditDetails = { workspaceId: workspace.id, targetType: 'user', targetId: user.id, actor: { type: 'user', id: user.id, label: user.email } };
    return reply.status(201).send({ status: 'signed-in' as const, user });
  });
};
