/**
 * The dashboard's phone: calls placed from a browser through the built-in simulator, on the real clock. Prompts
 * become lines of text (the browser may speak them); keys come from the keypad. Transfers, queues and recordings
 * are the simulator's, since there is no Asterisk behind this line.
 */
import { randomUUID } from 'node:crypto';
import type { CallFacts, CallPort, DepartmentTarget, Media, PortEventListener, QueueTarget, RecordOptions } from '../telephony/port.js';
import type { Clock } from '../runtime/clock.js';
import { SimulatedPhone, type SimulatorBehaviour } from '../telephony/simulator/simulated-phone.js';
import type { PhoneAdmin, PhoneCallState, PhoneLine } from '../http/deps.js';
import type { CallSessionLike, EngineLike } from './contracts.js';

export interface BrowserPhoneOptions {
  engine: Pick<EngineLike, 'startCall'>;
  clock: Clock;
  /** Wraps each line before the engine gets it (metrics). */
  wrap?: (port: CallPort) => CallPort;
  /** Milliseconds of speech per character of prompt text. Default 60 (the simulator's). */
  msPerChar?: number;
  /** How long a simulated transfer rings, and a recording runs at most. */
  ringMs?: number;
  recordMs?: number;
  /** Ended calls are forgotten after this long. */
  keepEndedMs?: number;
  /** Most browser calls at once (each runs a real call in the engine). Default 50. */
  maxLive?: number;
}

const MAX_LINES = 500;

/** The text a media item says, for the screen. */
export function mediaText(m: Media): string {
  if (m.text) return m.text;
  switch (m.kind) {
    case 'sound':
    case 'recording':
      return `[${m.name}]`;
    case 'silence':
      return '';
    default:
      return m.value;
  }
}

/**
 * One browser call: the built-in simulator's phone (`SimulatedPhone`, which plays, rings and records on the clock)
 * with a transcript kept beside it. Every command the engine sends is noted as a line of text with the step the
 * call is in, then passed on to the phone unchanged.
 */
class BrowserCall implements CallPort {
  readonly lines: PhoneLine[] = [];
  /** Set once the engine reports the call's end. */
  finished = false;
  session: CallSessionLike | undefined;
  private seq = 0;

  constructor(
    readonly phone: SimulatedPhone,
    private readonly clock: Clock,
  ) {}

  get facts(): CallFacts {
    return this.phone.facts;
  }

  /** The caller can no longer press keys: the call ended or left the flow. */
  get over(): boolean {
    return this.finished || this.phone.state === 'ended' || this.phone.left !== undefined;
  }

  say(kind: PhoneLine['kind'], text: string): void {
    this.lines.push({ seq: ++this.seq, at: this.clock.now(), kind, step: this.session?.step ?? '', text });
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }

  onEvent(listener: PortEventListener): void {
    this.phone.onEvent(listener);
  }

  answer(): void {
    this.phone.answer();
  }

  play(playbackId: string, media: readonly Media[]): void {
    const text = media.map(mediaText).filter(Boolean).join(' ');
    if (text) this.say('prompt', text);
    this.phone.play(playbackId, media);
  }

  stopPlayback(playbackId: string): void {
    this.phone.stopPlayback(playbackId);
  }

  startMusicOnHold(mohClass?: string): void {
    this.say('note', '♪ music on hold ♪');
    this.phone.startMusicOnHold(mohClass);
  }

  stopMusicOnHold(): void {
    this.phone.stopMusicOnHold();
  }

  setVariables(vars: Readonly<Record<string, string>>): void {
    this.phone.setVariables(vars);
  }

  transfer(target: DepartmentTarget): void {
    this.say('note', `Transferring to ${target.kind === 'dial' ? target.endpoint : `${target.context},${target.extension}`} (simulated).`);
    this.phone.transfer(target);
  }

  enqueue(target: QueueTarget): void {
    this.say('note', `Queued for an agent in ${target.queue} (simulated).`);
    this.phone.enqueue(target);
  }

  record(recordingId: string, options: RecordOptions): void {
    this.say('note', `Recording${options.terminator !== 'none' ? ` (press ${options.terminator} to stop)` : ''}…`);
    this.phone.record(recordingId, options);
  }

  hangup(reason: string): void {
    this.phone.hangup(reason);
  }

  press(digits: string): void {
    for (const digit of digits) {
      if (this.over) return;
      this.say('key', digit);
      this.phone.press(digit);
    }
  }

