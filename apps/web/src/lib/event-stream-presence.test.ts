import { describe, expect, it } from 'vitest';
import { createEventStreamPresence } from './event-stream-presence.ts';

describe('event stream presence', () => {
  it('is open while any stream is, tells subscribers of each change, and counts a repeated close once', () => {
    const presence = createEventStreamPresence();
    let changes = 0;
    const unsubscribe = presence.subscribe(() => (changes += 1));
    expect(presence.isAnyOpen()).toBe(false);
    const closeAudit = presence.opened();
    const closeOther = presence.opened();
    expect(presence.isAnyOpen()).toBe(true);
    closeAudit();
    closeAudit();
    expect(presence.isAnyOpen()).toBe(true);
    closeOther();
    expect(presence.isAnyOpen()).toBe(false);
    expect(changes).toBe(4);
    unsubscribe();
    presence.opened();
    expect(changes).toBe(4);
  });
});
