/**
 * Callback requests in SQLite (tables `callbacks` and `callback_attempts`, migration 4): the `CallbackStore` the
 * scheduler writes through, so requests and their attempts survive a restart.
 *
 * Writes are single-row statements on the main connection. They happen a few times per request (asked, calling,
 * each attempt, done), never per key press, so they stay off the batched call-record path.
 */
import type Database from 'better-sqlite3';
import type { CallbackAttempt, CallbackRecord, CallbackState, CallbackStore } from '../callbacks/types.js';

/** The callback store plus the reads the dashboard and tests need. */
export interface SqliteCallbackStore extends CallbackStore {
  add(record: CallbackRecord): void;
  update(record: CallbackRecord): void;
  addAttempt(attempt: CallbackAttempt): void;
  open(): CallbackRecord[];
  /** Requests, newest asked first; only the given states when `states` is set. */
  list(options?: { states?: readonly CallbackState[]; limit?: number }): CallbackRecord[];
  /** Attempts of one request, in order. */
  attempts(requestId: string): CallbackAttempt[];
}

interface Row {
  id: string;
  callId: string;
  number: string;
  caller: string;
  queue: string;
  position: number | null;
  requestedAt: number;
  at: number | null;
  dueAt: number | null;
  state: CallbackState;
  attempts: number;
  lastError: string | null;
  vars: string;
  flow: string;
  updatedAt: number;
}

const INSERT = `INSERT INTO callbacks (id, call_id, number, caller, queue, position, requested_at, at, due_at, state, attempts, last_error, vars, flow, updated_at)
  VALUES (@id, @callId, @number, @caller, @queue, @position, @requestedAt, @at, @dueAt, @state, @attempts, @lastError, @vars, @flow, @updatedAt)`;

const COLUMNS = `id, call_id AS callId, number, caller, queue, position, requested_at AS requestedAt, at, due_at AS dueAt, state,
  attempts, last_error AS lastError, vars, flow, updated_at AS updatedAt`;

/**
 * The callback tables on a connection.
 * @example new CallbackScheduler({ store: store.callbacks, … })
 */
export function callbackTables(db: Database.Database): SqliteCallbackStore {
  const params = (r: CallbackRecord) => ({
    id: r.id,
    callId: r.callId,
    number: r.number,
    caller: r.caller,
    queue: r.queue,
    position: r.position ?? null,
    requestedAt: r.requestedAt,
    at: r.at ?? null,
    dueAt: r.nextAttemptAt ?? null,
    state: r.state,
    attempts: r.attempts,
    lastError: r.reason ?? null,
    vars: JSON.stringify(r.vars),
    flow: r.flow,
    updatedAt: r.updatedAt,
  });
  const select = (where: string, args: unknown[], limit: number): CallbackRecord[] =>
    (db.prepare(`SELECT ${COLUMNS} FROM callbacks ${where} LIMIT ?`).all(...args, limit) as Row[]).map(toRecord);
  return {
    add(record) {
      db.prepare(INSERT).run(params(record));
    },
    update(record) {
      // An upsert: the scheduler may update a request this file has not seen (one added before a failed write).
      db.prepare(
        `${INSERT}
         ON CONFLICT (id) DO UPDATE SET position = excluded.position, at = excluded.at, due_at = excluded.due_at, state = excluded.state,
           attempts = excluded.attempts, last_error = excluded.last_error, vars = excluded.vars, updated_at = excluded.updated_at`,
      ).run(params(record));
    },
    addAttempt(a) {
      db.prepare('INSERT OR REPLACE INTO callback_attempts (request_id, attempt, started_at, ended_at, ok, reason) VALUES (?, ?, ?, ?, ?, ?)').run(
        a.requestId,
        a.attempt,
        a.startedAt,
        a.endedAt,
        a.ok ? 1 : 0,
        a.reason ?? null,
      );
    },
    open() {
      return select(`WHERE state IN ('waiting', 'calling') ORDER BY requested_at, id`, [], 1_000_000);
    },
    list(options = {}) {
      const states = options.states ?? [];
      const where = states.length ? `WHERE state IN (${states.map(() => '?').join(', ')})` : '';
      return select(`${where} ORDER BY requested_at DESC, id DESC`, [...states], Math.max(1, Math.min(options.limit ?? 100, 10_000)));
    },
    attempts(requestId) {
      const rows = db
        .prepare('SELECT request_id AS requestId, attempt, started_at AS startedAt, ended_at AS endedAt, ok, reason FROM callback_attempts WHERE request_id = ? ORDER BY attempt')
        .all(requestId) as { requestId: string; attempt: number; startedAt: number; endedAt: number; ok: number; reason: string | null }[];
      return rows.map((r) => ({ requestId: r.requestId, attempt: r.attempt, startedAt: r.startedAt, endedAt: r.endedAt, ok: r.ok === 1, ...(r.reason !== null ? { reason: r.reason } : {}) }));
    },
  };
}

function toRecord(r: Row): CallbackRecord {
  return {
    id: r.id,
    callId: r.callId,
    caller: r.caller,
    number: r.number,
    queue: r.queue,
    ...(r.position !== null ? { position: r.position } : {}),
    requestedAt: r.requestedAt,
    ...(r.at !== null ? { at: r.at } : {}),
    vars: JSON.parse(r.vars) as Record<string, string>,
    flow: r.flow,
    state: r.state,
    attempts: r.attempts,
    ...(r.dueAt !== null ? { nextAttemptAt: r.dueAt } : {}),
    ...(r.lastError !== null ? { reason: r.lastError } : {}),
    updatedAt: r.updatedAt,
  };
}
