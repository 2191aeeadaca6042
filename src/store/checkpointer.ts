/**
 * WAL checkpoints in a worker thread. In WAL mode, commits are cheap, but a checkpoint copies the log into the
 * database and syncs it to disk: on a slow disk that takes tens of milliseconds, and SQLite's automatic
 * checkpoint would run it inside a commit on the event loop (the bench measured blocks of 40-150 ms). So the main
 * connection turns automatic checkpoints off, and this worker runs a PASSIVE checkpoint on its own connection
 * after every few thousand rows. PASSIVE never waits for the writer, so the two connections do not block each other.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Logger } from '../runtime/services.js';

// The worker is CommonJS code in a string, so it runs the same under tsx, vitest and the compiled dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { timeout: 2000 });
parentPort.on('message', (message) => {
  if (message === 'close') { db.close(); parentPort.close(); return; }
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, result });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error && error.message || error) });
  }
});
`;

export interface Checkpointer {
  /** Asks for a checkpoint unless one is running. */
  request(): void;
  /** Checkpoints completed so far. */
  readonly completed: number;
  close(): Promise<void>;
}

/** Starts the checkpoint worker for a database file; undefined when a worker cannot start. */
export function startCheckpointer(path: string, logger: Logger): Checkpointer | undefined {
  let worker: Worker;
  try {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, module } });
  } catch (error) {
    logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'WAL checkpoint worker did not start; SQLite will checkpoint on the main thread');
    return undefined;
  }
  worker.unref();
  let running = false;
  let failedOnce = false;
  let completed = 0;
  worker.on('message', (message: { ok: boolean; error?: string }) => {
    running = false;
    if (message.ok) completed++;
    if (!message.ok && !failedOnce) {
      failedOnce = true;
      logger.warn({ error: message.error }, 'WAL checkpoint failed; the log grows until one succeeds');
    }
  });
  worker.on('error', (error) => logger.warn({ error: error.message }, 'WAL checkpoint worker stopped'));
  return {
    get completed() {
      return completed;
    },
    request() {
      if (running) return;
      running = true;
      worker.postMessage('checkpoint');
    },
    async close() {
      worker.postMessage('close');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 2000);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
