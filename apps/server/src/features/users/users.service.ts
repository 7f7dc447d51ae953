import { SteadError } from '../../platform/errors/stead-error.ts';
import type { AuthService, UserRecord } from '../auth/auth.service.ts';
import type { KeysService } from '../keys/keys.service.ts';

/** A one-time link to set a password; the token is returned this once. */
export interface ResetLink {
  token: string;
  expiresAt: string;
}

/** Instance administration of people: the one place that knows disabling spans sessions and API keys. */
export interface UsersService {
  list(): Promise<UserRecord[]>;
  /**
   * Creates an account. Without a password (the dashboard never asks an administrator to choose one), the
   * account gets a reset link for its owner to set theirs; with one (the command line), no link.
   */
  create(input: { name: string; email: string; isAdmin: boolean; password?: string | undefined }): Promise<{ user: UserRecord; resetLink: ResetLink | null }>;
  /** A new one-time reset link for the user (earlier ones stop working). */
  createResetLink(userId: string): Promise<ResetLink & { user: UserRecord }>;
  /** Promotes or demotes an instance administrator; the last enabled one cannot be demoted (`last_instance_admin`). */
  setAdmin(userId: string, isAdmin: boolean): Promise<void>;
  /** Ends every session and revokes every API key of the user at once, and blocks new sign-ins. `actorUserId`: who asks (nobody disables themselves). */
  disable(userId: string, actorUserId?: string): Promise<void>;
  enable(userId: string): Promise<void>;
}

export const createUsersService = ({ auth, keys }: { auth: AuthService; keys: Pick<KeysService, 'revokeCreatedBy'> }): UsersService => ({
  list: () => auth.listUsers(),

  async create(input) {
    const user = await auth.createUser(input);
    if (input.password !== undefined) return { user, resetLink: null };
    const { token, expiresAt } = await auth.createResetLink(user.id);
    return { user, resetLink: { token, expiresAt } };
  },

  createResetLink: (userId: string) => auth.createResetLink(userId),

  setAdmin: (userId: string, isAdmin: boolean) => auth.setAdmin(userId, isAdmin),

  async disable(userId: string, actorUserId?: string): Promise<void> {
    if (userId === actorUserId) throw new SteadError('forbidden', 'You cannot disable your own account');
    await auth.setDisabled(userId, true);
    await keys.revokeCreatedBy(userId);
  },

  enable: (userId: string) => auth.setDisabled(userId, false),
});
