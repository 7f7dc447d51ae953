import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints a SQLite database's write-ahead log from a worker thread, on a connection of its own.
 *
 * SQLite's automatic checkpoint runs inside the commit that fills the log to 1,000 pages: on the event loop, it
 * copies those pages into the database file and waits for the disk twice. Under steady writes (the gateway's
 * usage ledger) that came every few seconds and stopped every request in flight for milliseconds. Here the
 * server's connection has automatic checkpoints turned off and this thread copies and syncs instead: a PASSIVE
 * checkpoint takes no lock a writer waits for, and once it has copied the whole log the server's next commit
 * starts the log over, so the file stays small. Together with scheduler leases that no longer wait for the disk,
 * under the gateway benchmark's load (seen with strace) the server's event loop went from a wait for the disk every
 * second plus, every 4 s or so, a checkpoint that copied about 4 MB and waited three times, to one short wait in 5 s.
 *
 * The thread runs plain JavaScript given as source (the server is bundled into one file, so there is no worker
 * file to point at) and loads the same better-sqlite3 the server uses, by its resolved path.
 */
export interface SqliteCheckpointer {
  /** Stops the thread after its current checkpoint. The server's connection closes after this. */
  stop(): Promise<void>;
}

/** What the owner of the database chooses: how often, and who hears about checkpoints and failures. */
export interface BackgroundCheckpoints {
  /**
   * Time between checkpoints. Default 5,000 ms. Once a checkpoint has copied the whole log, the server's next
   * commit starts the log over and syncs its header: one wait for the disk per interval on the event loop, so the
   * interval is not shorter than the log needs (under the gateway's steady ledger writes a few MB in 5 s).
   */
  intervalMs?: number;
  /** After each checkpoint that found frames: how many the log held and how many are now in the database file. */
  onCheckpoint?(result: { logFrames: number; checkpointedFrames: number }): void;
  /** The thread failed (it has stopped): the caller turns automatic checkpoints back on. */
  onError(error: Error): void;
}

export interface SqliteCheckpointerOptions extends BackgroundCheckpoints {
  file: string;
}

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const connection = new Database(workerData.file);
connection.pragma('busy_timeout = 5000');
// A checkpoint syncs the log before copying and the database file after, as the server's own commits are synced.
connection.pragma('synchronous = FULL');
const checkpoint = () => {
  const [row] = connection.pragma('wal_checkpoint(PASSIVE)');
  if (row.log > 0) parentPort.postMessage({ logFrames: row.log, checkpointedFrames: row.checkpointed });
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  connection.close();
  parentPort.close();
});
`;

export const startSqliteCheckpointer = ({ file, intervalMs = 5000, onCheckpoint, onError }: SqliteCheckpointerOptions): SqliteCheckpointer => {
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(workerSource, { eval: true, workerData: { file, intervalMs, driverPath } });
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (result: { logFrames: number; checkpointedFrames: number }) => onCheckpoint?.(result));
  worker.on('error', (error) => {
    if (!stopping) onError(error);
  });
  // The thread never keeps a process alive on its own; the server that owns the database does.
  worker.unref();
  return {
    async stop() {
      stopping = true;
      // Referenced again while it stops: otherwise a process with nothing else to do would exit during the wait,
      // with code 0, before its caller could report anything.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
};
