/**
 * One call: one actor of the compiled flow, driven by one telephony port.
 *
 * The session turns port events into machine events, gives the machine's implementations their window on the
 * world (`CallRuntime`: play, trace, finish …), records the trace, and guarantees the ends: exactly one outcome;
 * on a hangup every timer, playback and lookup stops (the actor is stopped, which cancels its delayed events and
 * aborts invoked lookups); an exception inside the machine becomes outcome `failed` / `internal-error` and never
 * escapes. Commands to the port after the end are dropped.
 */
import { createActor, type Actor, type AnyStateMachine, type Snapshot } from 'xstate';
import type { FlowDoc, PlayItem } from '../flow/types.js';
import type { CallFacts, CallPort, DepartmentTarget, Media, PortEvent, QueueTarget, RecordOptions } from '../telephony/port.js';
import type { CallOutcome, DataSource, Logger, Services, TraceEntry } from './services.js';
import type { CompiledFlow } from '../compile/compile-flow.js';
import type { ResolvedDefaults } from '../compile/step-compiler.js';
import { bindRuntime, type CallRuntime, type TraceInput } from '../compile/call-runtime.js';
import { initialContext, type CallContext, type MachineContext } from '../compile/call-context.js';
import { callFacts } from '../compile/cel.js';
import { flowTimezone, MAX_SOUND_NAME, resolveMedia, shownSoundName } from './media.js';

/** The most trace entries a call keeps in memory (the record sink still gets every one). */
const MAX_TRACE = 2000;

/** What a session needs from its engine. */
export interface SessionHost {
  services: Services;
  logger: Logger;
  maxSteps?: number;
  dataSource(flow: CompiledFlow, doc: FlowDoc, name: string): DataSource;
  stepEntered(session: CallSession, step: string): void;
  ended(session: CallSession): void;
}

/** What `snapshot()` returns: enough to take a call back after an ARI reconnect. */
export interface CallSnapshot {
  format: 1;
  callId: string;
  flow: string;
  version: string;
  startedAt: number;
  /** A playback that was running: it is reported as failed on resume, so the flow moves on. */
  playbackId?: string;
  actor: Snapshot<unknown>;
}

/** Forwards commands to the real port until the call ends; a throwing adapter is logged, never propagated. */
class GuardedPort implements CallPort {
  constructor(
    private readonly inner: CallPort,
    private readonly session: CallSession,
    private readonly logger: Logger,
  ) {}
  get facts(): CallFacts {
    return this.inner.facts;
  }
  private run(name: string, fn: () => void): void {
    if (this.session.ended) return;
    try {
      fn();
    } catch (error) {
      this.logger.error({ callId: this.session.id, command: name, err: error }, 'telephony command failed');
    }
  }
  onEvent(): void {
    // The session owns the single listener.
  }
  answer(): void {
    this.run('answer', () => this.inner.answer());
  }
  play(id: string, media: readonly Media[]): void {
    this.run('play', () => this.inner.play(id, media));
  }
  stopPlayback(id: string): void {
    this.run('stopPlayback', () => this.inner.stopPlayback(id));
  }
  startMusicOnHold(mohClass?: string): void {
    this.run('startMusicOnHold', () => this.inner.startMusicOnHold(mohClass));
  }
  stopMusicOnHold(): void {
    this.run('stopMusicOnHold', () => this.inner.stopMusicOnHold());
  }
  setVariables(vars: Readonly<Record<string, string>>): void {
    this.run('setVariables', () => this.inner.setVariables(vars));
  }
  transfer(target: DepartmentTarget): void {
    this.run('transfer', () => this.inner.transfer(target));
  }
  enqueue(target: QueueTarget): void {
    this.run('enqueue', () => this.inner.enqueue(target));
  }
  record(id: string, options: RecordOptions): void {
    this.run('record', () => this.inner.record(id, options));
  }
  hangup(reason: string): void {
    this.run('hangup', () => this.inner.hangup(reason));
  }
}

/** How a session begins: fresh at the flow's start, from a saved snapshot, or at the flow's error step. */
export interface SessionBegin {
  /** A saved snapshot to take the call back from. */
  resume?: CallSnapshot;
  /** Why the call begins at the error step: it was taken back, but its saved state could not be used. */
  atErrorBecause?: string;
}

/**
 * A call in progress (or finished). Created by `Engine.startCall` / `Engine.resumeCall`.
 * @example const call = engine.startCall(phone); const outcome = await call.done;
 */
export class CallSession implements CallRuntime {
  readonly id: string;
  readonly flow: CompiledFlow;
  readonly facts: CallFacts;
  readonly startedAt: number;
  /** Resolves with the outcome when the call ends. */
  readonly done: Promise<CallOutcome>;
  readonly port: CallPort;
  readonly services: Services;
  readonly defaults: ResolvedDefaults;
  readonly timezone: string;
  scratch: Record<string, unknown> = {};

