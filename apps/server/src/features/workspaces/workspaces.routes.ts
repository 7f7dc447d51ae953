import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actingUserId, idParam, noContent, userOf, workspaceIdParams, workspaceOf, type SteadApp } from '../../platform/http/http.types.ts';
import {
  changeRoleBody,
  createInvitationBody,
  createWorkspaceBody,
  invitationPreviewSchema,
  invitationSchema,
  memberSchema,
  renameWorkspaceBody,
  updateWorkspaceSettingsBody,
  workspaceSchema,
  workspaceSettingsSchema,
  workspaceWithRoleSchema,
} from './workspaces.schema.ts';
import type { WorkspacesService } from './workspaces.service.ts';

export interface WorkspacesRoutesDeps {
  workspaces: WorkspacesService;
  /** Origin of the links people open: `STEAD_PUBLIC_URL`, else the request's own origin once its Host passed the allowlist. */
  linkOrigin: (request: Pick<FastifyRequest, 'protocol' | 'host'>) => string;
}

const tokenParams = z.object({ token: z.string().min(10).max(200) });

export const registerWorkspacesRoutes = (app: SteadApp, { workspaces, linkOrigin }: WorkspacesRoutesDeps): void => {
  app.get('/api/workspaces', {
    config: { permission: 'user' },
    schema: { tags: ['workspaces'], summary: 'Workspaces the signed-in user belongs to, with their role', response: { 200: z.object({ workspaces: z.array(workspaceWithRoleSchema) }) } },
  }, async (request) => ({ workspaces: await workspaces.listForUser(userOf(request).user.id) }));

  app.post('/api/workspaces', {
    config: { permission: 'user', audit: 'workspace.create' },
    schema: { tags: ['workspaces'], summary: 'Create a workspace; the caller becomes its owner', body: createWorkspaceBody, response: { 201: z.object({ workspace: workspaceSchema }) } },
  }, async (request, reply) => {
    const workspace = await workspaces.create(request.body.name, userOf(request).user.id);
    request.auditDetails = { workspaceId: workspace.id, targetType: 'workspace', targetId: workspace.id, metadata: { name: workspace.name } };
    return reply.status(201).send({ workspace });
  });

  app.get('/api/workspaces/:workspaceId', {
    config: { permission: 'workspace:read' },
    schema: { tags: ['workspaces'], summary: 'One workspace', params: workspaceIdParams, response: { 200: z.object({ workspace: workspaceWithRoleSchema }) } },
  }, async (request) => {
    const access = workspaceOf(request);
    return { workspace: { ...(await workspaces.get(access.workspaceId)), role: access.role } };
  });

  app.patch('/api/workspaces/:workspaceId', {
    config: { permission: 'workspace:update', audit: 'workspace.rename' },
    schema: { tags: ['workspaces'], summary: 'Rename a workspace', params: workspaceIdParams, body: renameWorkspaceBody, response: { 200: z.object({ workspace: workspaceSchema }) } },
  }, async (request) => {
    request.auditDetails = { targetType: 'workspace', targetId: request.params.workspaceId, metadata: { name: request.body.name } };
    return { workspace: await workspaces.rename(request.params.workspaceId, request.body.name) };
  });

  app.delete('/api/workspaces/:workspaceId', {
    config: { permission: 'workspace:delete', audit: 'workspace.delete' },
    schema: { tags: ['workspaces'], summary: 'Delete a workspace and everything in it', params: workspaceIdParams, response: { 204: noContent } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'workspace', targetId: request.params.workspaceId };
    await workspaces.remove(request.params.workspaceId);
    return reply.status(204).send(null);
  });

  app.get('/api/workspaces/:workspaceId/settings', {
    config: { permission: 'workspace:read' },
    schema: { tags: ['workspaces'], summary: "The workspace's settings (every member may read them)", params: workspaceIdParams, response: { 200: z.object({ settings: workspaceSettingsSchema }) } },
  }, async (request) => ({ settings: await workspaces.settings(request.params.workspaceId) }));

  app.patch('/api/workspaces/:workspaceId/settings', {
    config: { permission: 'workspace:update', audit: 'workspace.settings-change' },
    schema: {
      tags: ['workspaces'],
      summary: 'Change settings: `memberKeys` on lets members and viewers create API keys for themselves',
      params: workspaceIdParams,
      body: updateWorkspaceSettingsBody,
      response: { 200: z.object({ settings: workspaceSettingsSchema }) },
    },
  }, async (request) => {
    request.auditDetails = { targetType: 'workspace', targetId: request.params.workspaceId, metadata: request.body };
    return { settings: await workspaces.updateSettings(request.params.workspaceId, request.body) };
  });

  app.get('/api/workspaces/:workspaceId/members', {
    config: { permission: 'members:read' },
    schema: { tags: ['members'], summary: 'Members and their roles', params: workspaceIdParams, response: { 200: z.object({ members: z.array(memberSchema) }) } },
  }, async (request) => ({ members: await workspaces.listMembers(request.params.workspaceId) }));

  const memberParams = workspaceIdParams.extend({ userId: idParam() });
  app.patch('/api/workspaces/:workspaceId/members/:userId', {
    config: { permission: 'members:manage', audit: 'member.role-change' },
    schema: { tags: ['members'], summary: "Change a member's role", params: memberParams, body: changeRoleBody, response: { 200: z.object({ member: memberSchema }) } },
  }, async (request) => {
    request.auditDetails = { targetType: 'user', targetId: request.params.userId, metadata: { role: request.body.role } };
    return { member: await workspaces.changeRole(request.params.workspaceId, workspaceOf(request).role, request.params.userId, request.body.role) };
  });

  app.delete('/api/workspaces/:workspaceId/members/:userId', {
    config: { permission: 'members:manage', audit: 'member.remove' },
    schema: { tags: ['members'], summary: 'Remove a member', params: memberParams, response: { 204: noContent } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'user', targetId: request.params.userId };
    await workspaces.removeMember(request.params.workspaceId, workspaceOf(request).role, request.params.userId);
    return reply.status(204).send(null);
  });

  app.get('/api/workspaces/:workspaceId/invitations', {
    config: { permission: 'members:manage' },
    schema: { tags: ['members'], summary: 'Invitations of a workspace', params: workspaceIdParams, response: { 200: z.object({ invitations: z.array(invitationSchema) }) } },
  }, async (request) => ({ invitations: await workspaces.listInvitations(request.params.workspaceId) }));

  app.post('/api/workspaces/:workspaceId/invitations', {
    config: { permission: 'members:manage', audit: 'invitation.create' },
    schema: {
      tags: ['members'],
      summary: 'Create an invitation link (shown once); optionally bound to one email address',
      params: workspaceIdParams,
      body: createInvitationBody,
      response: { 201: z.object({ invitation: invitationSchema, url: z.string() }) },
    },
  }, async (request, reply) => {
    const access = workspaceOf(request);
    const { invitation, token } = await workspaces.invite(access.workspaceId, request.body, { userId: actingUserId(request), role: access.role });
    request.auditDetails = { targetType: 'invitation', targetId: invitation.id, metadata: { email: invitation.email, role: invitation.role } };
    return reply.status(201).send({ invitation, url: `${linkOrigin(request)}/invite/${token}` });
  });

  app.delete('/api/workspaces/:workspaceId/invitations/:invitationId', {
    config: { permission: 'members:manage', audit: 'invitation.revoke' },
    schema: { tags: ['members'], summary: 'Revoke an invitation', params: workspaceIdParams.extend({ invitationId: idParam() }), response: { 204: noContent } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'invitation', targetId: request.params.invitationId };
    await workspaces.revokeInvitation(request.params.workspaceId, request.params.invitationId);
    return reply.status(204).send(null);
  });

  app.get('/api/invitations/:token', {
    config: { permission: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
    schema: { tags: ['members'], summary: 'What an invitation link grants (for the acceptance page)', params: tokenParams, response: { 200: invitationPreviewSchema } },
  }, async (request) => workspaces.previewInvitation(request.params.token));

  app.post('/api/invitations/:token/accept', {
    config: { permission: 'user', audit: 'invitation.accept' },
    schema: { tags: ['members'], summary: 'Join the workspace of an invitation', params: tokenParams, response: { 200: z.object({ workspace: workspaceSchema }) } },
  }, async (request) => {
    const { user } = userOf(request);
    const workspace = await workspaces.acceptInvitation(request.params.token, user);
    request.auditDetails = { workspaceId: workspace.id, targetType: 'workspace', targetId: workspace.id };
    return { workspace };
  });
};
