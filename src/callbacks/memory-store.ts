/**
 * An in-memory `CallbackStore`, for tests and for installs without the SQLite store. Records are copied in and
 * out, so callers cannot change stored state by holding a reference.
 */
import type { CallbackAttempt, CallbackRecord, CallbackStore } from './types.js';

/** @example const store = new MemoryCallbackStore(); new CallbackScheduler({ store, … }) */
export class MemoryCallbackStore implements CallbackStore {
  private readonly records = new Map<string, CallbackRecord>();
  private readonly attemptLog: CallbackAttempt[] = [];

  add(record: CallbackRecord): void {
    this.records.set(record.id, clone(record));
  }

  update(record: CallbackRecord): void {
    this.records.set(record.id, clone(record));
  }

  addAttempt(attempt: CallbackAttempt): void {
    this.attemptLog.push({ ...attempt });
  }

  open(): CallbackRecord[] {
    return [...this.records.values()].filter((r) => r.state === 'waiting' || r.state === 'calling').map(clone);
  }

  /** Every record, for tests and the admin view. */
  all(): CallbackRecord[] {
    return [...this.records.values()].map(clone);
  }

  /** Attempts of one request (or all), in the order they ended. */
  attempts(requestId?: string): CallbackAttempt[] {
    return this.attemptLog.filter((a) => requestId === undefined || a.requestId === requestId).map((a) => ({ ...a }));
  }
}

function clone(record: CallbackRecord): CallbackRecord {
  return { ...record, vars: { ...record.vars } };
}
