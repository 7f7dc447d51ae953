import { describe, expect, it } from 'vitest';
import { dismissToast, getToasts, subscribeToasts, toast } from './toast.ts';

describe('toast store', () => {
  it('adds, caps and dismisses toasts and notifies subscribers', () => {
    const seen: number[] = [];
    const unsubscribe = subscribeToasts((list) => seen.push(list.length));
    for (let index = 0; index < 6; index++) toast.info(`t${index}`);
    expect(getToasts()).toHaveLength(4);
    expect(getToasts()[0]?.title).toBe('t2');
    const id = toast.error('Failed', 'details');
    expect(getToasts().at(-1)).toMatchObject({ id, kind: 'error', title: 'Failed', description: 'details' });
    dismissToast(id);
    expect(getToasts().some((item) => item.id === id)).toBe(false);
    unsubscribe();
    expect(seen.length).toBeGreaterThan(0);
  });
});
