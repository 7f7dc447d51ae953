import type { ColumnType } from 'kysely';

/**
 * better-auth's tables: only the columns Stead reads are typed here, with the loose types the two dialects
 * return (SQLite stores booleans as 0/1 and dates as text; `SqlDialect.storedBoolean`/`storedDate` write them).
 * better-auth's `twoFactor` table is not queried by Stead; `verification` holds Stead's password-reset links
 * (identifier `stead-password-reset:<sha-256 of the token>`, value the user id) beside better-auth's own values.
 */
type BetterAuthDate = ColumnType<Date | string, Date | string, Date | string>;
type BetterAuthBoolean = ColumnType<boolean | number, boolean | number, boolean | number>;

export interface UserTable {
  id: string;
  name: string;
  email: string;
  emailVerified: BetterAuthBoolean;
  image: string | null;
  createdAt: BetterAuthDate;
  updatedAt: BetterAuthDate;
  twoFactorEnabled: BetterAuthBoolean | null;
  disabledAt: BetterAuthDate | null;
  isAdmin: BetterAuthBoolean | null;
}

export interface SessionTable {
  id: string;
  token: string;
  userId: string;
  expiresAt: BetterAuthDate;
  createdAt: BetterAuthDate;
  updatedAt: BetterAuthDate;
  ipAddress: string | null;
  userAgent: string | null;
}

export interface AccountTable {
  id: string;
  accountId: string;
  providerId: string;
  userId: string;
  password: string | null;
  createdAt: BetterAuthDate;
  updatedAt: BetterAuthDate;
}

export interface VerificationTable {
  id: string;
  identifier: string;
  value: string;
  expiresAt: BetterAuthDate;
  createdAt: BetterAuthDate;
  updatedAt: BetterAuthDate;
}

export interface AuthTables {
  user: UserTable;
  session: SessionTable;
  account: AccountTable;
  verification: VerificationTable;
}
