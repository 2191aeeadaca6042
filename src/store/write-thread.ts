/**
 * Call-record writes in a worker thread. better-sqlite3 is synchronous: on the event loop, a commit that waits for
 * the disk (the bench saw 25 ms of wall time for 5 ms of CPU on a busy machine) stalls every call. Here the worker
 * owns a second connection to the same WAL file, runs each batch in one transaction, and also runs the WAL
 * checkpoints (which sync the disk) after every few thousand rows, with SQLite's automatic checkpoint off.
 * The main thread only turns records into plain rows and posts them.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Logger } from '../runtime/services.js';
import type { Row, WriteExecutor } from './batch-writer.js';

// CommonJS in a string, so the worker runs the same under tsx, vitest and the compiled dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
let db, run, rowsSinceCheckpoint = 0, checkpoints = 0;
function open() {
  const conn = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
  try {
    conn.pragma('synchronous = NORMAL');
    conn.pragma('wal_autocheckpoint = 0');
    const statements = workerData.statements.map((sql) => conn.prepare(sql));
    run = conn.transaction((rows) => { for (const [index, params] of rows) statements[index].run(params); });
    db = conn;
  } catch (error) {
    conn.close();
    throw error;
  }
}
parentPort.on('message', (message) => {
  if (message.type === 'close') {
    try { if (db) { db.pragma('wal_checkpoint(PASSIVE)'); db.close(); } } catch (error) {}
    parentPort.close();
    return;
  }
  try {
    if (!db) open();
    run(message.rows);
    rowsSinceCheckpoint += message.rows.length;
    if (rowsSinceCheckpoint >= workerData.checkpointEvery) {
      rowsSinceCheckpoint = 0;
      try { db.pragma('wal_checkpoint(PASSIVE)'); checkpoints++; } catch (error) {}
    }
    parentPort.postMessage({ id: message.id, ok: true, checkpoints });
  } catch (error) {
    if (db && !db.open) db = undefined;
    parentPort.postMessage({ id: message.id, ok: false, error: String((error && error.message) || error), checkpoints });
  }
});
`;

export interface WriteThread extends WriteExecutor {
  /** WAL checkpoints the worker completed. */
  readonly checkpoints: number;
  close(): Promise<void>;
}

export interface WriteThreadOptions {
  path: string;
  statements: readonly string[];
  busyTimeoutMs: number;
  checkpointEvery: number;
  logger: Logger;
}

interface Reply {
  id: number;
  ok: boolean;
  error?: string;
  checkpoints: number;
}

/** Starts the write thread; undefined when a worker cannot start (the store then writes inline). */
export function startWriteThread(options: WriteThreadOptions): WriteThread | undefined {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const workerData = { path: options.path, statements: [...options.statements], busyTimeoutMs: options.busyTimeoutMs, checkpointEvery: options.checkpointEvery, module };
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let checkpoints = 0;
  let worker: Worker | undefined;
  let closing = false;

  const spawn = (): Worker => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData });
    // An idle writer must not keep the process alive; a write in flight does (see `run`).
    w.unref();
    w.on('message', (reply: Reply) => {
      checkpoints = reply.checkpoints;
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if (pending.size === 0) w.unref();
      if (reply.ok) waiter?.resolve();
      else waiter?.reject(new Error(reply.error ?? 'write failed'));
    });
    w.on('error', (error) => options.logger.error({ error: error.message }, 'call record write thread failed; starting a new one'));
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      for (const [id, waiter] of pending) {
        pending.delete(id);
        waiter.reject(new Error('the write thread stopped'));
      }
    });
    return w;
  };

  try {
    worker = spawn();
  } catch (error) {
    options.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'call record write thread did not start; writing on the main thread');
    return undefined;
  }

  return {
    get checkpoints() {
      return checkpoints;
    },
    run(rows: Row[]): Promise<void> {
      if (closing) return Promise.reject(new Error('the store is closing'));
      const w = (worker ??= spawn());
      const id = nextId++;
      return new Promise<void>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.ref();
        w.postMessage({ type: 'write', id, rows });
      });
    },
    async close() {
      closing = true;
      const w = worker;
      if (!w) return;
      w.ref();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => void w.terminate().then(() => resolve()), 5000);
        w.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        w.postMessage({ type: 'close' });
      });
    },
  };
}
