/**
 * The batched call-record writer. The engine hands it records on the call path; they only go into a bounded
 * in-memory queue there. A timer on the injected clock turns the queue into rows and hands them, at most
 * `maxBatchRows` at a time, to an executor: a worker thread in production (`write-thread.ts`), so disk waits never
 * stall the event loop, or the main connection inline (tests, `:memory:`). A failed write (disk full, locked,
 * read-only, corrupt) keeps the rows and retries with backoff; when the queue is full, new rows are refused,
 * counted as lost and logged. Nothing here throws into the caller, and no write ever waits on the DTMF path.
 */
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { CallOutcome, CallRecordSink, CallStartRecord, Logger, RecordingEntry, TraceEntry } from '../runtime/services.js';

/** A queued record. */
export type Op =
  | { t: 'start'; r: CallStartRecord }
  | { t: 'event'; id: string; e: TraceEntry }
  | { t: 'end'; id: string; outcome: CallOutcome; endedAt: number; startedAt: number | undefined }
  | { t: 'rec'; id: string; entry: RecordingEntry };

/** Counters for metrics and `touchtone stats`. */
export interface WriterMetrics {
  /** Rows waiting to be written. */
  backlog: number;
  /** Rows written since start. */
  written: number;
  /** Failed write attempts (each is retried). */
  retried: number;
  /** Rows dropped because the backlog was full or the store was closed. */
  lost: number;
  /** Successful batch writes. */
  flushes: number;
  /** The longest batch write so far, from hand-over to commit, in milliseconds (in the write thread if there is one). */
  longestWriteMs: number;
  /** The longest time one batch held the event loop (preparing rows, and the write itself when inline). */
  longestHoldMs: number;
  /** The last write error, if the last attempt failed. */
  lastError?: string;
}

/** How the batched writer runs: clock, logger, flush interval and bounds. */
export interface BatchWriterOptions {
  clock: Clock;
  logger: Logger;
  flushIntervalMs: number;
  maxBacklog: number;
  maxBatchRows: number;
}

/** One statement execution: the index into `WRITE_STATEMENTS` and its parameters. */
export type Row = [statement: number, params: unknown[]];

/** Runs rows in one transaction. Synchronous (inline) or asynchronous (worker thread); throws or rejects on failure. */
export interface WriteExecutor {
  run(rows: Row[]): void | Promise<void>;
  close?(): Promise<void>;
}

const MAX_BACKOFF_MS = 5_000;

const round1 = (n: number) => Math.round(n * 10) / 10;

/** What a trace entry is, in one column, for the stats queries. */
function detailOf(e: TraceEntry): string | null {
  switch (e.type) {
    case 'step':
      return e.kind;
    case 'key':
      return e.digit;
    case 'timer':
      return e.timer;
    case 'match':
      return e.result;
    case 'lookup':
      return e.result;
    case 'var':
      return e.name;
    case 'note':
      return e.code;
    case 'prompt':
      return null;
  }
}

function outcomeDetail(o: CallOutcome): string | null {
  switch (o.kind) {
    case 'transferred':
      return o.department;
    case 'queued':
      return o.queue;
    case 'failed':
      return `${o.code}: ${o.reason}`;
    default:
      return null;
  }
}

/** The batched `CallRecordSink`. Created by `openStore`; tests may build one on any executor. */
export class BatchWriter implements CallRecordSink {
  private queue: Op[] = [];
  private head = 0;
  private timer: TimerHandle | undefined;
  private timerAt = 0;
  private failuresInRow = 0;
  private closed = false;
  private inFlight: Promise<boolean> | undefined;
  private readonly starts = new Map<string, number>();
  private readonly counters = { written: 0, retried: 0, lost: 0, flushes: 0 };
  private lastError: string | undefined;
  private lostSinceLog = 0;
  private longestWriteMs = 0;
  private longestHoldMs = 0;

  constructor(
    private readonly executor: WriteExecutor,
    private readonly options: BatchWriterOptions,
  ) {}

