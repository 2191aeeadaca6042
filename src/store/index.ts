/**
 * The store: one SQLite file (WAL mode) holding call records and traces, flow versions, hours overrides, PIN
 * lockouts and recordings. This folder is the only importer of `better-sqlite3`.
 *
 * Call records go through a batched writer (`store.records`), never straight to disk on the call path. The
 * connection's busy timeout is short on purpose: better-sqlite3 is synchronous, so waiting for a lock would
 * block the event loop; a locked file is a failed write, retried later.
 *
 * @example
 *   const store = openStore({ path: '.touchtone/touchtone.db' });
 *   const engine = createEngine({ services: { ...services, records: store.records } });
 *   // later
 *   await store.close();
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import Database from 'better-sqlite3';
import { systemClock, type Clock, type TimerHandle } from '../runtime/clock.js';
import { silentLogger, type CallRecordSink, type Logger } from '../runtime/services.js';
import type { HoursOverrideStore } from '../data/hours-overrides.js';
import type { LockoutRepository } from '../data/lockout.js';
import { BatchWriter, inlineExecutor, WRITE_STATEMENTS, type WriterMetrics } from './batch-writer.js';
import { migrate } from './migrations.js';
import { callbackTables, type SqliteCallbackStore } from './callbacks.js';
import { startWriteThread, type WriteThread } from './write-thread.js';
import { LIVE_CALL_STATEMENTS, liveCalls, type LiveCalls } from './live-calls.js';
import { callTrace, recentCalls, stats, type CallRow, type CallTrace, type FlowStats } from './queries.js';
import { flowVersions, hoursOverrides, lockouts, recordings, type FlowVersions, type Recordings } from './admin-tables.js';

export type { CallRow, CallTrace, FlowStats, MenuStats } from './queries.js';
export type { FlowVersion, FlowVersions, Recordings, RecordingRow, SaveVersionResult } from './admin-tables.js';
export type { WriterMetrics } from './batch-writer.js';
export type { SqliteCallbackStore } from './callbacks.js';
export type { LiveCallRow, LiveCalls, LiveCallMetrics } from './live-calls.js';
export { openSqliteLookup, seedDatabase, SqliteLookupError, type SqliteLookup, type SqliteLookupSpec } from './sqlite-lookup.js';

/** Rows written between two WAL checkpoints (run by the write thread). */
const CHECKPOINT_EVERY_ROWS = 5_000;

/** Every statement the executor runs: call records first, then the live-call rows (indexes follow on). */
const ALL_WRITE_STATEMENTS: readonly string[] = [...WRITE_STATEMENTS, ...LIVE_CALL_STATEMENTS];

/** Default database path, relative to the working directory; `TOUCHTONE_DB` overrides it in the CLI. */
export const DEFAULT_DB_PATH = '.touchtone/touchtone.db';

/** Options of `openStore`. */
export interface StoreOptions {
  /** The database file; `:memory:` for tests. Its folder is created. */
  path: string;
  clock?: Clock;
  logger?: Logger;
  /** How often queued call records are written. Default 50 ms. */
  flushIntervalMs?: number;
  /** Most rows held in memory while writes fail; older rows are dropped beyond it. Default 100,000. */
  maxBacklog?: number;
  /** Most rows per write transaction (bounds the time one batch holds the event loop). Default 500. */
  maxBatchRows?: number;
  /** Open read-only (the CLI's `calls` and `stats`). Writes then fail and are counted. */
  readonly?: boolean;
  /** How long SQLite waits for a lock before a write fails. Default 0 (never block the event loop). */
  busyTimeoutMs?: number;
  /** Test hook: runs inside each call-record write; throw to simulate a full disk. Implies `writer: 'inline'`. */
  beforeWrite?: (rows: number) => void;
  /**
   * Where call records are written: `thread` (a worker thread, the default for files) keeps disk waits off the
   * event loop; `inline` writes on the main connection (the default for `:memory:`, read-only stores and tests
   * that inject faults).
   */
  writer?: 'thread' | 'inline';
  /** Delete calls older than this many days: once soon after opening, then every `retentionIntervalMs`. */
  retentionDays?: number;
  /** How often the retention cleanup runs. Default 6 hours. */
  retentionIntervalMs?: number;
}

