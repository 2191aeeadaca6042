/**
 * What a running flow needs from the outside world, as interfaces. The engine receives them at creation;
 * production wires real implementations (data/, store/, telephony/ami), tests wire fakes (testing/).
 * Flow logic never imports an I/O library: it only sees these.
 */
import type { Clock } from './clock.js';
import type { DataSourceDef, HoursDef } from '../flow/types.js';

export type LookupRecord = Readonly<Record<string, unknown>>;

/** The result of a lookup, as a value. `error` covers timeouts, bad bodies and failed backends. */
export type LookupResult =
  | { status: 'found'; record: LookupRecord }
  | { status: 'notFound' }
  | { status: 'locked' }
  | { status: 'error'; code: string; message: string };

export interface LookupRequest {
  /** The key, already rendered from the template. Caller digits: pass only as a bound parameter. */
  key: string;
  /** Fields to compare (for example a PIN), compared inside the source; never logged. */
  verify?: Readonly<Record<string, string>>;
  /** Fires when the call leaves the step or hangs up. */
  signal: AbortSignal;
  /** For per-call attempt limits and lockouts. */
  callId: string;
}

export interface DataSource {
  lookup(request: LookupRequest): Promise<LookupResult>;
  /** Gives the source back when the flow version that made it is dropped (an open database may close). */
  close?(): void;
}

/** Builds the data sources a flow declares. `flowDir` resolves relative paths in the flow file. */
export interface DataSourceFactory {
  create(name: string, def: DataSourceDef, flowDir: string): DataSource;
}

/** The state of a schedule at an instant. Times are ISO strings in the schedule's time zone. */
export interface HoursState {
  open: boolean;
  /** Set when closed because of a public holiday or an explicit closed date. */
  holiday?: string;
  /** Set when an admin override decides the state. */
  override?: { reason: string; until?: string };
  /** When open: when it closes. */
  closesAt?: string;
  /** When closed: when it opens again. */
  opensAt?: string;
}

export interface HoursService {
  evaluate(name: string, def: HoursDef, at: number): HoursState;
}

export interface QueueStatus {
  loggedIn: number;
  free: number;
  waiting: number;
  /** Average hold time in seconds, as Asterisk reports it. */
  holdTimeSec: number;
}

export interface QueueStatusProvider {
  /** `undefined` when it cannot tell (AMI down, timeout): the flow then uses the queue's `whenUnknown`. */
  status(queue: string, signal: AbortSignal): Promise<QueueStatus | undefined>;
}

/** Where finished calls and their traces go (the store batches them off the key path). */
export interface CallRecordSink {
  callStarted(record: CallStartRecord): void;
  event(callId: string, event: TraceEntry): void;
  callEnded(callId: string, outcome: CallOutcome, endedAt: number): void;
  /** A recording the caller left (voicemail or callback request). */
  recording?(callId: string, entry: RecordingEntry): void;
}

export interface CallStartRecord {
  callId: string;
  channel: string;
  caller: string;
  dialled: string;
  flow: string;
  version: string;
  startedAt: number;
}

export interface RecordingEntry {
  purpose: 'voicemail' | 'callback';
  name: string;
  durationMs: number;
  at: number;
  caller: string;
  vars: Record<string, string>;
}

/** Every call ends with exactly one outcome. */
export type CallOutcome =
  | { kind: 'completed'; step: string }
  | { kind: 'hungup'; step: string }
  | { kind: 'transferred'; step: string; department: string }
  | { kind: 'queued'; step: string; queue: string }
  | { kind: 'failed'; step: string; code: string; reason: string };

/** One line of a call's trace. Secret values are already masked (`****`) when an entry is made. */
export type TraceEntry =
  | { at: number; type: 'step'; step: string; kind: string }
  | { at: number; type: 'key'; step: string; digit: string }
  | { at: number; type: 'prompt'; step: string; prompts: string[] }
  | { at: number; type: 'timer'; step: string; timer: string }
  | { at: number; type: 'match'; step: string; entry: string; result: string }
  | { at: number; type: 'lookup'; step: string; source: string; result: string; ms: number }
  | { at: number; type: 'var'; step: string; name: string; value: string }
  | { at: number; type: 'note'; step: string; code: string; message: string };

/** What the queue step sends when a caller asks to be called back instead of holding. */
export interface CallbackRequest {
  callId: string;
  /** The number that called (CALLERID(num)). */
  caller: string;
  /** The number to call back: the caller's own, or one the caller typed. */
  number: string;
  /** A typed `number` was read back to the caller, who confirmed it (required when it is not `caller`). */
  confirmed?: boolean;
  /** The queue (as the flow names it) the caller was waiting for. */
  queue: string;
  /** The caller's place in line (1 = next), when the queue status was known. */
  position?: number;
  /** From the injected clock: callbacks go out oldest first. */
  requestedAt: number;
  /** Flow variables to carry to the agent, secrets left out. */
  vars: Readonly<Record<string, string>>;
  flow: string;
}

/** The answer to a callback request, as a value. */
export type CallbackRequestResult = { ok: true; id: string } | { ok: false; code: string; reason: string };

/** Takes callback requests (the callback scheduler in production, an in-memory list in tests). Must not throw. */
export interface CallbackRequester {
  request(req: CallbackRequest): Promise<CallbackRequestResult>;
}

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface Services {
  clock: Clock;
  data: DataSourceFactory;
  hours: HoursService;
  queues: QueueStatusProvider;
  records: CallRecordSink;
  logger: Logger;
  /** Takes "call me back" requests from `queue` steps. Unset: a callback key is refused and the caller queues. */
  callbacks?: CallbackRequester;
}
