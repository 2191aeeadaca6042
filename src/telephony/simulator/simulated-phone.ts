/**
 * An in-memory phone on a clock: the telephony port for tests, the CLI simulator and the built-in browser phone.
 *
 * It answers commands the way Asterisk would, in virtual time, and keeps a log of every command and playback.
 * Playback length model (documented for flow authors): a sound lasts its `durationMs` if given, else 60 ms per
 * character of its text (at least 400 ms; 1 s without text); `digits` / `characters` 400 ms per character;
 * `number` 300 ms per character (at least 400 ms); a recording 3 s; silence its own length.
 * Events are delivered synchronously, at the clock's current time.
 */
import type { Clock } from '../../runtime/clock.js';
import type {
  CallFacts,
  CallPort,
  DepartmentTarget,
  Media,
  PlaybackOutcome,
  PortEvent,
  PortEventListener,
  QueueTarget,
  RecordingOutcome,
  RecordOptions,
  TransferOutcome,
} from '../port.js';
import { isDigit, type Digit } from '../../flow/types.js';

/** How the simulated world answers. */
export interface SimulatorBehaviour {
  /** Transfer outcome by department endpoint (`PJSIP/sales`), its last part (`sales`) or dialplan context.
   *  Default `answered`. */
  departments?: Record<string, TransferOutcome>;
  /** How long a dialled department rings before it answers or is busy. Default 2 s (busy: 1 s; noAnswer: the
   *  ring timeout). */
  ringMs?: number;
  /** How long an answered department stays on the line when the flow takes the caller back (a `returns`
   *  transfer) before it hangs up and `transfer.ended` is reported. Default 30 s; `endBridge()` ends it sooner. */
  talkMs?: number;
  recording?: { outcome?: RecordingOutcome; durationMs?: number };
  /** Milliseconds per character of a sound's text. Default 60. */
  msPerChar?: number;
  /**
   * Sound files (`acme/welcome`) or prompt names (`welcome`) the phone cannot play, as a missing file on Asterisk:
   * a playback with one of them fails at once.
   */
  missingSounds?: readonly string[];
}

/** One command the phone received. */
export interface PortCommandLog {
  at: number;
  command: 'answer' | 'play' | 'stopPlayback' | 'startMusicOnHold' | 'stopMusicOnHold' | 'setVariables' | 'transfer' | 'enqueue' | 'record' | 'hangup';
  args: unknown;
}

/** One playback, as the caller heard it. */
export class SimulatedPlayback {
  endedAt?: number;
  outcome?: PlaybackOutcome;
  constructor(
    readonly id: string,
    readonly media: readonly Media[],
    readonly startedAt: number,
    readonly durationMs: number,
  ) {}
  /** What it says. */
  text(): string {
    return this.media
      .map((m) => m.text ?? ('value' in m ? m.value : ''))
      .filter(Boolean)
      .join(' ');
  }
  /** The flow prompt names it played. */
  get promptNames(): string[] {
    return this.media.flatMap((m) => (m.kind === 'sound' && m.prompt ? [m.prompt] : []));
  }
}


/** Playback length of one media item, per the model in the file comment. */
export function mediaDurationMs(m: Media, msPerChar = 60): number {
  switch (m.kind) {
    case 'sound':
      return m.durationMs ?? (m.text ? Math.max(400, m.text.length * msPerChar) : 1000);
    case 'digits':
    case 'characters':
      return 400 * m.value.length;
    case 'number':
      return Math.max(400, 300 * m.value.length);
    case 'recording':
      return 3000;
    case 'silence':
      return m.durationMs;
  }
}

/**
 * @example
 *   const phone = new SimulatedPhone(clock, { caller: '+4930123' });
 *   engine.startCall(phone);
 *   phone.press('1');
 */
export class SimulatedPhone implements CallPort {
  readonly facts: CallFacts;
  readonly commands: PortCommandLog[] = [];
  readonly playbacks: SimulatedPlayback[] = [];
  /** Channel variables set on the call. */
  readonly variables: Record<string, string> = {};
  /** Why the flow hung up, or `caller`. */
  hangupReason?: string;
  /** Where the call went when it left the flow. */
  left?: { kind: 'queued'; target: QueueTarget } | { kind: 'transferred'; target: DepartmentTarget };
  private phase: 'ringing' | 'answered' | 'ended' = 'ringing';
  private listener: PortEventListener | undefined;
  private readonly timers = new Set<unknown>();
  private active?: { playback: SimulatedPlayback; timer: unknown };
  private recordingNow?: { id: string; startedAt: number; timer: unknown; terminator: string };
  private moh = false;
  private bridge?: { target: DepartmentTarget; timer: unknown };
  private static seq = 0;