/** What `store.metrics()` reports (also exported as Prometheus metrics by the server). */
export interface StoreMetrics extends WriterMetrics {
  /** Schema version of the file. */
  schemaVersion: number;
  /** WAL checkpoints the background worker completed. */
  checkpoints: number;
}

/** The open store. */
export interface Store {
  /** The batched sink the engine writes call records to. */
  readonly records: CallRecordSink;
  readonly flowVersions: FlowVersions;
  /** Admin overrides of opening hours; also the source `createHoursService` reads. */
  readonly hoursOverrides: HoursOverrideStore;
  /** PIN lockouts, for the data sources' secret checks. */
  readonly lockouts: LockoutRepository;
  readonly recordings: Recordings;
  /** Callback requests and their attempts (the callback scheduler's store). */
  readonly callbacks: SqliteCallbackStore;
  /** The saved state of calls in progress, written in coalesced batches (see `live-calls.ts`). */
  readonly liveCalls: LiveCalls;
  /** Writes every queued call record now (resolves even when the write fails; see `metrics()`). */
  flush(): Promise<void>;
  metrics(): StoreMetrics;
  recentCalls(options?: { limit?: number; flow?: string }): CallRow[];
  callTrace(id: string): CallTrace | undefined;
  stats(options?: { flow?: string; since?: number }): FlowStats[];
  /** Deletes calls (with their traces and inputs) and recordings older than `maxAgeDays`, in small batches. */
  retention(maxAgeDays: number, batchSize?: number): Promise<{ calls: number; recordings: number }>;
  /** Flushes, then closes the file. */
  close(): Promise<void>;
}

