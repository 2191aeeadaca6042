/**
 * Calls survive an engine restart. While a call runs, its state is saved at every step change (`store.liveCalls`,
 * coalesced and written in batches, never on the key path) and forgotten when it ends. When the ARI adapter finds
 * a call inside our app that this process does not hold (at startup, or after a reconnect, Asterisk sends no new
 * `StasisStart`), `takeBack` resumes it from its saved state on the flow version it started on. When there is no
 * usable state, the call begins afresh at its flow's error step (`defaults.error`), or, for a flow without one,
 * goes to the safe destination (the dialplan fallback). A caller talking to a department is never pulled out of
 * the conversation: without a usable state it stays bridged, and goes on as above only if the department hangs up
 * first. Either way within a time bound, and never silently: each decision is logged with the call id and step.
 */
import type { Clock } from '../runtime/clock.js';
import type { CallRecordSink, Logger } from '../runtime/services.js';
import type { CallPort, DepartmentTarget } from '../telephony/port.js';
import type { FlowVersions, LiveCalls } from '../store/index.js';
import { hasErrors } from '../flow/diagnostics.js';
import type { CallSessionLike, CompileFlow, CompiledFlowLike, EngineLike, LoadFlowText } from './contracts.js';

/** Saved rows older than this are from calls that ended while no engine ran; they are deleted at startup. */
const STALE_AFTER_MS = 6 * 3_600_000;

/** How long taking one call back may take before it goes to the safe destination (the issue allows 2 s). */
const DEFAULT_BOUND_MS = 1500;

/**
 * Saves the state of the calls `persists` accepts at each step change, and forgets it when they end. Deletes rows
 * left from calls long gone. Returns a function that stops following the engine.
 */
export function persistLiveCalls(options: { engine: EngineLike; liveCalls: LiveCalls; clock: Clock; logger: Logger; persists: (call: CallSessionLike) => boolean }): () => void {
  const { engine, liveCalls } = options;
  const cutoff = options.clock.now() - STALE_AFTER_MS;
  const stale = liveCalls.all().filter((row) => row.updatedAt < cutoff);
  for (const row of stale) liveCalls.remove(row.id);
  if (stale.length) options.logger.info({ calls: stale.length }, 'deleted the saved state of calls that ended while no engine ran');

  const offStep = engine.onStep((call) => {
    if (!options.persists(call) || !call.snapshot) return;
    // Read at flush time: during the step change the state machine is mid-transition, and only the newest counts.
    liveCalls.save(call.id, call.flow.name, call.flow.version, () => call.snapshot!());
  });
  const offEnd = engine.onCallEnded((call) => {
    if (options.persists(call)) liveCalls.remove(call.id);
  });
  return () => {
    offStep();
    offEnd();
  };
}

/** What `takeBack` needs from the server. */
export interface TakeBackOptions {
  engine: EngineLike;
  liveCalls: LiveCalls;
  /** Saved flow versions, to rebuild a version this process has not loaded (the file changed since the call began). */
  versions: Pick<FlowVersions, 'get'>;
  load: LoadFlowText;
  compile: CompileFlow;
  /** The current file of a flow, for versions saved without one. */
  fileOf: (flow: string) => string | undefined;
  /** Resumes the call on the engine (the server wraps the port and tracks the session). */
  resume: (port: CallPort, flow: string, version: string, snapshot: unknown) => CallSessionLike;
  /**
   * Starts the call afresh at its flow's error step (`engine.startCall` with `atErrorBecause`; the server wraps
   * the port and tracks the session). Without it, or for a flow with no error step, the call goes to the safe
   * destination.
   */
  startAtError?: (port: CallPort, flow: string, reason: string) => CallSessionLike;
  /** False while the server stops: calls found then go to the safe destination. */
  accepting: () => boolean;
  safeDestination: Extract<DepartmentTarget, { kind: 'dialplan' }>;
  records: CallRecordSink;
  clock: Clock;
  logger: Logger;
  /** Time allowed to take one call back. Default 1500 ms. */
  boundMs?: number;
}

