/**
 * Persisted state of calls in progress (`live_calls`), so a restarted engine can take its calls back from Asterisk.
 *
 * Saving never touches the disk on the call path: `save` only records the newest state of a call in memory
 * (latest wins, so a call that changes step five times between two flushes costs one row). A timer on the store's
 * clock writes the pending rows in one transaction through the store's executor (the write thread for files),
 * every flush interval (50 ms by default), so a `kill -9` loses at most the changes of the last interval plus the
 * write in flight. A snapshot may be given as a function: it is read at flush time, when the call's state machine
 * is at rest, and only for the newest save. A failed write keeps the rows (newer saves replace them) and retries
 * with backoff; nothing here throws into a call.
 */
import type Database from 'better-sqlite3';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { Logger } from '../runtime/services.js';
import type { Row, WriteExecutor } from './batch-writer.js';

/** A persisted call. */
export interface LiveCallRow {
  id: string;
  flow: string;
  version: string;
  /** The snapshot as it was saved (parsed JSON). */
  snapshot: unknown;
  updatedAt: number;
}

/** Counters of the live-call writer. */
export interface LiveCallMetrics {
  /** Calls whose newest state is not on disk yet. */
  pending: number;
  /** Rows written (saves and removals) since start. */
  written: number;
  /** Failed write attempts (each is retried). */
  retried: number;
  /** Saves dropped: a snapshot that could not be read or serialised, or a save after close. */
  dropped: number;
  lastError?: string;
}

/** The `store.liveCalls` API. */
export interface LiveCalls {
  /** Remembers the newest state of a call; written with the next flush. `snapshot` may be a function read then. */
  save(callId: string, flow: string, version: string, snapshot: unknown): void;
  /** Forgets a call (it ended); written with the next flush. */
  remove(callId: string): void;
  /** Every persisted call, newest state first (pending changes included). */
  all(): LiveCallRow[];
  /** One persisted call (pending changes included), or undefined. */
  get(callId: string): LiveCallRow | undefined;
  /** Writes the pending changes now; resolves even when the write fails (they stay pending). */
  flush(): Promise<void>;
  metrics(): LiveCallMetrics;
  /** Last flush, then no more writes. */
  close(): Promise<void>;
}

/** Statements the live-call writer hands to the executor, appended to the call-record statements. */
export const LIVE_CALL_STATEMENTS: readonly string[] = [
  `INSERT INTO live_calls (id, flow, version, snapshot, updated_at) VALUES (?, ?, ?, ?, ?)
   ON CONFLICT (id) DO UPDATE SET flow = excluded.flow, version = excluded.version, snapshot = excluded.snapshot,
     updated_at = excluded.updated_at`,
  'DELETE FROM live_calls WHERE id = ?',
];

type Pending = { op: 'save'; flow: string; version: string; snapshot: unknown; at: number } | { op: 'remove'; at: number };

/** How the writer runs. `statementBase` is the index of the first live-call statement in the executor. */
export interface LiveCallWriterOptions {
  clock: Clock;
  logger: Logger;
  flushIntervalMs: number;
  statementBase: number;
  /** Most calls serialised and written per batch, bounding how long one flush holds the event loop. Default 100. */
  maxBatchCalls?: number;
}

const MAX_BACKOFF_MS = 5_000;