/** Opens (and migrates) the store. Throws only when the file cannot be opened at all. */
export function openStore(options: StoreOptions): Store {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const memory = options.path === ':memory:';
  if (!memory && !options.readonly) mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path, {
    readonly: options.readonly ?? false,
    fileMustExist: options.readonly ?? false,
    timeout: options.busyTimeoutMs ?? 0,
  });
  const busyTimeoutMs = options.busyTimeoutMs ?? 0;
  if (!options.readonly) {
    try {
      if (!memory) db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      const applied = migrate(db);
      if (applied.length) logger.info({ path: options.path, applied }, 'store schema migrated');
    } catch (error) {
      logger.error({ path: options.path, error: error instanceof Error ? error.message : String(error) }, 'store cannot be prepared; call records will be retried');
    }
  }
  const threaded = (options.writer ?? (memory || options.readonly || options.beforeWrite ? 'inline' : 'thread')) === 'thread';
  const thread: WriteThread | undefined = threaded
    ? startWriteThread({ path: options.path, statements: ALL_WRITE_STATEMENTS, busyTimeoutMs, checkpointEvery: CHECKPOINT_EVERY_ROWS, logger })
    : undefined;
  if (thread && !memory) {
    // The write thread checkpoints; an automatic checkpoint here would run on the event loop.
    try {
      db.pragma('wal_autocheckpoint = 0');
    } catch {
      // Nothing to do: the writes report a broken file.
    }
  }
  const executor = thread ?? inlineExecutor(db, options.beforeWrite, ALL_WRITE_STATEMENTS);
  const writer = new BatchWriter(executor, {
    clock,
    logger,
    flushIntervalMs: options.flushIntervalMs ?? 50,
    maxBacklog: options.maxBacklog ?? 100_000,
    maxBatchRows: options.maxBatchRows ?? 500,
  });
  const live = liveCalls(db, executor, { clock, logger, flushIntervalMs: options.flushIntervalMs ?? 50, statementBase: WRITE_STATEMENTS.length });
  let closed = false;
  let schemaVersion = 0;
  try {
    schemaVersion = db.pragma('user_version', { simple: true }) as number;
  } catch {
    // A broken file: reported by the failing writes.
  }

  const store: Store = {
    records: writer,
    flowVersions: flowVersions(db),
    hoursOverrides: hoursOverrides(db, () => clock.now()),
    lockouts: lockouts(db, logger),
    recordings: recordings(db),
    callbacks: callbackTables(db),
    liveCalls: live,
    flush: async () => {
      await Promise.all([writer.flush(), live.flush()]);
    },
    metrics: () => ({ ...writer.metrics(), schemaVersion, checkpoints: thread?.checkpoints ?? 0 }),
    recentCalls: (o) => recentCalls(db, o),
    callTrace: (id) => callTrace(db, id),
    stats: (o) => stats(db, o),
    async retention(maxAgeDays, batchSize = 500) {
      const cutoff = clock.now() - maxAgeDays * 86_400_000;
      const pick = db.prepare('SELECT id FROM calls WHERE started_at < ? LIMIT ?').pluck();
      const delEvents = db.prepare('DELETE FROM step_events WHERE call_id = ?');
      const delInputs = db.prepare('DELETE FROM inputs WHERE call_id = ?');
      const delCall = db.prepare('DELETE FROM calls WHERE id = ?');
      const delRecordings = db.prepare('DELETE FROM recordings WHERE id IN (SELECT id FROM recordings WHERE at < ? LIMIT ?)');
      const deleteCalls = db.transaction((ids: string[]) => {
        for (const id of ids) {
          delEvents.run(id);
          delInputs.run(id);
          delCall.run(id);
        }
      });
      let calls = 0;
      let recs = 0;
      for (;;) {
        const ids = pick.all(cutoff, batchSize) as string[];
        if (!ids.length) break;
        deleteCalls(ids);
        calls += ids.length;
        // Yield between batches so calls keep being served while a large cleanup runs.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      for (;;) {
        const n = delRecordings.run(cutoff, batchSize).changes;
        recs += n;
        if (n < batchSize) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (calls || recs) logger.info({ calls, recordings: recs, maxAgeDays }, 'old call records deleted');
      return { calls, recordings: recs };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (retentionTimer !== undefined) clock.clearTimeout(retentionTimer);
      await retentionRun;
      await live.close();
      await writer.close();
      db.close();
    },
  };

  let retentionTimer: TimerHandle | undefined;
  let retentionRun: Promise<unknown> | undefined;
  if (options.retentionDays !== undefined && !options.readonly) {
    const days = options.retentionDays;
    const every = options.retentionIntervalMs ?? 6 * 3_600_000;
    const schedule = (delay: number) => {
      retentionTimer = clock.setTimeout(() => {
        retentionRun = store
          .retention(days)
          .catch((error: unknown) => logger.error({ error: error instanceof Error ? error.message : String(error) }, 'retention cleanup failed; will try again'))
          .finally(() => {
            if (!closed) schedule(every);
          });
      }, delay);
      // A housekeeping timer must not keep the process alive.
      (retentionTimer as { unref?: () => void } | undefined)?.unref?.();
    };
    schedule(Math.min(every, 60_000));
  }
  return store;
}

/**
 * The database path the CLI uses: `--db`, else `TOUCHTONE_DB`, else `.touchtone/touchtone.db` in the working folder.
 * @example resolveDbPath('/srv', {}, undefined) // '/srv/.touchtone/touchtone.db'
 */
export function resolveDbPath(cwd: string, env: Readonly<Record<string, string | undefined>>, option?: string): string {
  return resolvePath(cwd, option ?? env.TOUCHTONE_DB ?? DEFAULT_DB_PATH);
}

/** Opens an existing store read-only (for reports), or returns undefined when the file does not exist. */
export function openStoreReadonly(path: string): Store | undefined {
  if (!existsSync(path)) return undefined;
  return openStore({ path, readonly: true });
}
