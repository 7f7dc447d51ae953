import { setImmediate as nextTurn } from 'node:timers/promises';

export interface UsageWriterOptions<Row> {
  /** Writes rows in one statement. */
  insert(rows: Row[]): Promise<void>;
  /** How long rows wait to be written together. */
  flushMs: number;
  /** Most rows per statement. */
  rowsPerStatement: number;
  /** Rows waiting at which a flush starts at once, without waiting for `flushMs`. */
  flushAtRows: number;
  /** A statement failed: its rows are dropped (the calls they record have already answered). */
  onError(error: unknown, rows: number): void;
}

/**
 * Writes the usage ledger behind the calls, in batches: a synchronous SQLite commit per call would cost more than
 * the gateway's whole latency budget. SQLite statements run on the event loop, so a batch goes out as statements
 * of at most `rowsPerStatement` rows with other work let through between them: each pause stays well under the
 * gateway's p99 budget whatever the request rate. A crash can lose at most the last `flushMs` of rows.
 */
export interface UsageWriter<Row> {
  add(row: Row): void;
  /** Writes every row added so far; resolves once they are written (or reported). */
  flush(): Promise<void>;
}

export const createUsageWriter = <Row>({ insert, flushMs, rowsPerStatement, flushAtRows, onError }: UsageWriterOptions<Row>): UsageWriter<Row> => {
  const pending: Row[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const rows = pending.splice(0);
    writing = writing.then(async () => {
      for (let start = 0; start < rows.length; start += rowsPerStatement) {
        if (start > 0) await nextTurn();
        const statement = rows.slice(start, start + rowsPerStatement);
        await insert(statement).catch((error: unknown) => onError(error, statement.length));
      }
    });
    return writing;
  };

  return {
    add(row: Row): void {
      pending.push(row);
      if (pending.length >= flushAtRows) void flush();
      else timer ??= setTimeout(() => void flush(), flushMs).unref();
    },
    /** Writes every row added so far; resolves once they are written (or reported). */
    flush,
  };
};