  private actor: Actor<AnyStateMachine> | undefined;
  /** The call's state (the machine context's `call`); implementations update it in place, so it stays live. */
  private context: CallContext;
  private readonly resume: CallSnapshot | undefined;
  /** Why the call begins at the error step (taken back without a usable saved state), if it does. */
  private readonly recovering: string | undefined;
  private readonly host: SessionHost;
  private readonly inner: CallPort;
  private readonly traceLog: TraceEntry[] = [];
  private result: CallOutcome | undefined;
  private finished = false;
  private resolveDone!: (outcome: CallOutcome) => void;
  private currentPlayback: string | undefined;
  private playbackOpen = false;
  private playbackSeq = 0;
  private mohOn = false;
  private early: PortEvent[] | undefined;

  constructor(host: SessionHost, flow: CompiledFlow, port: CallPort, begin: SessionBegin = {}) {
    const { resume } = begin;
    this.host = host;
    this.flow = flow;
    this.facts = port.facts;
    this.id = resume?.callId ?? port.facts.callId;
    this.services = host.services;
    this.startedAt = resume?.startedAt ?? host.services.clock.now();
    this.defaults = { ...flow.defaults, maxSteps: flow.doc.defaults?.maxSteps ?? host.maxSteps ?? flow.defaults.maxSteps };
    this.timezone = flowTimezone(flow.doc);
    this.inner = port;
    this.port = new GuardedPort(port, this, host.logger);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.resume = resume;
    this.recovering = begin.atErrorBecause;
    this.context = initialContext({ ...(flow.doc.variables ?? {}) }, pickLanguage(flow.doc, port.facts.language));
    if (resume) {
      this.currentPlayback = resume.playbackId;
      this.playbackOpen = resume.playbackId !== undefined;
      // New playbacks go on from the saved one's number: a new id never looks like the lost one.
      this.playbackSeq = Number(/:p(\d+)$/.exec(resume.playbackId ?? '')?.[1] ?? 0);
    }
  }

  get beginsAtError(): boolean {
    return this.recovering !== undefined;
  }

  /** Answers the call and starts the flow (or takes a resumed call back). */
  start(): void {
    const resumed = this.resume !== undefined;
    this.inner.onEvent((event) => this.onPortEvent(event));
    if (!resumed) {
      this.services.records.callStarted({
        callId: this.id,
        channel: this.facts.channel,
        caller: this.facts.caller,
        dialled: this.facts.dialled,
        flow: this.flow.name,
        version: this.flow.version,
        startedAt: this.startedAt,
      });
      this.port.answer();
    }
    if (this.recovering !== undefined) {
      this.traceEvent({ type: 'note', step: '', code: 'not-resumed', message: `The call was taken back without its saved state (${this.recovering}); it begins at the error step \`${this.defaults.error ?? ''}\`.` });
    }
    const lost = this.playbackOpen ? this.currentPlayback : undefined;
    try {
      // XState resolves the first step's entry actions while creating the actor, so the runtime is bound to the
      // call state first (and to the system afterwards, for invoked actors).
      bindRuntime(this.context, this);
      const actor = createActor(this.flow.machine, {
        clock: this.services.clock,
        input: this.context,
        ...(this.resume ? { snapshot: structuredClone(this.resume.actor) } : {}),
      }) as unknown as Actor<AnyStateMachine>;
      this.actor = actor;
      if (resumed) {
        this.context = (actor.getSnapshot().context as MachineContext).call;
        bindRuntime(this.context, this);
      }
      bindRuntime(actor.system, this);
      actor.subscribe({
        next: (snapshot) => {
          if (snapshot.status === 'done') this.end();
        },
        error: (error) => this.crash(error),
      });
      actor.start();
      const early = this.early;
      this.early = undefined;
      if (early) for (const event of early) actor.send(event);
    } catch (error) {
      this.crash(error);
    }
    if (resumed) {
      this.traceEvent({ type: 'note', step: this.step, code: 'resumed', message: 'The call was taken back after a telephony reconnect.' });
      // A playback that was running when the link dropped is gone: report it failed so the flow moves on, unless an
      // event the port held (a department that hung up meanwhile) already moved the flow on to a new prompt.
      if (lost !== undefined && this.playbackOpen && this.currentPlayback === lost) this.onPortEvent({ type: 'playback.finished', playbackId: lost, outcome: 'failed', reason: 'reconnected' });
    }
  }

  /** Ends a call that cannot run (engine draining, no flow) with outcome `failed`. */
  reject(code: string, reason: string): void {
    this.port.hangup(code);
    this.finish({ kind: 'failed', step: '', code, reason });
    this.end();
  }