  callStarted(record: CallStartRecord): void {
    this.starts.set(record.callId, record.startedAt);
    this.push({ t: 'start', r: { ...record } });
  }

  event(callId: string, event: TraceEntry): void {
    this.push({ t: 'event', id: callId, e: event });
  }

  callEnded(callId: string, outcome: CallOutcome, endedAt: number): void {
    const startedAt = this.starts.get(callId);
    this.starts.delete(callId);
    this.push({ t: 'end', id: callId, outcome, endedAt, startedAt });
  }

  recording(callId: string, entry: RecordingEntry): void {
    this.push({ t: 'rec', id: callId, entry: { ...entry, vars: { ...entry.vars } } });
  }

  metrics(): WriterMetrics {
    return { backlog: this.backlog, ...this.counters, longestWriteMs: round1(this.longestWriteMs), longestHoldMs: round1(this.longestHoldMs), ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  get backlog(): number {
    return this.queue.length - this.head;
  }

  /** Writes everything queued now, batch by batch. Resolves even when a write fails (the rows stay queued). */
  async flush(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    while (this.backlog > 0 && (await this.writeBatch())) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Stops the timer after a last flush. Records that arrive later are counted as lost. */
  async close(): Promise<void> {
    await this.flush();
    this.cancelTimer();
    this.closed = true;
    if (this.backlog > 0) {
      this.counters.lost += this.backlog;
      this.options.logger.error({ lost: this.backlog, error: this.lastError }, 'call records lost: the store closed with unwritten rows');
      this.queue = [];
      this.head = 0;
    }
    await this.executor.close?.();
  }

  private push(op: Op): void {
    if (this.closed || this.backlog >= this.options.maxBacklog) {
      // Refuse the new row rather than drop queued ones: queued rows may be on their way to the disk right now,
      // and a call's trace stays whole from its start up to the loss.
      this.counters.lost++;
      if (!this.closed) this.lostSinceLog++;
      return;
    }
    this.queue.push(op);
    this.schedule(this.options.flushIntervalMs);
  }

  private schedule(delay: number): void {
    const at = this.options.clock.now() + delay;
    if (this.timer !== undefined) {
      if (this.timerAt <= at) return;
      this.cancelTimer();
    }
    this.timerAt = at;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      void this.onTimer();
    }, delay);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async onTimer(): Promise<void> {
    if (this.backlog === 0 || this.closed) return;
    const ok = await this.writeBatch();
    if (this.closed) return;
    if (!ok) {
      this.schedule(Math.min(MAX_BACKOFF_MS, this.options.flushIntervalMs * 2 ** this.failuresInRow));
    } else if (this.backlog > 0) {
      // More than one batch waiting: continue on the next turn so the event loop can serve calls in between.
      this.schedule(0);
    }
  }

  /** Writes one batch; true on success. Only one batch is in flight at a time. */
  private writeBatch(): Promise<boolean> {
    if (this.inFlight) return this.inFlight;
    if (this.lostSinceLog > 0) {
      this.options.logger.error({ lost: this.lostSinceLog, backlog: this.backlog }, 'call records lost: the write backlog is full');
      this.lostSinceLog = 0;
    }
    const end = Math.min(this.queue.length, this.head + this.options.maxBatchRows);
    const count = end - this.head;
    const started = performance.now();
    let pending: void | Promise<void>;
    try {
      pending = this.executor.run(toRows(this.queue.slice(this.head, end)));
    } catch (error) {
      return Promise.resolve(this.failed(error));
    } finally {
      this.longestHoldMs = Math.max(this.longestHoldMs, performance.now() - started);
    }
    if (!(pending instanceof Promise)) return Promise.resolve(this.succeeded(count, started));
    const inFlight = pending.then(
      () => this.succeeded(count, started),
      (error: unknown) => this.failed(error),
    );
    this.inFlight = inFlight.finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private succeeded(count: number, started: number): true {
    this.longestWriteMs = Math.max(this.longestWriteMs, performance.now() - started);
    this.head += count;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.failuresInRow > 0) this.options.logger.info({ backlog: this.backlog }, 'call record writes recovered');
    this.failuresInRow = 0;
    this.lastError = undefined;
    this.counters.written += count;
    this.counters.flushes++;
    return true;
  }

  private failed(error: unknown): false {
    this.failuresInRow++;
    this.counters.retried++;
    const message = error instanceof Error ? error.message : String(error);
    if (this.failuresInRow === 1 || this.failuresInRow % 50 === 0) {
      this.options.logger.warn({ error: message, backlog: this.backlog, attempt: this.failuresInRow }, 'call record write failed; will retry');
    }
    this.lastError = message;
    return false;
  }
}

/** The statements call records are written with; rows name them by index. */
export const WRITE_STATEMENTS: readonly string[] = [
  `INSERT INTO calls (id, channel, caller, dialled, flow, version, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, caller = excluded.caller, dialled = excluded.dialled,
     flow = excluded.flow, version = excluded.version, started_at = excluded.started_at`,
  `INSERT INTO calls (id, started_at, ended_at, outcome, outcome_detail, last_step, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at, outcome = excluded.outcome,
     outcome_detail = excluded.outcome_detail, last_step = excluded.last_step, duration_ms = excluded.ended_at - calls.started_at`,
  'INSERT INTO step_events (call_id, at, type, step, detail, data) VALUES (?, ?, ?, ?, ?, ?)',
  'INSERT INTO inputs (call_id, at, step, name, value) VALUES (?, ?, ?, ?, ?)',
  'INSERT INTO recordings (call_id, purpose, name, duration_ms, at, caller, vars) VALUES (?, ?, ?, ?, ?, ?, ?)',
];
const START = 0;
const END = 1;
const EVENT = 2;
const INPUT = 3;
const RECORDING = 4;

/** Turns queued records into statement rows (plain data, so they can cross to a worker thread). */
export function toRows(ops: readonly Op[]): Row[] {
  const rows: Row[] = [];
  for (const op of ops) {
    switch (op.t) {
      case 'start':
        rows.push([START, [op.r.callId, op.r.channel, op.r.caller, op.r.dialled, op.r.flow, op.r.version, op.r.startedAt]]);
        break;
      case 'event':
        rows.push([EVENT, [op.id, op.e.at, op.e.type, op.e.step, detailOf(op.e), JSON.stringify(op.e)]]);
        if (op.e.type === 'var') rows.push([INPUT, [op.id, op.e.at, op.e.step, op.e.name, op.e.value]]);
        break;
      case 'end': {
        const startedAt = op.startedAt ?? op.endedAt;
        rows.push([END, [op.id, startedAt, op.endedAt, op.outcome.kind, outcomeDetail(op.outcome), op.outcome.step, op.endedAt - startedAt]]);
        break;
      }
      case 'rec':
        rows.push([RECORDING, [op.id, op.entry.purpose, op.entry.name, op.entry.durationMs, op.entry.at, op.entry.caller, JSON.stringify(op.entry.vars)]]);
        break;
    }
  }
  return rows;
}

/**
 * Writes on the given connection, on the event loop. For `:memory:`, read-only stores and tests; `beforeWrite`
 * runs inside each transaction (throw to simulate a full disk).
 */
export function inlineExecutor(db: Database.Database, beforeWrite?: (rows: number) => void, sql: readonly string[] = WRITE_STATEMENTS): WriteExecutor {
  // Prepared lazily: a read-only or broken file must not fail at open, only at write (and be retried).
  let run: ((rows: Row[]) => void) | undefined;
  return {
    run(rows) {
      if (!run) {
        const statements = sql.map((text) => db.prepare(text));
        run = db.transaction((batch: Row[]) => {
          beforeWrite?.(batch.length);
          for (const [index, params] of batch) statements[index]!.run(params);
        });
      }
      run(rows);
    },
  };
}
