import { SteadError } from '../../platform/errors/stead-error.ts';
import type { AuthService, UserRecord } from '../auth/auth.service.ts';
import type { KeysService } from '../keys/keys.service.ts';

/** Instance administration of people: the one place that knows disabling spans sessions and API keys. */
export interface UsersService {
  list(): Promise<UserRecord[]>;
  /** Ends every session and revokes every API key of the user at once, and blocks new sign-ins. */
  disable(userId: string, actorUserId: string): Promise<void>;
  enable(userId: string): Promise<void>;
}

export const createUsersService = ({ auth, keys }: { auth: AuthService; keys: Pick<KeysService, 'revokeCreatedBy'> }): UsersService => ({
  list: () => auth.listUsers(),

  /** Ends every session and revokes every API key of the user at once, and blocks new sign-ins. */
  async disable(userId: string, actorUserId: string): Promise<void> {
    if (userId === actorUserId) throw new SteadError('forbidden', 'You cannot disable your own account');
    await auth.setDisabled(userId, true);
    await keys.revokeCreatedBy(userId);
  },

  enable: (userId: string) => auth.setDisabled(userId, false),
});