  /**
   * Hands the call to a destination outside the flow (the dialplan fallback at shutdown). The call leaves Stasis
   * there, so no hangup will ever reach this session: it ends now, `transferred` to that destination, whatever the
   * flow had decided, so `Engine.drain()` does not wait for it.
   */
  handOver(target: DepartmentTarget): void {
    if (this.finished) return;
    const step = this.safeStep();
    const department = target.kind === 'dialplan' ? target.context : target.endpoint;
    this.traceEvent({ type: 'note', step, code: 'handed-over', message: `The call was handed to \`${department}\` outside the flow.` });
    // Asterisk runs a `continue` only after the prompt playing ends (measured on 22.10.1): silence it first, so the
    // hand-over is not held back by up to a whole prompt.
    this.stopPlayback();
    this.stopMusicOnHold();
    this.port.transfer(target);
    this.result = { kind: 'transferred', step, department };
    this.end();
  }

  // ---- views -------------------------------------------------------------------------------------------------

  private get ctx(): CallContext {
    return this.context;
  }
  /** The current step (qualified name). */
  get step(): string {
    return this.ctx.step;
  }
  /** Variables, with secret input masked as `****`. */
  get vars(): Readonly<Record<string, unknown>> {
    const ctx = this.ctx;
    if (ctx.secrets.length === 0) return { ...ctx.vars };
    const out = { ...ctx.vars };
    for (const name of ctx.secrets) if (name in out) out[name] = '****';
    return out;
  }
  get language(): string {
    return this.ctx.language;
  }
  get outcome(): CallOutcome | undefined {
    return this.finished ? this.result : undefined;
  }
  get ended(): boolean {
    return this.finished;
  }
  get trace(): readonly TraceEntry[] {
    return this.traceLog;
  }
  get playbackId(): string | undefined {
    return this.currentPlayback;
  }
  get callId(): string {
    return this.id;
  }
  get flowName(): string {
    return this.flow.name;
  }

  /** A persisted snapshot, to take the call back after an ARI reconnect (`Engine.resumeCall`). */
  snapshot(): CallSnapshot {
    return {
      format: 1,
      callId: this.id,
      flow: this.flow.name,
      version: this.flow.version,
      startedAt: this.startedAt,
      ...(this.playbackOpen && this.currentPlayback ? { playbackId: this.currentPlayback } : {}),
      actor: structuredClone(this.actor?.getPersistedSnapshot() ?? { status: 'error' }) as Snapshot<unknown>,
    };
  }

  // ---- port events -------------------------------------------------------------------------------------------

  private onPortEvent(event: PortEvent): void {
    if (this.finished) return;
    switch (event.type) {
      case 'hangup':
        this.traceEvent({ type: 'note', step: this.step, code: 'hangup', message: `The caller hung up${event.cause ? ` (${event.cause})` : ''}.` });
        this.finish({ kind: 'hungup', step: this.step });
        this.end();
        return;
      case 'handed-over':
        this.traceEvent({ type: 'note', step: this.step, code: 'handed-over', message: `The telephony handed the call to \`${event.context}\` outside the flow (${event.reason}).` });
        this.finish({ kind: 'transferred', step: this.step, department: event.context });
        this.end();
        return;
      case 'key':
        this.traceEvent({ type: 'key', step: this.step, digit: this.flow.secretSteps.has(this.step) ? '*' : event.digit });
        break;
      case 'playback.finished':
        if (event.playbackId === this.currentPlayback) this.playbackOpen = false;
        // A prompt the caller never heard (a missing sound file, a playback that never started) must be visible:
        // the flow moves on as if it ended. A prompt lost with a reconnect is told by the `resumed` note instead.
        if (event.outcome === 'failed' && event.reason !== 'reconnected') {
          const reason = event.reason ?? 'the telephony reported it failed';
          this.traceEvent({ type: 'note', step: this.step, code: 'playback-failed', message: `A prompt could not be played (${reason}); the flow went on as if it had ended.` });
          this.host.logger.warn({ callId: this.id, step: this.step, playbackId: event.playbackId, reason, code: 'playback-failed' }, `call \`${this.id}\` at step \`${this.step}\`: a prompt could not be played (${reason}); check the sound files in the sounds folder`);
        }
        break;
      default:
        break;
    }
    if (this.actor) this.actor.send(event);
    // The first step runs while the actor is being created; a port that answers at once is heard after the start.
    else (this.early ??= []).push(event);
  }

  // ---- CallRuntime -------------------------------------------------------------------------------------------

  now(): number {
    return this.services.clock.now();
  }

  callState(): CallContext {
    return this.context;
  }