  constructor(
    private readonly clock: Clock,
    facts: Partial<CallFacts> = {},
    private readonly behaviour: SimulatorBehaviour = {},
  ) {
    const id = facts.callId ?? `sim-phone-${++SimulatedPhone.seq}`;
    this.facts = { callId: id, channel: facts.channel ?? `Local/${id}`, caller: facts.caller ?? '', dialled: facts.dialled ?? '', args: facts.args ?? {}, ...facts };
  }

  get state(): 'ringing' | 'answered' | 'ended' {
    return this.phase;
  }
  /** Whether music on hold is playing. */
  get musicOnHold(): boolean {
    return this.moh;
  }
  /** Whether a listener is still registered (a finished call must release it). */
  get hasListener(): boolean {
    return this.listener !== undefined;
  }
  /** The department the caller is bridged to now (an answered transfer that `returns`), if any. */
  get bridgedTo(): DepartmentTarget | undefined {
    return this.bridge?.target;
  }
  /** Timers the phone has pending (playbacks, rings, recordings). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  // ---- the caller ----------------------------------------------------------------------------------------------

  /**
   * Presses keys: each character one key event, at the current clock time. Ignored once the call has ended.
   * A character no phone has throws a `RangeError` with code `invalid-key`, before any key is pressed.
   */
  press(digits: string): void {
    const wrong = [...digits].find((d) => !isDigit(d));
    if (wrong !== undefined) {
      throw Object.assign(new RangeError(`\`${wrong}\` in \`${digits}\` is not a phone key; press keys from \`0-9 * # A-D\`.`), { code: 'invalid-key' });
    }
    for (const digit of digits) {
      // Keys pressed while bridged go to the department, not to the flow.
      if (this.phase !== 'answered' || this.bridge) continue;
      if (this.recordingNow && digit === this.recordingNow.terminator) {
        this.endRecording('finished');
        continue;
      }
      this.emit({ type: 'key', digit: digit as Digit });
    }
  }

  /** The department hangs up on a bridged caller, who is back in the flow (`transfer.ended`). No-op unless bridged. */
  endBridge(): void {
    const bridge = this.bridge;
    if (!bridge) return;
    this.bridge = undefined;
    this.cancel(bridge.timer);
    this.emit({ type: 'transfer.ended', reason: 'department hung up' });
  }

  /** The caller hangs up. */
  hangupByCaller(): void {
    if (this.phase === 'ended') return;
    this.hangupReason = 'caller';
    const listener = this.listener;
    this.close();
    listener?.({ type: 'hangup', cause: 'caller' });
  }

  // ---- CallPort ------------------------------------------------------------------------------------------------

  onEvent(listener: PortEventListener): void {
    this.listener = listener;
  }

  answer(): void {
    this.log('answer', undefined);
    if (this.phase === 'ringing') this.phase = 'answered';
  }

  play(playbackId: string, media: readonly Media[]): void {
    this.log('play', { playbackId, media });
    if (this.phase === 'ended') return;
    // ARI queues playbacks per channel; the engine never overlaps them, so a new one replaces the old.
    if (this.active) this.finishPlayback('stopped');
    const duration = media.reduce((sum, m) => sum + mediaDurationMs(m, this.behaviour.msPerChar), 0);
    const playback = new SimulatedPlayback(playbackId, media, this.clock.now(), duration);
    this.playbacks.push(playback);
    const missingSounds = this.behaviour.missingSounds ?? [];
    const missing = media.find((m): m is Extract<Media, { kind: 'sound' }> => m.kind === 'sound' && (missingSounds.includes(m.name) || (m.prompt !== undefined && missingSounds.includes(m.prompt))));
    const timer = missing
      ? this.after(0, () => this.finishPlayback('failed', `sound \`${missing.name}\` not found`))
      : this.after(duration, () => this.finishPlayback('finished'));
    this.active = { playback, timer };
  }

  stopPlayback(playbackId: string): void {
    this.log('stopPlayback', { playbackId });
    if (this.active?.playback.id === playbackId) this.finishPlayback('stopped');
  }

  startMusicOnHold(mohClass?: string): void {
    this.log('startMusicOnHold', { mohClass });
    this.moh = true;
  }