/** Why a saved row cannot be resumed, or undefined when it can be tried. */
function unusable(row: { snapshot: unknown } | undefined, callId: string): string | undefined {
  if (!row) return 'no saved state';
  const snap = row.snapshot as { format?: unknown; callId?: unknown; actor?: unknown } | null;
  if (!snap || typeof snap !== 'object' || snap.format !== 1 || snap.callId !== callId || !snap.actor) return 'saved state unreadable';
  return undefined;
}

/** The prompt a saved snapshot says was playing, even in a state that cannot be resumed. */
function savedPlayback(snapshot: unknown): string | undefined {
  const id = (snapshot as { playbackId?: unknown } | null)?.playbackId;
  return typeof id === 'string' ? id : undefined;
}

/** The step a saved snapshot was at, for the log; `''` when it cannot be read. */
function savedStep(snapshot: unknown): string {
  const step = (snapshot as { actor?: { context?: { call?: { step?: unknown } } } } | null)?.actor?.context?.call?.step;
  return typeof step === 'string' ? step : '';
}

/**
 * The ARI orphan handler: a call the adapter let go without a session here (nobody resumed it, or the event socket
 * stayed down) gets its record closed where the adapter sent it, and its saved state removed, so it does not stay
 * "in progress". A call with a session here ends through that session instead.
 * @example ari.onOrphan(closeOrphaned({ liveCalls: store.liveCalls, records: store.records, clock, holds, safeDestination }));
 */