  templateVars(ctx: CallContext): Readonly<Record<string, unknown>> {
    // No copy of the variables (templates only read them), and the facts, with the local time in the flow's zone,
    // are worked out only when a template names `call`: most prompts do not.
    const facts = (): Record<string, unknown> => callFacts(this.facts, ctx.language, this.now(), this.timezone);
    return Object.create(ctx.vars, { call: { get: facts, enumerable: true } }) as Record<string, unknown>;
  }

  stepData<T>(step: string): T {
    return this.flow.stepData.get(step) as T;
  }

  play(step: string, doc: FlowDoc, items: readonly PlayItem[], ctx: CallContext, lead?: Media[]): string | undefined {
    const templateVars = (): Readonly<Record<string, unknown>> => this.templateVars(ctx);
    const media = resolveMedia(items, {
      doc,
      language: ctx.language,
      // Built only for prompts with a template in them: most have none, and this runs on every key.
      get vars() {
        return templateVars();
      },
      timezone: this.timezone,
      now: this.now(),
      hours: this.services.hours,
      onUnsafeSound: (template, rendered) =>
        this.traceEvent({
          type: 'note',
          step,
          code: 'unsafe-sound',
          message: `Sound \`${template}\` rendered to \`${shownSoundName(rendered)}\`, which is not a safe sound name (letters, digits, \`_\`, \`-\` and \`/\`, at most ${MAX_SOUND_NAME} characters); it was skipped. Fix the data it reads.`,
        }),
    });
    return this.playMedia(step, lead && lead.length ? [...lead, ...media] : media);
  }

  playMedia(step: string, media: Media[]): string | undefined {
    if (media.length === 0) return undefined;
    this.stopPlayback();
    const id = `${this.id}:p${++this.playbackSeq}`;
    this.currentPlayback = id;
    this.playbackOpen = true;
    this.traceEvent({ type: 'prompt', step, prompts: media.map(mediaLabel) });
    this.port.play(id, media);
    return id;
  }

  stopPlayback(): void {
    if (!this.playbackOpen || this.currentPlayback === undefined) return;
    this.playbackOpen = false;
    this.port.stopPlayback(this.currentPlayback);
  }

  startMusicOnHold(mohClass?: string): void {
    this.mohOn = true;
    this.port.startMusicOnHold(mohClass);
  }

  stopMusicOnHold(): void {
    if (!this.mohOn) return;
    this.mohOn = false;
    this.port.stopMusicOnHold();
  }

  traceEvent(entry: TraceInput): void {
    // Entries are made fresh by their callers, so the time is stamped in place (no copy on the key path).
    const stamped = entry as TraceEntry;
    stamped.at = this.now();
    if (this.traceLog.length < MAX_TRACE) this.traceLog.push(stamped);
    this.services.records.event(this.id, stamped);
  }

  finish(outcome: CallOutcome): void {
    if (this.result === undefined) this.result = outcome;
  }

  dataSource(doc: FlowDoc, name: string): DataSource {
    return this.host.dataSource(this.flow, doc, name);
  }

  stepEntered(step: string): void {
    this.host.stepEntered(this, step);
  }

  // ---- the end -----------------------------------------------------------------------------------------------

  private crash(error: unknown): void {
    if (this.finished) return;
    const step = this.safeStep();
    this.host.logger.error({ callId: this.id, step, err: error }, 'internal error in a call; the call is ended');
    this.traceEvent({ type: 'note', step, code: 'internal-error', message: error instanceof Error ? error.message : String(error) });
    this.port.hangup('internal-error');
    this.result = undefined;
    this.finish({ kind: 'failed', step, code: 'internal-error', reason: error instanceof Error ? error.message : String(error) });
    this.end();
  }

  private safeStep(): string {
    try {
      return this.step;
    } catch {
      return '';
    }
  }

  private end(): void {
    if (this.finished) return;
    const outcome = this.result ?? { kind: 'failed', step: this.safeStep(), code: 'internal-error', reason: 'the flow ended without an outcome' };
    this.result = outcome;
    this.finished = true;
    // Stopping the actor cancels its delayed events (timers) and aborts invoked lookups.
    this.actor?.stop();
    this.services.records.callEnded(this.id, outcome, this.now());
    this.host.ended(this);
    this.resolveDone(outcome);
  }
}

function mediaLabel(m: Media): string {
  if (m.kind === 'sound') return m.prompt ?? m.name;
  if (m.kind === 'silence') return `silence:${m.durationMs}`;
  if (m.kind === 'recording') return `recording:${m.name}`;
  return `${m.kind}:${m.value}`;
}

/** The call's language: the channel's, if the flow speaks it, else the flow's. */
function pickLanguage(doc: FlowDoc, channel: string | undefined): string {
  const languages = doc.languages ?? [doc.language];
  if (channel && languages.includes(channel)) return channel;
  return doc.language;
}