  stopMusicOnHold(): void {
    this.log('stopMusicOnHold', undefined);
    this.moh = false;
  }

  setVariables(vars: Readonly<Record<string, string>>): void {
    this.log('setVariables', vars);
    Object.assign(this.variables, vars);
  }

  transfer(target: DepartmentTarget): void {
    this.log('transfer', target);
    if (this.phase === 'ended') return;
    if (target.kind === 'dialplan') {
      this.leave({ kind: 'transferred', target });
      this.emit({ type: 'transfer.result', outcome: 'answered' });
      this.release();
      return;
    }
    const outcome = this.departmentOutcome(target.endpoint);
    const ring = this.behaviour.ringMs ?? 2000;
    const delay = outcome === 'noAnswer' ? target.ringTimeoutMs : outcome === 'busy' ? Math.min(ring, 1000) : outcome === 'failed' ? 0 : ring;
    this.after(delay, () => {
      if (outcome === 'answered' && target.returns) {
        // Bridged, and the flow takes the caller back: the phone keeps listening until the department hangs up.
        this.bridge = { target, timer: this.after(this.behaviour.talkMs ?? 30_000, () => this.endBridge()) };
        this.emit({ type: 'transfer.result', outcome });
        return;
      }
      if (outcome === 'answered') this.leave({ kind: 'transferred', target });
      this.emit({ type: 'transfer.result', outcome });
      if (outcome === 'answered') this.release();
    });
  }

  enqueue(target: QueueTarget): void {
    this.log('enqueue', target);
    if (this.phase === 'ended') return;
    this.leave({ kind: 'queued', target });
    this.release();
  }

  record(recordingId: string, options: RecordOptions): void {
    this.log('record', { recordingId, options });
    if (this.phase === 'ended') return;
    const planned = Math.min(this.behaviour.recording?.durationMs ?? 5000, options.maxDurationMs);
    const timer = this.after(planned, () => this.endRecording(this.behaviour.recording?.outcome ?? 'finished'));
    this.recordingNow = { id: recordingId, startedAt: this.clock.now(), timer, terminator: options.terminator };
  }

  hangup(reason: string): void {
    this.log('hangup', { reason });
    if (this.phase === 'ended') return;
    this.hangupReason = reason;
    this.close();
  }

  // ---- inside ----------------------------------------------------------------------------------------------------

  private departmentOutcome(endpoint: string): TransferOutcome {
    const table = this.behaviour.departments ?? {};
    const short = endpoint.split('/').pop() ?? endpoint;
    return table[endpoint] ?? table[short] ?? 'answered';
  }

  private finishPlayback(outcome: PlaybackOutcome, reason?: string): void {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    this.cancel(active.timer);
    active.playback.endedAt = this.clock.now();
    active.playback.outcome = outcome;
    this.emit({ type: 'playback.finished', playbackId: active.playback.id, outcome, ...(reason ? { reason } : {}) });
  }

  private endRecording(outcome: RecordingOutcome): void {
    const rec = this.recordingNow;
    if (!rec) return;
    this.recordingNow = undefined;
    this.cancel(rec.timer);
    this.emit({ type: 'recording.finished', recordingId: rec.id, outcome, durationMs: this.clock.now() - rec.startedAt });
  }

  private leave(left: NonNullable<SimulatedPhone['left']>): void {
    this.left = left;
  }

  /** The call left the flow (queued, transferred): it stays up, but the flow hears no more of it. */
  private release(): void {
    this.stopTimers();
    this.listener = undefined;
  }

  private close(): void {
    this.phase = 'ended';
    if (this.active) {
      this.active.playback.endedAt = this.clock.now();
      this.active.playback.outcome = 'stopped';
      this.active = undefined;
    }
    this.recordingNow = undefined;
    this.moh = false;
    this.release();
  }

  private stopTimers(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    this.active = undefined;
    this.recordingNow = undefined;
    this.bridge = undefined;
  }

  private after(ms: number, fn: () => void): unknown {
    const handle: { t?: unknown } = {};
    handle.t = this.clock.setTimeout(() => {
      this.timers.delete(handle.t);
      fn();
    }, ms);
    this.timers.add(handle.t);
    return handle.t;
  }

  private cancel(timer: unknown): void {
    if (this.timers.delete(timer)) this.clock.clearTimeout(timer);
  }

  private emit(event: PortEvent): void {
    this.listener?.(event);
  }

  private log(command: PortCommandLog['command'], args: unknown): void {
    this.commands.push({ at: this.clock.now(), command, args });
  }
}