export function closeOrphaned(options: {
  liveCalls: LiveCalls;
  records: CallRecordSink;
  clock: Clock;
  logger: Logger;
  /** Whether a session of this process holds the call. */
  holds: (callId: string) => boolean;
  safeDestination: Extract<DepartmentTarget, { kind: 'dialplan' }>;
}): (facts: { callId: string }, info: { reason: string; handedTo: 'dialplan' | 'hangup' }) => void {
  return ({ callId }, { reason, handedTo }) => {
    if (options.holds(callId)) return;
    const step = savedStep(options.liveCalls.get(callId)?.snapshot);
    const outcome = handedTo === 'dialplan' ? { kind: 'transferred' as const, step, department: options.safeDestination.context } : { kind: 'hungup' as const, step };
    options.records.callEnded(callId, outcome, options.clock.now());
    options.liveCalls.remove(callId);
    options.logger.warn({ callId, step, reason, code: 'call-orphaned', destination: handedTo === 'dialplan' ? options.safeDestination.context : 'hangup' }, `call \`${callId}\` was let go by the ARI adapter (${reason}); ${handedTo === 'dialplan' ? `sent to the safe destination \`${options.safeDestination.context}\`` : 'hung up'}`);
  };
}

/**
 * The ARI re-attach handler: resume from the saved state, else the safe destination, within `boundMs`.
 * @example ari.onReattach(takeBack({ engine, liveCalls: store.liveCalls, ... }));
 */
export function takeBack(options: TakeBackOptions): (port: CallPort, info: { reason: string; bridged?: boolean }) => void {
  const { engine, logger } = options;
  const bound = options.boundMs ?? DEFAULT_BOUND_MS;

  /** Sends the call to the safe destination; a hand-over that fails hangs up rather than leave silence. */
  const handOver = (port: CallPort, step: string): void => {
    const callId = port.facts.callId;
    let sent = false;
    // Claims the call, so the adapter does not also give it up. Events the port queued before (a transfer the
    // previous process left) are delivered at once, before `sent`, and are not this hand-over's result.
    port.onEvent((event) => {
      if (sent && event.type === 'transfer.result' && event.outcome === 'failed') {
        logger.error({ callId, step, code: 'safe-destination-failed', reason: event.reason }, `call \`${callId}\` could not reach the safe destination; hanging up`);
        port.hangup('safe-destination-failed');
      }
    });
    port.transfer(options.safeDestination);
    sent = true;
  };

  /**
   * A call that cannot be resumed goes to its flow's own safe destination, the error step, when the flow has one:
   * the caller hears what the author wrote for trouble, not the greeting again. Returns that step, or undefined
   * when the call must go to the dialplan's safe destination instead.
   */
  const errorStepOf = (flowName: string | undefined): string | undefined => (flowName !== undefined && options.startAtError ? engine.flow(flowName)?.doc.defaults?.error : undefined);

  const beginAtErrorStep = (port: CallPort, reason: string, flowName: string | undefined): string | undefined => {
    const callId = port.facts.callId;
    const errorStep = errorStepOf(flowName);
    if (flowName === undefined || errorStep === undefined || !options.startAtError || !options.accepting()) return undefined;
    // The saved row is the old session's; the new session saves its own from its first step.
    options.liveCalls.remove(callId);
    try {
      options.startAtError(port, flowName, reason);
      return errorStep;
    } catch (error) {
      logger.error({ callId, flow: flowName, error: error instanceof Error ? error.message : String(error) }, `call \`${callId}\` could not begin at the error step; it goes to the safe destination`);
      return undefined;
    }
  };

  const toSafety = (port: CallPort, reason: string, step: string, flowName: string | undefined): void => {
    const callId = port.facts.callId;
    const errorStep = beginAtErrorStep(port, reason, flowName ?? port.facts.flow);
    if (errorStep !== undefined) {
      logger.warn({ callId, step, reason, code: 'call-not-resumed', destination: errorStep }, `call \`${callId}\` was not resumed (${reason}); it begins at the flow's error step \`${errorStep}\``);
      return;
    }
    logger.warn({ callId, step, reason, code: 'call-not-resumed', destination: options.safeDestination.context }, `call \`${callId}\` was not resumed (${reason}); sent to the safe destination \`${options.safeDestination.context}\``);
    handOver(port, step);
    options.records.callEnded(callId, { kind: 'transferred', step, department: options.safeDestination.context }, options.clock.now());
    options.liveCalls.remove(callId);
  };

  /** A caller talking to a department, with no flow to resume: the conversation goes on; the flow's part is over. */
  const keepTalking = (port: CallPort, reason: string, step: string, flow: string | undefined): void => {
    const callId = port.facts.callId;
    const destination = options.safeDestination.context;
    const errorStep = errorStepOf(flow ?? port.facts.flow);
    const then = errorStep !== undefined ? `the flow's error step \`${errorStep}\`` : `the safe destination \`${destination}\``;
    logger.info({ callId, step, reason, code: 'call-kept-bridged', destination: errorStep ?? destination }, `call \`${callId}\` is talking to a department and was not resumed (${reason}); it stays in the conversation and goes to ${then} if the department hangs up first`);
    port.onEvent((event) => {
      if (event.type !== 'transfer.ended') return;
      const errorStep = beginAtErrorStep(port, 'the department hung up', flow ?? port.facts.flow);
      if (errorStep !== undefined) {
        logger.info({ callId, step, code: 'call-after-bridge', destination: errorStep }, `the department hung up on call \`${callId}\`; it begins at the flow's error step \`${errorStep}\``);
        return;
      }
      logger.info({ callId, step, code: 'call-after-bridge', destination }, `the department hung up on call \`${callId}\`; sent to the safe destination \`${destination}\``);
      handOver(port, step);
    });
    // A saved state means the flow had not ended: its record is still open. Without one the record is closed.
    if (options.liveCalls.get(callId)) {
      const doc = flow !== undefined ? engine.flow(flow)?.doc : undefined;
      const department = (doc?.steps?.[step] as { transfer?: unknown } | undefined)?.transfer;
      options.records.callEnded(callId, { kind: 'transferred', step, department: typeof department === 'string' ? department : 'unknown' }, options.clock.now());
      options.liveCalls.remove(callId);
    }
  };

  /**
   * `rebuilt`: a version read back from the store. The engine learns it only now, in the same turn as the resume
   * that pins it (published, then the current version put back): calls taken back together each rebuild their own,
   * and a version published earlier could be dropped by the next one's publish before its call resumed.
   */
  const resumeOn = (port: CallPort, flow: CompiledFlowLike, snapshot: unknown, reason: string, giveUp: (port: CallPort, reason: string, step: string) => void, rebuilt = false): void => {
    const callId = port.facts.callId;
    // A saved state that does not fit the machine (a changed flow or engine) makes the session end itself with a
    // hang-up while it starts; the caller goes to the safe destination instead.
    let refused: string | undefined;
    let starting = true;
    const guarded = delegate(port, (why) => {
      if (!starting) return false;
      refused = why;
      return true;
    });
    try {
      const current = rebuilt ? engine.flow(flow.name) : undefined;
      if (rebuilt) engine.publish(flow);
      let session: CallSessionLike;
      try {
        session = options.resume(guarded, flow.name, flow.version, snapshot);
      } finally {
        if (current) engine.publish(current);
      }
      starting = false;
      if (refused === undefined) {
        // The saved step: events the port held may already have moved the flow on (`now`).
        const step = savedStep(snapshot) || session.step;
        logger.info({ callId, step, now: session.step, flow: flow.name, version: flow.version, reason }, `call \`${callId}\` resumed at step \`${step}\` from its saved state`);
        return;
      }
    } catch (error) {
      refused = error instanceof Error ? error.message : String(error);
    }
    starting = false;
    giveUp(port, `resume failed: ${refused}`, savedStep(snapshot));
  };

  /** Rebuilds a saved version this engine does not have; its current version stays the one new calls get. */
  const rebuild = async (name: string, version: string): Promise<CompiledFlowLike | undefined> => {
    const record = options.versions.get(name, version);
    if (!engine.flow(name) || !record) return undefined;
    const file = record.file || options.fileOf(name) || `${name}.yaml`;
    const loaded = await options.load(record.source, file);
    if (!loaded.flow || hasErrors(loaded.diagnostics)) return undefined;
    // Published by `resumeOn`, at the moment its call resumes on it.
    return options.compile({ flow: loaded.flow, file, subflows: loaded.subflows }, version);
  };

  return (port, info) => {
    const callId = port.facts.callId;
    const row = options.liveCalls.get(callId);
    const step = savedStep(row?.snapshot);
    const giveUp = (p: CallPort, why: string, at: string): void => {
      if (info.bridged) return keepTalking(p, why, at, row?.flow);
      // The old process's prompt would hold back the error step's first prompt, and Asterisk runs a `continue`
      // only once it ends: stop it when the saved state names it, usable or not.
      const playing = savedPlayback(row?.snapshot);
      if (playing !== undefined) p.stopPlayback(playing);
      toSafety(p, why, at, row?.flow);
    };
    const why = !options.accepting() ? 'the server is stopping' : !engine.resumeCall ? 'this engine cannot resume calls' : unusable(row, callId);
    if (why || !row) return giveUp(port, why ?? 'no saved state', step);
    const loaded = engine.flowVersion?.(row.flow, row.version);
    if (loaded) return resumeOn(port, loaded, row.snapshot, info.reason, giveUp);
    let settled = false;
    const timer = options.clock.setTimeout(() => {
      if (settled) return;
      settled = true;
      giveUp(port, `flow \`${row.flow}\` version \`${row.version}\` not ready within ${bound} ms`, step);
    }, bound);
    void rebuild(row.flow, row.version)
      .catch((error: unknown) => {
        logger.error({ callId, flow: row.flow, version: row.version, error: error instanceof Error ? error.message : String(error) }, 'saved flow version cannot be rebuilt');
        return undefined;
      })
      .then((flow) => {
        if (settled) return;
        settled = true;
        options.clock.clearTimeout(timer);
        if (flow) resumeOn(port, flow, row.snapshot, info.reason, giveUp, true);
        else giveUp(port, `flow \`${row.flow}\` version \`${row.version}\` is not available`, step);
      });
  };
}

const PORT_COMMANDS = ['answer', 'play', 'stopPlayback', 'startMusicOnHold', 'stopMusicOnHold', 'setVariables', 'transfer', 'enqueue', 'record'] as const;

/** A port that forwards everything to `port`, except a hang-up that `intercept` takes (returns true). */
function delegate(port: CallPort, intercept: (reason: string) => boolean): CallPort {
  const out = {
    get facts() {
      return port.facts;
    },
    onEvent: (listener: Parameters<CallPort['onEvent']>[0]) => port.onEvent(listener),
    hangup: (reason: string) => {
      if (!intercept(reason)) port.hangup(reason);
    },
  } as Record<string, unknown>;
  for (const name of PORT_COMMANDS) out[name] = (...args: unknown[]) => (port[name] as (...a: unknown[]) => void).apply(port, args);
  return out as unknown as CallPort;
}