/** Creates `store.liveCalls` over the store's connection (reads) and executor (writes). */
export function liveCalls(db: Database.Database, executor: WriteExecutor, options: LiveCallWriterOptions): LiveCalls {
  const { clock, logger } = options;
  const maxBatch = options.maxBatchCalls ?? 100;
  const UPSERT = options.statementBase;
  const DELETE = options.statementBase + 1;
  let pending = new Map<string, Pending>();
  /** Rows handed to the executor and not yet committed: still the newest known state while in flight. */
  let writing = new Map<string, Pending>();
  let inFlight: Promise<void> | undefined;
  let timer: TimerHandle | undefined;
  let failuresInRow = 0;
  let closed = false;
  const counters = { written: 0, retried: 0, dropped: 0 };
  let lastError: string | undefined;
  let readStatements: { one: Database.Statement; all: Database.Statement } | undefined;

  const schedule = (delay: number): void => {
    if (timer !== undefined || closed) return;
    timer = clock.setTimeout(() => {
      timer = undefined;
      void write().then((ok) => {
        if (!ok) schedule(Math.min(MAX_BACKOFF_MS, options.flushIntervalMs * 2 ** failuresInRow));
        // More than one batch waiting: go on in the next turn, so calls are served in between.
        else if (pending.size > 0) schedule(0);
      });
    }, delay);
    // A housekeeping timer must not keep the process alive on its own.
    (timer as { unref?: () => void } | undefined)?.unref?.();
  };

  /** Turns pending changes into rows; a snapshot that cannot be read or serialised is dropped (and logged). */
  const toRows = (batch: Map<string, Pending>): Row[] => {
    const rows: Row[] = [];
    for (const [id, change] of batch) {
      if (change.op === 'remove') {
        rows.push([DELETE, [id]]);
        continue;
      }
      try {
        const value = typeof change.snapshot === 'function' ? (change.snapshot as () => unknown)() : change.snapshot;
        change.snapshot = value;
        rows.push([UPSERT, [id, change.flow, change.version, JSON.stringify(value), change.at]]);
      } catch (error) {
        batch.delete(id);
        counters.dropped++;
        logger.warn({ callId: id, error: error instanceof Error ? error.message : String(error) }, 'call state not saved: its snapshot could not be read');
      }
    }
    return rows;
  };

  /** Writes up to `maxBatch` pending calls in one transaction; true on success (or nothing to do). */
  const write = async (): Promise<boolean> => {
    while (inFlight) await inFlight;
    if (pending.size === 0) return true;
    let batch = pending;
    if (pending.size <= maxBatch) pending = new Map();
    else {
      batch = new Map();
      for (const [id, change] of pending) {
        if (batch.size >= maxBatch) break;
        batch.set(id, change);
      }
      for (const id of batch.keys()) pending.delete(id);
    }
    writing = batch;
    let ok = true;
    const run = async (): Promise<void> => {
      try {
        const rows = toRows(batch);
        if (rows.length) await executor.run(rows);
        counters.written += rows.length;
        if (failuresInRow > 0) logger.info({ pending: pending.size }, 'call state writes recovered');
        failuresInRow = 0;
        lastError = undefined;
      } catch (error) {
        ok = false;
        failuresInRow++;
        counters.retried++;
        lastError = error instanceof Error ? error.message : String(error);
        if (failuresInRow === 1 || failuresInRow % 50 === 0) logger.warn({ error: lastError, calls: batch.size, attempt: failuresInRow }, 'call state write failed; will retry');
        // Keep what failed unless a newer change of the same call arrived meanwhile (latest wins).
        for (const [id, change] of batch) if (!pending.has(id)) pending.set(id, change);
      } finally {
        writing = new Map();
      }
    };
    inFlight = run().finally(() => (inFlight = undefined));
    await inFlight;
    return ok;
  };

  const reads = () =>
    (readStatements ??= {
      one: db.prepare('SELECT id, flow, version, snapshot, updated_at AS updatedAt FROM live_calls WHERE id = ?'),
      all: db.prepare('SELECT id, flow, version, snapshot, updated_at AS updatedAt FROM live_calls ORDER BY updated_at DESC'),
    });
  const fromDb = (row: { id: string; flow: string; version: string; snapshot: string; updatedAt: number }): LiveCallRow | undefined => {
    try {
      return { ...row, snapshot: JSON.parse(row.snapshot) as unknown };
    } catch {
      return undefined;
    }
  };
  const fromMemory = (id: string, change: Pending): LiveCallRow | undefined => {
    if (change.op === 'remove') return undefined;
    try {
      const snapshot = typeof change.snapshot === 'function' ? (change.snapshot as () => unknown)() : change.snapshot;
      return { id, flow: change.flow, version: change.version, snapshot, updatedAt: change.at };
    } catch {
      return undefined;
    }
  };
  const newest = (id: string): Pending | undefined => pending.get(id) ?? writing.get(id);

  return {
    save(callId, flow, version, snapshot) {
      if (closed) {
        counters.dropped++;
        return;
      }
      pending.set(callId, { op: 'save', flow, version, snapshot, at: clock.now() });
      schedule(options.flushIntervalMs);
    },
    remove(callId) {
      if (closed) return;
      pending.set(callId, { op: 'remove', at: clock.now() });
      schedule(options.flushIntervalMs);
    },
    get(callId) {
      const change = newest(callId);
      if (change) return fromMemory(callId, change);
      try {
        const row = reads().one.get(callId) as Parameters<typeof fromDb>[0] | undefined;
        return row ? fromDb(row) : undefined;
      } catch (error) {
        logger.warn({ callId, error: error instanceof Error ? error.message : String(error) }, 'saved call state cannot be read');
        return undefined;
      }
    },
    all() {
      const out = new Map<string, LiveCallRow>();
      try {
        for (const row of reads().all.all() as Array<Parameters<typeof fromDb>[0]>) {
          const parsed = fromDb(row);
          if (parsed) out.set(parsed.id, parsed);
        }
      } catch (error) {
        logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'saved call states cannot be read');
      }
      for (const [id, change] of [...writing, ...pending]) {
        const row = fromMemory(id, change);
        if (row) out.set(id, row);
        else out.delete(id);
      }
      return [...out.values()].sort((a, b) => b.updatedAt - a.updatedAt);
    },
    async flush() {
      while (pending.size > 0 && (await write())) await new Promise<void>((resolve) => setImmediate(resolve));
    },
    metrics: () => ({ pending: pending.size + writing.size, ...counters, ...(lastError ? { lastError } : {}) }),
    async close() {
      if (closed) return;
      while (pending.size > 0 && (await write())) await new Promise<void>((resolve) => setImmediate(resolve));
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      if (pending.size > 0) logger.error({ calls: pending.size, error: lastError }, 'call states not saved: the store closed with unwritten changes');
    },
  };
}
