import { sql, type Kysely } from 'kysely';
import { columnTypes } from './migration-helpers.ts';

/**
 * Identity (better-auth's tables, exactly as its schema generator emits them for core + two-factor plus
 * Stead's `disabledAt` and `isAdmin` user fields), workspaces, members, invitations, API keys, the append-only
 * audit log and encrypted secrets.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  const { authDate, authBoolean, postgres } = columnTypes(db);

  await db.schema
    .createTable('user')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('emailVerified', authBoolean, (c) => c.notNull())
    .addColumn('image', 'text')
    .addColumn('createdAt', authDate, (c) => c.notNull())
    .addColumn('updatedAt', authDate, (c) => c.notNull())
    .addColumn('twoFactorEnabled', authBoolean)
    .addColumn('disabledAt', authDate)
    .addColumn('isAdmin', authBoolean)
    .execute();

  await db.schema
    .createTable('session')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('expiresAt', authDate, (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('createdAt', authDate, (c) => c.notNull())
    .addColumn('updatedAt', authDate, (c) => c.notNull())
    .addColumn('ipAddress', 'text')
    .addColumn('userAgent', 'text')
    .addColumn('userId', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('session_userId_idx').on('session').column('userId').execute();

  await db.schema
    .createTable('account')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('accountId', 'text', (c) => c.notNull())
    .addColumn('providerId', 'text', (c) => c.notNull())
    .addColumn('userId', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('accessToken', 'text')
    .addColumn('refreshToken', 'text')
    .addColumn('idToken', 'text')
    .addColumn('accessTokenExpiresAt', authDate)
    .addColumn('refreshTokenExpiresAt', authDate)
    .addColumn('scope', 'text')
    .addColumn('password', 'text')
    .addColumn('createdAt', authDate, (c) => c.notNull())
    .addColumn('updatedAt', authDate, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('account_userId_idx').on('account').column('userId').execute();

  await db.schema
    .createTable('verification')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('expiresAt', authDate, (c) => c.notNull())
    .addColumn('createdAt', authDate, (c) => c.notNull())
    .addColumn('updatedAt', authDate, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('verification_identifier_idx').on('verification').column('identifier').execute();

  await db.schema
    .createTable('twoFactor')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('backupCodes', 'text', (c) => c.notNull())
    .addColumn('userId', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('verified', authBoolean)
    .addColumn('failedVerificationCount', 'integer')
    .addColumn('lockedUntil', authDate)
    .execute();
  await db.schema.createIndex('twoFactor_secret_idx').on('twoFactor').column('secret').execute();
  await db.schema.createIndex('twoFactor_userId_idx').on('twoFactor').column('userId').execute();

  await db.schema
    .createTable('workspace')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('createdAt', 'text', (c) => c.notNull())
    .addColumn('updatedAt', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('workspaceMember')
    .addColumn('workspaceId', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('userId', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('createdAt', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('workspaceMember_pk', ['workspaceId', 'userId'])
    .execute();
  await db.schema.createIndex('workspaceMember_userId_idx').on('workspaceMember').column('userId').execute();

  await db.schema
    .createTable('workspaceInvitation')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspaceId', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('email', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('tokenHash', 'text', (c) => c.notNull().unique())
    .addColumn('invitedBy', 'text', (c) => c.notNull())
    .addColumn('createdAt', 'text', (c) => c.notNull())
    .addColumn('expiresAt', 'text', (c) => c.notNull())
    .addColumn('acceptedAt', 'text')
    .addColumn('acceptedBy', 'text')
    .addColumn('revokedAt', 'text')
    .execute();
  await db.schema.createIndex('workspaceInvitation_workspaceId_idx').on('workspaceInvitation').column('workspaceId').execute();

  await db.schema
    .createTable('apiKey')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspaceId', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('createdBy', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('createdAt', 'text', (c) => c.notNull())
    .addColumn('expiresAt', 'text')
    .addColumn('lastUsedAt', 'text')
    .addColumn('revokedAt', 'text')
    .execute();
  await db.schema.createIndex('apiKey_workspaceId_idx').on('apiKey').column('workspaceId').execute();

  // No foreign keys: the audit log outlives the workspaces and users it mentions.
  await db.schema
    .createTable('auditEvent')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('workspaceId', 'text')
    .addColumn('actorType', 'text', (c) => c.notNull())
    .addColumn('actorId', 'text')
    .addColumn('actorLabel', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('targetType', 'text')
    .addColumn('targetId', 'text')
    .addColumn('requestId', 'text')
    .addColumn('clientAddress', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text')
    .execute();
  await db.schema.createIndex('auditEvent_workspace_at_idx').on('auditEvent').columns(['workspaceId', 'at']).execute();
  await db.schema.createIndex('auditEvent_at_idx').on('auditEvent').column('at').execute();

  // Append-only is enforced by the database itself, not only by the absence of an update query.
  if (postgres) {
    await sql`create function "auditEvent_append_only"() returns trigger language plpgsql as $$
      begin raise exception 'auditEvent is append-only'; end $$`.execute(db);
    await sql`create trigger "auditEvent_no_change" before update or delete on "auditEvent"
      for each row execute function "auditEvent_append_only"()`.execute(db);
  } else {
    await sql`create trigger "auditEvent_no_update" before update on "auditEvent"
      begin select raise(abort, 'auditEvent is append-only'); end`.execute(db);
    await sql`create trigger "auditEvent_no_delete" before delete on "auditEvent"
      begin select raise(abort, 'auditEvent is append-only'); end`.execute(db);
  }

  await db.schema
    .createTable('secret')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspaceId', 'text', (c) => c.references('workspace.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('keyId', 'text', (c) => c.notNull())
    .addColumn('createdAt', 'text', (c) => c.notNull())
    .addColumn('updatedAt', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('steadMeta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updatedAt', 'text', (c) => c.notNull())
    .execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['steadMeta', 'secret', 'auditEvent', 'apiKey', 'workspaceInvitation', 'workspaceMember', 'workspace', 'twoFactor', 'verification', 'account', 'session', 'user']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
};
