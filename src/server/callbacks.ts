/**
 * Callback instead of waiting, wired into the server: the scheduler over the SQLite store, AMI queue status and
 * the ARI adapter; the requester the engine's `queue` steps call; the report of a callback call's end; and the
 * pending requests the dashboard lists.
 *
 * Without ARI (simulator only) requests are booked and listed, but nothing is dialled: the scheduler sees every
 * queue as unknown, so requests wait until Touchtone runs with Asterisk.
 */
import { CallbackScheduler, ariOriginator, callbackOutcome, type AriOriginate, type CallbackConfig, type CallbackRecord, type Originator } from '../callbacks/index.js';
import type { Clock } from '../runtime/clock.js';
import type { CallbackRequester, CallOutcome, Logger, QueueStatusProvider } from '../runtime/services.js';
import type { SqliteCallbackStore } from '../store/index.js';

export interface ServerCallbacksDeps {
  config: CallbackConfig;
  clock: Clock;
  logger: Logger;
  store: SqliteCallbackStore;
  /** AMI queue status; undefined when AMI is not configured. */
  queues: QueueStatusProvider | undefined;
  /** The ARI adapter, read when a callback is placed (it is created after the engine). */
  ari: () => AriOriginate | undefined;
  /** Whether Touchtone takes calls from Asterisk at all. */
  telephony: boolean;
}

/** A call that ended, as the engine reports it. */
export interface EndedCall {
  facts: { args: Readonly<Record<string, string>> };
  outcome?: CallOutcome;
}

/** The server's callback parts. */
export interface ServerCallbacks {
  scheduler: CallbackScheduler;
  /** What `Services.callbacks` is: the scheduler's answer as the engine's value, never a throw. */
  requester: CallbackRequester;
  /** Reports the end of a call; only calls that carry `TOUCHTONE_CALLBACK_ID` count. */
  callEnded(call: EndedCall): void;
  /** Requests still waiting or being called, as the dashboard's recordings list shows them. */
  pending(): PendingCallbackRow[];
}

/** A pending request in the shape of the dashboard's recordings rows (`purpose: callback`), plus its state. */
export interface PendingCallbackRow {
  id: string;
  callId: string;
  purpose: 'callback';
  name: string;
  durationMs: number;
  at: number;
  caller: string;
  vars: Record<string, string>;
  handledAt: null;
  state: CallbackRecord['state'];
  queue: string;
  position?: number;
  attempts: number;
}

/** A call code (docs/asterisk-queues-callbacks.md), the same the queue step notes when a request fails: not a server code. */
const STORE_FAILED = 'callback-unavailable';

const unknownQueues: QueueStatusProvider = { status: async () => undefined };

/**
 * @example
 *   const callbacks = createServerCallbacks({ config, clock, logger, store: store.callbacks, queues: ami, ari: () => ari, telephony: true });
 *   const services = { …, callbacks: callbacks.requester };
 *   engine.onCallEnded((call) => callbacks.callEnded(call));
 *   await callbacks.scheduler.start();
 */
export function createServerCallbacks(deps: ServerCallbacksDeps): ServerCallbacks {
  const placing: Originator = {
    originate: (request) => {
      const ari = deps.ari();
      if (!ari) return Promise.resolve({ ok: false, reason: 'ARI is not connected' });
      return ariOriginator(ari).originate(request);
    },
  };
  if (!deps.telephony) deps.logger.warn({}, 'callbacks are on without ARI: requests are booked and listed, but nobody is called back');
  else if (!deps.queues) deps.logger.warn({}, 'callbacks are on without AMI: nobody can tell when an agent is free, so callbacks wait');
  const scheduler = new CallbackScheduler({
    config: deps.config,
    clock: deps.clock,
    // Without telephony nothing may be dialled: an unknown queue keeps every request waiting.
    queues: deps.telephony ? (deps.queues ?? unknownQueues) : unknownQueues,
    originator: placing,
    store: deps.store,
    logger: deps.logger,
  });
  return {
    scheduler,
    requester: {
      async request(req) {
        try {
          const result = await scheduler.request(req);
          return result.ok ? { ok: true, id: result.record.id } : { ok: false, code: result.code, reason: result.message };
        } catch (error) {
          deps.logger.error({ callId: req.callId, err: error instanceof Error ? error.message : String(error) }, 'callback request could not be stored');
          return { ok: false, code: STORE_FAILED, reason: 'The callback request could not be stored.' };
        }
      },
    },
    callEnded(call) {
      const id = call.facts.args['TOUCHTONE_CALLBACK_ID'];
      if (!id || !call.outcome) return;
      scheduler.outcome(id, callbackOutcome(call.outcome));
    },
    pending() {
      return deps.store.list({ states: ['waiting', 'calling'], limit: 200 }).map((r) => ({
        id: r.id,
        callId: r.callId,
        purpose: 'callback',
        name: '',
        durationMs: 0,
        at: r.requestedAt,
        caller: r.number,
        vars: r.vars,
        handledAt: null,
        state: r.state,
        queue: r.queue,
        ...(r.position !== undefined ? { position: r.position } : {}),
        attempts: r.attempts,
      }));
    },
  };
}
