import { sql, type Kysely } from 'kysely';
import { columnTypes, createTable } from './migration-helpers.ts';

/**
 * Identity (better-auth's tables, exactly as its schema generator emits them for core + two-factor plus
 * Stead's `disabledAt` and `isAdmin` user fields), workspaces, members, invitations, API keys, the append-only
 * audit log and encrypted secrets.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  const { postgres } = columnTypes(db);

  await createTable(db, 'user', {
    id: 'text primary key',
    name: 'text not null',
    email: 'text not null unique',
    emailVerified: 'authBoolean not null',
    image: 'text',
    createdAt: 'authDate not null',
    updatedAt: 'authDate not null',
    twoFactorEnabled: 'authBoolean',
    disabledAt: 'authDate',
    isAdmin: 'authBoolean',
  }).execute();

  await createTable(db, 'session', {
    id: 'text primary key',
    expiresAt: 'authDate not null',
    token: 'text not null unique',
    createdAt: 'authDate not null',
    updatedAt: 'authDate not null',
    ipAddress: 'text',
    userAgent: 'text',
    userId: 'text not null references user.id on delete cascade',
  }).execute();
  await db.schema.createIndex('session_userId_idx').on('session').column('userId').execute();

  await createTable(db, 'account', {
    id: 'text primary key',
    accountId: 'text not null',
    providerId: 'text not null',
    userId: 'text not null references user.id on delete cascade',
    accessToken: 'text',
    refreshToken: 'text',
    idToken: 'text',
    accessTokenExpiresAt: 'authDate',
    refreshTokenExpiresAt: 'authDate',
    scope: 'text',
    password: 'text',
    createdAt: 'authDate not null',
    updatedAt: 'authDate not null',
  }).execute();
  await db.schema.createIndex('account_userId_idx').on('account').column('userId').execute();

  await createTable(db, 'verification', {
    id: 'text primary key',
    identifier: 'text not null',
    value: 'text not null',
    expiresAt: 'authDate not null',
    createdAt: 'authDate not null',
    updatedAt: 'authDate not null',
  }).execute();
  await db.schema.createIndex('verification_identifier_idx').on('verification').column('identifier').execute();

  await createTable(db, 'twoFactor', {
    id: 'text primary key',
    secret: 'text not null',
    backupCodes: 'text not null',
    userId: 'text not null references user.id on delete cascade',
    verified: 'authBoolean',
    failedVerificationCount: 'integer',
    lockedUntil: 'authDate',
  }).execute();
  await db.schema.createIndex('twoFactor_secret_idx').on('twoFactor').column('secret').execute();
  await db.schema.createIndex('twoFactor_userId_idx').on('twoFactor').column('userId').execute();

  await createTable(db, 'workspace', {
    id: 'text primary key',
    name: 'text not null',
    slug: 'text not null unique',
    createdAt: 'text not null',
    updatedAt: 'text not null',
  }).execute();

  await createTable(db, 'workspaceMember', {
    workspaceId: 'text not null references workspace.id on delete cascade',
    userId: 'text not null references user.id on delete cascade',
    role: 'text not null',
    createdAt: 'text not null',
  })
    .addPrimaryKeyConstraint('workspaceMember_pk', ['workspaceId', 'userId'])
    .execute();
  await db.schema.createIndex('workspaceMember_userId_idx').on('workspaceMember').column('userId').execute();

  await createTable(db, 'workspaceInvitation', {
    id: 'text primary key',
    workspaceId: 'text not null references workspace.id on delete cascade',
    email: 'text',
    role: 'text not null',
    tokenHash: 'text not null unique',
    invitedBy: 'text not null',
    createdAt: 'text not null',
    expiresAt: 'text not null',
    acceptedAt: 'text',
    acceptedBy: 'text',
    revokedAt: 'text',
  }).execute();
  await db.schema.createIndex('workspaceInvitation_workspaceId_idx').on('workspaceInvitation').column('workspaceId').execute();

  await createTable(db, 'apiKey', {
    id: 'text primary key',
    workspaceId: 'text not null references workspace.id on delete cascade',
    name: 'text not null',
    prefix: 'text not null',
    hash: 'text not null unique',
    role: 'text not null',
    createdBy: 'text not null references user.id on delete cascade',
    createdAt: 'text not null',
    expiresAt: 'text',
    lastUsedAt: 'text',
    revokedAt: 'text',
  }).execute();
  await db.schema.createIndex('apiKey_workspaceId_idx').on('apiKey').column('workspaceId').execute();

  // No foreign keys: the audit log outlives the workspaces and users it mentions.
  await createTable(db, 'auditEvent', {
    id: 'text primary key',
    at: 'text not null',
    workspaceId: 'text',
    actorType: 'text not null',
    actorId: 'text',
    actorLabel: 'text',
    action: 'text not null',
    targetType: 'text',
    targetId: 'text',
    requestId: 'text',
    clientAddress: 'text',
    outcome: 'text not null',
    metadata: 'text',
  }).execute();
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

  await createTable(db, 'secret', {
    id: 'text primary key',
    workspaceId: 'text references workspace.id on delete cascade',
    name: 'text not null',
    ciphertext: 'text not null',
    keyId: 'text not null',
    createdAt: 'text not null',
    updatedAt: 'text not null',
  }).execute();

  await createTable(db, 'steadMeta', {
    key: 'text primary key',
    value: 'text not null',
    updatedAt: 'text not null',
  }).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['steadMeta', 'secret', 'auditEvent', 'apiKey', 'workspaceInvitation', 'workspaceMember', 'workspace', 'twoFactor', 'verification', 'account', 'session', 'user']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
};
