import { expect, it } from 'vitest';
import { createIds } from './clock.ts';

it('creates ids that sort in creation order, also within one millisecond and when the clock steps back', () => {
  let now = Date.parse('2030-01-01T00:00:00.000Z');
  const ids = createIds({ now: () => new Date(now) });
  const created: string[] = [];
  for (let index = 0; index < 1000; index += 1) {
    if (index === 500) now -= 5; // a clock adjustment
    if (index % 100 === 0) now += 1;
    created.push(ids.next());
  }
  expect(new Set(created).size).toBe(1000);
  expect([...created].sort()).toEqual(created);
  expect(created.every((id) => /^[0-9a-z]{26}$/.test(id))).toBe(true);
});
