/**
 * Services that live in memory: for the simulator, tests and the built-in phone. Nothing here does I/O.
 *
 * - data: each source is a list of records, looked up by the source's key field (`sqlite.key` / `file.key`,
 *   else the first field of the first record). `verify` fields must all equal (else `notFound`; after
 *   `lockAfter` wrong tries for the same key in one call, `locked`). A source given as `'error'` fails every
 *   lookup; `{ records, delay }` answers after a delay on the injected clock (the timer is cleared on abort);
 * - queues: a status per queue, or `'unknown'` (the provider cannot tell). Queues not listed have one free agent;
 * - hours: the real hours service (`src/data/hours.ts`) unless one is given;
 * - records: an in-memory sink that keeps every call, its trace, outcome and recordings;
 * - callbacks: every request is booked and kept in `callbackRequests` (ids `cb-1`, `cb-2` …), unless one is given.
 */
import type { DataSourceDef } from '../flow/types.js';
import type { Clock } from './clock.js';
import type {
  CallbackRequest,
  CallbackRequester,
  CallOutcome,
  CallRecordSink,
  CallStartRecord,
  DataSource,
  DataSourceFactory,
  HoursService,
  Logger,
  LookupRecord,
  LookupResult,
  QueueStatus,
  QueueStatusProvider,
  RecordingEntry,
  Services,
  TraceEntry,
} from './services.js';
import { silentLogger } from './services.js';
import { createHoursService } from '../data/hours.js';

/** A fake data source: records, a failing source, or records answered after a delay (milliseconds). */
export type MemorySource = readonly LookupRecord[] | 'error' | { records?: readonly LookupRecord[]; delay?: number; error?: string; lockAfter?: number };

/** What the in-memory services answer. */
export interface InMemoryOptions {
  clock: Clock;
  data?: Record<string, MemorySource>;
  queues?: Record<string, QueueStatus | 'unknown'>;
  hours?: HoursService;
  /** Another sink that also receives every record (the in-memory sink always keeps its own copy). */
  records?: CallRecordSink;
  logger?: Logger;
  /** Takes callback requests; default: books every one (see `callbackRequests`). */
  callbacks?: CallbackRequester;
}

/** One call as the in-memory sink keeps it. */
export interface MemoryCallRecord {
  start: CallStartRecord;
  trace: TraceEntry[];
  outcome?: CallOutcome;
  endedAt?: number;
  recordings: RecordingEntry[];
}

/** A record sink that keeps everything in memory (bounded to the most recent `limit` calls). */
export class InMemoryRecordSink implements CallRecordSink {
  readonly calls = new Map<string, MemoryCallRecord>();
  constructor(private readonly limit = 10_000) {}

  callStarted(record: CallStartRecord): void {
    if (this.calls.size >= this.limit) {
      const oldest = this.calls.keys().next().value;
      if (oldest !== undefined) this.calls.delete(oldest);
    }
    this.calls.set(record.callId, { start: record, trace: [], recordings: [] });
  }
  event(callId: string, event: TraceEntry): void {
    this.calls.get(callId)?.trace.push(event);
  }
  callEnded(callId: string, outcome: CallOutcome, endedAt: number): void {
    const call = this.calls.get(callId);
    if (call) {
      call.outcome = outcome;
      call.endedAt = endedAt;
    }
  }
  recording(callId: string, entry: RecordingEntry): void {
    this.calls.get(callId)?.recordings.push(entry);
  }
}

/** Services plus the in-memory sink, to read back calls, traces and recordings. */
export type InMemoryServices = Services & { sink: InMemoryRecordSink; callbackRequests: CallbackRequest[] };

function keyField(def: DataSourceDef, records: readonly LookupRecord[]): string | undefined {
  if ('sqlite' in def && def.sqlite.key) return def.sqlite.key;
  if ('file' in def && def.file.key) return def.file.key;
  const first = records[0];
  return first ? Object.keys(first)[0] : undefined;
}

function memorySource(name: string, def: DataSourceDef, spec: MemorySource | undefined, clock: Clock): DataSource {
  const options = spec === undefined || spec === 'error' || Array.isArray(spec) ? {} : (spec as Exclude<MemorySource, 'error' | readonly LookupRecord[]>);
  const records: readonly LookupRecord[] = Array.isArray(spec) ? spec : (options.records ?? []);
  const field = keyField(def, records);
  const failures = new Map<string, number>();
  const answer = (key: string, verify: Readonly<Record<string, string>> | undefined, callId: string): LookupResult => {
    if (spec === 'error' || options.error) return { status: 'error', code: 'source-error', message: options.error ?? `data source \`${name}\` failed` };
    const record = field ? records.find((r) => String(r[field]) === key) : undefined;
    if (!record) return { status: 'notFound' };
    if (verify) {
      const tries = `${callId}\u0000${key}`;
      if ((failures.get(tries) ?? 0) >= (options.lockAfter ?? 3)) return { status: 'locked' };
      const ok = Object.entries(verify).every(([f, v]) => String(record[f]) === v);
      if (!ok) {
        failures.set(tries, (failures.get(tries) ?? 0) + 1);
        return (failures.get(tries) ?? 0) >= (options.lockAfter ?? 3) ? { status: 'locked' } : { status: 'notFound' };
      }
    }
    return { status: 'found', record };
  };
  return {
    lookup({ key, verify, signal, callId }) {
      const delay = options.delay ?? 0;
      if (delay <= 0) return Promise.resolve(answer(key, verify, callId));
      return new Promise((resolve) => {
        const timer = clock.setTimeout(() => resolve(answer(key, verify, callId)), delay);
        signal.addEventListener('abort', () => {
          clock.clearTimeout(timer);
          resolve({ status: 'error', code: 'aborted', message: 'lookup aborted' });
        }, { once: true });
      });
    },
  };
}

/**
 * Builds in-memory services.
 * @example const services = createInMemoryServices({ clock, data: { accounts: [{ number: '123456', balance: 42.5 }] } });
 */
export function createInMemoryServices(options: InMemoryOptions): InMemoryServices {
  const { clock } = options;
  const data: DataSourceFactory = { create: (name, def) => memorySource(name, def, options.data?.[name], clock) };
  const queues: QueueStatusProvider = {
    status: async (queue) => {
      const status = options.queues?.[queue];
      if (status === 'unknown') return undefined;
      return status ?? { loggedIn: 1, free: 1, waiting: 0, holdTimeSec: 0 };
    },
  };
  const sink = new InMemoryRecordSink();
  const extra = options.records;
  const records: CallRecordSink = extra
    ? {
        callStarted: (r) => (sink.callStarted(r), extra.callStarted(r)),
        event: (id, e) => (sink.event(id, e), extra.event(id, e)),
        callEnded: (id, o, at) => (sink.callEnded(id, o, at), extra.callEnded(id, o, at)),
        recording: (id, e) => (sink.recording(id, e), extra.recording?.(id, e)),
      }
    : sink;
  const callbackRequests: CallbackRequest[] = [];
  const callbacks: CallbackRequester = options.callbacks ?? {
    request: async (req) => {
      callbackRequests.push({ ...req, vars: { ...req.vars } });
      return { ok: true, id: `cb-${callbackRequests.length}` };
    },
  };
  return { clock, data, queues, hours: options.hours ?? createHoursService(), records, logger: options.logger ?? silentLogger, sink, callbacks, callbackRequests };
}
