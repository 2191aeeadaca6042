/**
 * The batched call-record writer. The engine hands it records on the call path; they only go into a bounded
 * in-memory queue there. A timer on the injected clock writes the queue in transactions of at most `maxBatchRows`
 * rows, every `flushIntervalMs`. A failed write (disk full, locked, read-only, corrupt) keeps the rows and retries
 * with backoff; when the queue is full the oldest rows are dropped, counted as lost and logged. Nothing here
 * throws into the caller, and no write ever waits on the DTMF path.
 */
import type Database from 'better-sqlite3';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { CallOutcome, CallRecordSink, CallStartRecord, Logger, RecordingEntry, TraceEntry } from '../runtime/services.js';

type Op =
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
  /** The last write error, if the last attempt failed. */
  lastError?: string;
}

export interface BatchWriterOptions {
  clock: Clock;
  logger: Logger;
  flushIntervalMs: number;
  maxBacklog: number;
  maxBatchRows: number;
  /** Told after each successful batch (the store uses it to schedule WAL checkpoints). */
  onWritten?: (rows: number) => void;
  /** Test hook: runs inside each write transaction; throw to simulate a full disk or a broken file. */
  beforeWrite?: (rows: number) => void;
}

const MAX_BACKOFF_MS = 5_000;

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

/** The batched `CallRecordSink`. Created by `openStore`; tests may build one on any database. */
export class BatchWriter implements CallRecordSink {
  private queue: Op[] = [];
  private head = 0;
  private timer: TimerHandle | undefined;
  private timerAt = 0;
  private failuresInRow = 0;
  private closed = false;
  private readonly starts = new Map<string, number>();
  private readonly counters = { written: 0, retried: 0, lost: 0, flushes: 0 };
  private lastError: string | undefined;
  private lostSinceLog = 0;
  private readonly write: (ops: Op[]) => void;

  constructor(
    db: Database.Database,
    private readonly options: BatchWriterOptions,
  ) {
    this.write = prepareWrite(db, options.beforeWrite);
  }

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
    return { backlog: this.backlog, ...this.counters, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  get backlog(): number {
    return this.queue.length - this.head;
  }

  /** Writes everything queued now, batch by batch. Resolves even when a write fails (the rows stay queued). */
  async flush(): Promise<void> {
    while (this.backlog > 0 && this.writeBatch()) await new Promise<void>((resolve) => setImmediate(resolve));
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
  }

  private push(op: Op): void {
    if (this.closed) {
      this.counters.lost++;
      return;
    }
    this.queue.push(op);
    if (this.backlog > this.options.maxBacklog) {
      // Drop the oldest row: recent calls matter more to an operator than old ones.
      this.head++;
      this.counters.lost++;
      this.lostSinceLog++;
    }
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
      this.onTimer();
    }, delay);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private onTimer(): void {
    if (this.backlog === 0) return;
    const ok = this.writeBatch();
    if (!ok) {
      this.schedule(Math.min(MAX_BACKOFF_MS, this.options.flushIntervalMs * 2 ** this.failuresInRow));
    } else if (this.backlog > 0) {
      // More than one batch waiting: continue on the next turn so the event loop can serve calls in between.
      this.schedule(0);
    }
  }

  /** Writes one batch; true on success. */
  private writeBatch(): boolean {
    if (this.lostSinceLog > 0) {
      this.options.logger.error({ lost: this.lostSinceLog, backlog: this.backlog }, 'call records lost: the write backlog is full');
      this.lostSinceLog = 0;
    }
    const end = Math.min(this.queue.length, this.head + this.options.maxBatchRows);
    const batch = this.queue.slice(this.head, end);
    try {
      this.write(batch);
    } catch (error) {
      this.failuresInRow++;
      this.counters.retried++;
      const message = error instanceof Error ? error.message : String(error);
      if (this.failuresInRow === 1 || this.failuresInRow % 50 === 0) {
        this.options.logger.warn({ error: message, backlog: this.backlog, attempt: this.failuresInRow }, 'call record write failed; will retry');
      }
      this.lastError = message;
      return false;
    }
    this.head = end;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.failuresInRow > 0) this.options.logger.info({ backlog: this.backlog }, 'call record writes recovered');
    this.failuresInRow = 0;
    this.lastError = undefined;
    this.counters.written += batch.length;
    this.counters.flushes++;
    this.options.onWritten?.(batch.length);
    return true;
  }
}

function prepareWrite(db: Database.Database, beforeWrite?: (rows: number) => void): (ops: Op[]) => void {
  // Statements are prepared lazily: a read-only or broken file must not fail at open, only at write (and be retried).
  let statements: ReturnType<typeof prepare> | undefined;
  let run: ((ops: Op[]) => void) | undefined;
  return (ops) => {
    statements ??= prepare(db);
    const s = statements;
    run ??= db.transaction((batch: Op[]) => {
      beforeWrite?.(batch.length);
      for (const op of batch) {
        switch (op.t) {
          case 'start':
            s.start.run(op.r.callId, op.r.channel, op.r.caller, op.r.dialled, op.r.flow, op.r.version, op.r.startedAt);
            break;
          case 'event':
            s.event.run(op.id, op.e.at, op.e.type, op.e.step, detailOf(op.e), JSON.stringify(op.e));
            if (op.e.type === 'var') s.input.run(op.id, op.e.at, op.e.step, op.e.name, op.e.value);
            break;
          case 'end':
            const startedAt = op.startedAt ?? op.endedAt;
            s.end.run(op.id, startedAt, op.endedAt, op.outcome.kind, outcomeDetail(op.outcome), op.outcome.step, op.endedAt - startedAt);
            break;
          case 'rec':
            s.recording.run(op.id, op.entry.purpose, op.entry.name, op.entry.durationMs, op.entry.at, op.entry.caller, JSON.stringify(op.entry.vars));
            break;
        }
      }
    });
    run(ops);
  };
}

function prepare(db: Database.Database) {
  return {
    start: db.prepare(
      `INSERT INTO calls (id, channel, caller, dialled, flow, version, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, caller = excluded.caller, dialled = excluded.dialled,
         flow = excluded.flow, version = excluded.version, started_at = excluded.started_at`,
    ),
    end: db.prepare(
      `INSERT INTO calls (id, started_at, ended_at, outcome, outcome_detail, last_step, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at, outcome = excluded.outcome,
         outcome_detail = excluded.outcome_detail, last_step = excluded.last_step, duration_ms = excluded.ended_at - calls.started_at`,
    ),
    event: db.prepare('INSERT INTO step_events (call_id, at, type, step, detail, data) VALUES (?, ?, ?, ?, ?, ?)'),
    input: db.prepare('INSERT INTO inputs (call_id, at, step, name, value) VALUES (?, ?, ?, ?, ?)'),
    recording: db.prepare('INSERT INTO recordings (call_id, purpose, name, duration_ms, at, caller, vars) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  };
}
