import type { Kysely } from 'kysely';
import type { PlatformTables } from '../../platform/database/database.types.ts';

const setupClaimKey = 'setup.claimed';

/** The claim on first-run setup, kept in the platform's `steadMeta`. */
export interface OnboardingRepository {
  /** True when this caller claimed setup; false when another one already has. */
  claimSetup(at: string): Promise<boolean>;
  releaseSetup(): Promise<void>;
}

export const createOnboardingRepository = (db: Kysely<PlatformTables>): OnboardingRepository => ({
  /**
   * Claims first-run setup for one caller. The primary key makes the claim atomic: of two setups racing,
   * exactly one insert succeeds, on SQLite and PostgreSQL alike.
   */
  async claimSetup(at: string): Promise<boolean> {
    const result = await db.insertInto('steadMeta').values({ key: setupClaimKey, value: at, updatedAt: at }).onConflict((conflict) => conflict.column('key').doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  },
  async releaseSetup(): Promise<void> {
    await db.deleteFrom('steadMeta').where('key', '=', setupClaimKey).execute();
  },
});
