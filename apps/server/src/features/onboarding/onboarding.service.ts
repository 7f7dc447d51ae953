import type { Clock } from '../../platform/clock/clock.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import type { SessionUser } from '../../platform/http/request-context.ts';
import type { AuthService, ClientContext, WithCookies } from '../auth/auth.service.ts';
import type { Workspace } from '../workspaces/workspaces.schema.ts';
import type { WorkspacesService } from '../workspaces/workspaces.service.ts';
import type { OnboardingRepository } from './onboarding.repository.ts';

export interface OnboardingServiceOptions {
  repository: OnboardingRepository;
  auth: AuthService;
  workspaces: WorkspacesService;
  clock: Clock;
}

/** How people arrive: the owner through first-run setup, everyone else through an invitation. */
export interface OnboardingService {
  needsSetup(): Promise<boolean>;
  /** Creates the owner (an instance administrator) and the first workspace, once. */
  completeSetup(input: { name: string; email: string; password: string; workspaceName: string }, client: ClientContext): Promise<WithCookies<{ user: SessionUser; workspace: Workspace }>>;
  /**
   * Creates an account for someone holding a valid invitation and makes it a member: there is no open
   * registration, and an invitation is used once.
   */
  signUpWithInvitation(input: { name: string; email: string; password: string; invitationToken: string }, client: ClientContext): Promise<WithCookies<{ user: SessionUser; workspace: Workspace }>>;
}

export const createOnboardingService = ({ repository, auth, workspaces, clock }: OnboardingServiceOptions) : OnboardingService => ({
  needsSetup: async () => !(await auth.hasUsers()),

  /** Creates the owner (an instance administrator) and the first workspace, once. */
  async completeSetup(
    input: { name: string; email: string; password: string; workspaceName: string },
    client: ClientContext,
  ): Promise<WithCookies<{ user: SessionUser; workspace: Workspace }>> {
    if ((await auth.hasUsers()) || !(await repository.claimSetup(clock.now().toISOString()))) {
      throw new SteadError('setup_already_done', 'Stead is already set up; sign in instead');
    }
    try {
      const { result: user, cookies } = await auth.signUp(input, client);
      await auth.setAdmin(user.id, true);
      const workspace = await workspaces.create(input.workspaceName, user.id);
      return { result: { user: { ...user, isAdmin: true }, workspace }, cookies };
    } catch (error) {
      // A failed attempt (a weak password) must not lock setup forever.
      if (!(await auth.hasUsers())) await repository.releaseSetup();
      throw error;
    }
  },

  /**
   * Creates an account for someone holding a valid invitation and makes it a member: there is no open
   * registration, and an invitation is used once. The invitation is claimed before the account exists, so two
   * sign-ups with one link create one account; a sign-up that fails (email taken) gives the claim back.
   */
  async signUpWithInvitation(
    input: { name: string; email: string; password: string; invitationToken: string },
    client: ClientContext,
  ): Promise<WithCookies<{ user: SessionUser; workspace: Workspace }>> {
    const claim = await workspaces.claimInvitation(input.invitationToken, input.email);
    let signedUp: WithCookies<SessionUser>;
    try {
      signedUp = await auth.signUp({ name: input.name, email: input.email, password: input.password }, client);
    } catch (error) {
      await workspaces.releaseClaim(claim);
      throw error;
    }
    const workspace = await workspaces.joinWithClaim(claim, signedUp.result.id);
    return { result: { user: signedUp.result, workspace }, cookies: signedUp.cookies };
  },
});