  callerHangup(): void {
    if (this.over) return;
    this.say('end', 'You hung up.');
    this.phone.hangupByCaller();
  }
}

/**
 * Places and drives browser calls.
 * @example const phone = new BrowserPhone({ engine, clock: systemClock }); const call = await phone.start('acme-hotline', {});
 */
export class BrowserPhone implements PhoneAdmin {
  private readonly calls = new Map<string, BrowserCall>();
  private readonly options: Required<Pick<BrowserPhoneOptions, 'msPerChar' | 'ringMs' | 'recordMs' | 'keepEndedMs' | 'maxLive'>> & BrowserPhoneOptions;

  constructor(options: BrowserPhoneOptions) {
    this.options = { msPerChar: 60, ringMs: 1500, recordMs: 4000, keepEndedMs: 10 * 60_000, maxLive: 50, ...options };
  }

  async start(flow: string, opts: { caller?: string; dialled?: string }): Promise<PhoneCallState> {
    const live = [...this.calls.values()].filter((c) => !c.over).length;
    if (live >= this.options.maxLive) throw Object.assign(new Error(`${live} browser calls are already in progress.`), { code: 'too-many-calls' });
    const id = `web-${randomUUID()}`;
    const { clock } = this.options;
    const behaviour: SimulatorBehaviour = { msPerChar: this.options.msPerChar, ringMs: this.options.ringMs, recording: { durationMs: this.options.recordMs } };
    const phone = new SimulatedPhone(clock, { callId: id, channel: `Browser/${id.slice(4, 12)}`, caller: opts.caller ?? '+15550100', dialled: opts.dialled ?? '100', flow, args: {} }, behaviour);
    const call = new BrowserCall(phone, clock);
    this.calls.set(id, call);
    let session: CallSessionLike;
    try {
      session = this.options.engine.startCall(this.options.wrap ? this.options.wrap(call) : call, flow);
    } catch (error) {
      // A call the engine never took (the server is stopping) must not hold one of the `maxLive` places.
      this.calls.delete(id);
      throw error;
    }
    call.session = session;
    // The engine plays the first prompt inside startCall, before the session is known here: it is the start step's.
    for (const l of call.lines) if (!l.step) l.step = session.flow.doc.start;
    void session.done.then(
      () => this.ended(call),
      () => this.ended(call),
    );
    return this.state(call, 0);
  }

  get(id: string, since: number): PhoneCallState | undefined {
    const call = this.calls.get(id);
    return call ? this.state(call, since) : undefined;
  }

  press(id: string, digits: string): boolean {
    const call = this.calls.get(id);
    if (!call || call.over) return false;
    call.press(digits);
    return true;
  }

  hangup(id: string): boolean {
    const call = this.calls.get(id);
    if (!call || call.over) return false;
    call.callerHangup();
    return true;
  }

  /** Hangs up every browser call (server shutdown). */
  hangupAll(): void {
    for (const call of this.calls.values()) call.callerHangup();
  }

  private ended(call: BrowserCall): void {
    call.finished = true;
    call.say('end', `Call ended: ${describeOutcome(call.session?.outcome)}.`);
    const forget = this.options.clock.setTimeout(() => this.calls.delete(call.facts.callId), this.options.keepEndedMs);
    // Remembering an ended call must not keep a stopping server alive.
    (forget as { unref?: () => void } | undefined)?.unref?.();
  }

  private state(call: BrowserCall, since: number): PhoneCallState {
    const s = call.session;
    return {
      id: call.facts.callId,
      flow: s?.flow.name ?? call.facts.flow ?? '',
      version: s?.flow.version ?? '',
      step: s?.step ?? '',
      language: s?.language,
      ended: call.finished,
      outcome: s?.outcome,
      lines: call.lines.filter((l) => l.seq > since),
    };
  }
}

function describeOutcome(outcome: CallSessionLike['outcome']): string {
  if (!outcome) return 'ended';
  switch (outcome.kind) {
    case 'transferred':
      return `transferred to ${outcome.department} at step ${outcome.step}`;
    case 'queued':
      return `queued in ${outcome.queue} at step ${outcome.step}`;
    case 'failed':
      return `failed at step ${outcome.step} (${outcome.code})`;
    default:
      return `${outcome.kind} at step ${outcome.step}`;
  }
}
