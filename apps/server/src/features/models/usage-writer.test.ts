import { describe, expect, it } from 'vitest';
import { createUsageWriter } from './usage-writer.ts';

describe('usage writer', () => {
  it('writes every row, in order, as statements of at most rowsPerStatement rows, letting other work run between them', async () => {
    const events: string[] = [];
    const written: number[] = [];
    const writer = createUsageWriter<number>({
      insert: async (rows) => {
        events.push(`insert ${rows.length}`);
        written.push(...rows);
      },
      flushMs: 60_000,
      rowsPerStatement: 50,
      flushAtRows: 1_000,
      onError: () => undefined,
    });
    for (let row = 0; row < 130; row++) writer.add(row);
    // Work that arrives while the batch is written (a request, say) runs between two statements, not after all.
    setImmediate(() => events.push('other work'));
    await writer.flush();
    expect(written).toEqual(Array.from({ length: 130 }, (_, row) => row));
    expect(events.filter((event) => event.startsWith('insert'))).toEqual(['insert 50', 'insert 50', 'insert 30']);
    expect(events.indexOf('other work')).toBeGreaterThan(0);
    expect(events.indexOf('other work')).toBeLessThan(events.length - 1);
  });

  it('writes on its own after flushMs, or at once at flushAtRows', async () => {
    const written: number[][] = [];
    const writer = createUsageWriter<number>({ insert: async (rows) => void written.push(rows), flushMs: 20, rowsPerStatement: 50, flushAtRows: 3, onError: () => undefined });
    writer.add(1);
    expect(written).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(written).toEqual([[1]]);
    writer.add(2);
    writer.add(3);
    writer.add(4);
    await writer.flush();
    expect(written).toEqual([[1], [2, 3, 4]]);
  });

  it('reports a failed statement with its row count and still writes the others', async () => {
    const failures: number[] = [];
    const written: number[] = [];
    const writer = createUsageWriter<number>({
      insert: async (rows) => {
        if (rows[0] === 2) throw new Error('disk full');
        written.push(...rows);
      },
      flushMs: 60_000,
      rowsPerStatement: 2,
      flushAtRows: 1_000,
      onError: (_error, rows) => failures.push(rows),
    });
    for (let row = 0; row < 5; row++) writer.add(row);
    await writer.flush();
    expect(failures).toEqual([2]);
    expect(written).toEqual([0, 1, 4]);
  });
});
