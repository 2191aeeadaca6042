/**
 * Callback instead of waiting: the values and ports the scheduler works with. The scheduler is pure logic over
 * these ports; production wires the ARI adapter (`Originator`), AMI (`QueueStatusProvider`) and the store.
 */
import type { CallbackRequest } from '../runtime/services.js';

/**
 * What the queue step (or the server) passes when a caller asks to be called back: the engine's request
 * (`CallbackRequest` in src/runtime/services.ts: call id, caller, number, queue, place, time, variables, flow) plus
 * what only other callers of the scheduler set.
 */
export interface CallbackRequestInput extends CallbackRequest {
  /** Required when `number` is not `caller`: the caller heard the number read back and confirmed it. */
  confirmed?: boolean;
  /** The time the caller chose; without it, the callback goes out when an agent is free. */
  at?: number;
}

export type CallbackState = 'waiting' | 'calling' | 'done' | 'failed' | 'cancelled' | 'expired';

/** A stored request and where it stands. */
export interface CallbackRecord extends Omit<CallbackRequestInput, 'confirmed' | 'vars'> {
  id: string;
  vars: Record<string, string>;
  state: CallbackState;
  /** Attempts made so far. */
  attempts: number;
  /** Not before this time (after a failed attempt). */
  nextAttemptAt?: number;
  /** Why the last attempt failed, or why the request ended. */
  reason?: string;
  updatedAt: number;
}

/** One try at calling back; every try is recorded. */
export interface CallbackAttempt {
  requestId: string;
  attempt: number;
  startedAt: number;
  endedAt: number;
  ok: boolean;
  reason?: string;
}

/** Where callback requests live. Methods may be sync (SQLite) or async. */
export interface CallbackStore {
  add(record: CallbackRecord): void | Promise<void>;
  update(record: CallbackRecord): void | Promise<void>;
  addAttempt(attempt: CallbackAttempt): void | Promise<void>;
  /** Requests still `waiting` or `calling`, to resume after a restart. */
  open(): readonly CallbackRecord[] | Promise<readonly CallbackRecord[]>;
}

/** What the callback call needs from telephony. The ARI adapter implements it. */
export interface OriginateRequest {
  /** The dial string, built from the configured template and a checked number. */
  endpoint: string;
  callerId?: string;
  /** The flow the called party hears ("this is your callback from ACME, press 1 to be connected"). */
  flow: string;
  /** Channel variables for the new channel (names `TOUCHTONE_*` and `QUEUE_PRIO`). */
  vars: Readonly<Record<string, string>>;
}

export interface OriginateResult {
  ok: boolean;
  /** Why it failed: `busy`, `noAnswer`, `failed` …, as the adapter reports it. */
  reason?: string;
  /**
   * `ok` only means the call was placed (ARI accepted the originate): the attempt's outcome comes later through
   * `CallbackScheduler.outcome(id, …)` when the callback call ends. Without it, `ok` is the final outcome.
   */
  placed?: boolean;
}

/** Places an outbound call into a flow. Must not throw; outcomes are values. */
export interface Originator {
  originate(request: OriginateRequest): Promise<OriginateResult>;
}

export type CallbackErrorCode =
  | 'callback-bad-number'
  | 'callback-not-confirmed'
  | 'callback-not-allowed'
  | 'callback-bad-request'
  | 'callback-full'
  | 'callback-stopped';

/** The answer to a request, as a value. */
export type CallbackResult = { ok: true; record: CallbackRecord; duplicate: boolean } | { ok: false; code: CallbackErrorCode; message: string };
