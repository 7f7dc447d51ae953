import { describe, expect, it } from 'vitest';
import { auditTargetView } from '@/features/audit/audit.ts';
import type { AuditEvent } from '@/lib/api.ts';

const event = (target: AuditEvent['target'], workspaceId: string | null = 'w1') => ({ target, workspaceId });
const member = (workspaceId: string) => workspaceId === 'w1';

describe('auditTargetView', () => {
  it('names a target and links it to its page', () => {
    expect(auditTargetView(event({ type: 'schedule', id: '01m8xks2abcdefgh', name: 'nightly-report', deleted: false }), member)).toEqual({
      label: 'Schedule nightly-report',
      title: 'schedule 01m8xks2abcdefgh',
      deleted: false,
      link: { page: 'schedule', scheduleId: '01m8xks2abcdefgh' },
    });
    expect(auditTargetView(event({ type: 'key', id: 'k1', name: 'deploy-bot', deleted: false }), member)).toMatchObject({ label: 'API key deploy-bot', link: { page: 'keys' } });
    expect(auditTargetView(event({ type: 'user', id: 'u1', name: 'mo@example.com', deleted: false }), member)).toMatchObject({ label: 'User mo@example.com', link: { page: 'members' } });
    expect(auditTargetView(event({ type: 'model-provider', id: 'p1', name: 'ollama', deleted: false }), member)).toMatchObject({ label: 'Provider ollama', link: { page: 'models' } });
  });

  it('marks a deleted target, keeps its name and links nowhere', () => {
    expect(auditTargetView(event({ type: 'schedule', id: '01m8xks2abcdefgh', name: 'nightly-report', deleted: true }), member)).toEqual({
      label: 'Schedule nightly-report',
      title: 'schedule 01m8xks2abcdefgh (deleted)',
      deleted: true,
      link: null,
    });
    expect(auditTargetView(event({ type: 'schedule', id: '01m8xks2abcdefgh', name: null, deleted: true }), member)).toMatchObject({ label: 'Schedule 01m8xks2…', deleted: true, link: null });
  });

  it('links only into workspaces the viewer can open, and shows events without a target as none', () => {
    expect(auditTargetView(event({ type: 'schedule', id: 's1', name: 'x', deleted: false }, 'w2'), member)?.link).toBeNull();
    expect(auditTargetView(event({ type: 'user', id: 'u1', name: 'a@b.c', deleted: false }, null), member)?.link).toBeNull();
    expect(auditTargetView(event({ type: null, id: null, name: null, deleted: false }), member)).toBeNull();
  });
});
