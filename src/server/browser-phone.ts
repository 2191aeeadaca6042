/**
 * The dashboard's phone: calls placed from a browser, run by the engine on the real clock through an in-memory
 * line. Prompts become lines of text (the browser may speak them); keys come from the keypad. Transfers, queues
 * and recordings are simulated with short real delays, since there is no Asterisk behind this line.
 */
import { randomUUID } from 'node:crypto';
import type { CallFacts, CallPort, DepartmentTarget, Media, PortEventListener, QueueTarget, RecordOptions } from '../telephony/port.js';
import type { Digit } from '../flow/types.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { PhoneAdmin, PhoneCallState, PhoneLine } from '../http/deps.js';
import type { CallSessionLike, EngineLike } from './contracts.js';

export interface BrowserPhoneOptions {
  engine: Pick<EngineLike, 'startCall'>;
  clock: Clock;
  /** Wraps each line before the engine gets it (metrics). */
  wrap?: (port: CallPort) => CallPort;
  /** Milliseconds of speech per character of prompt text. Default 55 (about 160 words a minute). */
  msPerChar?: number;
  /** How long a simulated transfer rings, a recording runs at most. */
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

/** One browser call's line: a `CallPort` whose audio is text and whose time is the real clock. */
class BrowserLine implements CallPort {
  readonly lines: PhoneLine[] = [];
  ended = false;
  private listener: PortEventListener | undefined;
  private seq = 0;
  private readonly timers = new Map<string, TimerHandle>();
  private recording: { id: string; terminator: string; startedAt: number } | undefined;
  session: CallSessionLike | undefined;

  constructor(
    readonly facts: CallFacts,
    private readonly options: Required<Pick<BrowserPhoneOptions, 'msPerChar' | 'ringMs' | 'recordMs'>> & { clock: Clock },
  ) {}

  get step(): string {
    return this.session?.step ?? '';
  }

  say(kind: PhoneLine['kind'], text: string): void {
    this.lines.push({ seq: ++this.seq, at: this.options.clock.now(), kind, step: this.step, text });
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }

  onEvent(listener: PortEventListener): void {
    this.listener = listener;
  }

  private emit(event: Parameters<PortEventListener>[0]): void {
    if (!this.ended || event.type === 'hangup') this.listener?.(event);
  }

  private later(id: string, ms: number, fn: () => void): void {
    this.timers.set(id, this.options.clock.setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms));
  }

  private cancel(id: string): boolean {
    const t = this.timers.get(id);
    if (t === undefined) return false;
    this.options.clock.clearTimeout(t);
    this.timers.delete(id);
    return true;
  }

  answer(): void {}

  play(playbackId: string, media: readonly Media[]): void {
    const text = media.map(mediaText).filter(Boolean).join(' ');
    const ms = media.reduce((sum, m) => sum + ('durationMs' in m && m.durationMs ? m.durationMs : mediaText(m).length * this.options.msPerChar), 0);
    if (text) this.say('prompt', text);
    this.emit({ type: 'playback.started', playbackId });
    this.later(playbackId, Math.max(200, ms), () => this.emit({ type: 'playback.finished', playbackId, outcome: 'finished' }));
  }

  stopPlayback(playbackId: string): void {
    if (this.cancel(playbackId)) this.emit({ type: 'playback.finished', playbackId, outcome: 'stopped' });
  }

  startMusicOnHold(): void {
    this.say('note', '♪ music on hold ♪');
  }

  stopMusicOnHold(): void {}

  setVariables(): void {}

  transfer(target: DepartmentTarget): void {
    const where = target.kind === 'dial' ? target.endpoint : `${target.context},${target.extension}`;
    this.say('note', `Transferring to ${where} (simulated: answered).`);
    this.later('transfer', this.options.ringMs, () => this.emit({ type: 'transfer.result', outcome: 'answered' }));
  }

  enqueue(target: QueueTarget): void {
    this.say('note', `Queued for an agent in \`${target.queue}\` (simulated).`);
  }

  record(recordingId: string, options: RecordOptions): void {
    this.say('note', `Recording${options.terminator !== 'none' ? ` (press ${options.terminator} to stop)` : ''}…`);
    this.recording = { id: recordingId, terminator: options.terminator, startedAt: this.options.clock.now() };
    this.later(recordingId, Math.min(options.maxDurationMs, this.options.recordMs), () => this.finishRecording());
  }

  private finishRecording(): void {
    const r = this.recording;
    if (!r) return;
    this.recording = undefined;
    this.cancel(r.id);
    this.emit({ type: 'recording.finished', recordingId: r.id, outcome: 'finished', durationMs: this.options.clock.now() - r.startedAt });
  }

  hangup(reason: string): void {
    if (this.ended) return;
    this.end(`Call ended (${reason}).`);
  }

  press(digit: Digit): void {
    if (this.ended) return;
    this.say('key', digit);
    if (this.recording && digit === this.recording.terminator) return this.finishRecording();
    this.emit({ type: 'key', digit });
  }

  callerHangup(): void {
    if (this.ended) return;
    this.emit({ type: 'hangup', cause: 'caller' });
    this.end('You hung up.');
  }

  end(text: string): void {
    this.ended = true;
    for (const id of [...this.timers.keys()]) this.cancel(id);
    this.say('end', text);
  }
}

/**
 * Places and drives browser calls.
 * @example const phone = new BrowserPhone({ engine, clock: systemClock }); const call = await phone.start('acme-hotline', {});
 */
export class BrowserPhone implements PhoneAdmin {
  private readonly calls = new Map<string, BrowserLine>();
  private readonly options: Required<Pick<BrowserPhoneOptions, 'msPerChar' | 'ringMs' | 'recordMs' | 'keepEndedMs' | 'maxLive'>> & BrowserPhoneOptions;

  constructor(options: BrowserPhoneOptions) {
    this.options = { msPerChar: 55, ringMs: 1500, recordMs: 4000, keepEndedMs: 10 * 60_000, maxLive: 50, ...options };
  }

  async start(flow: string, opts: { caller?: string; dialled?: string }): Promise<PhoneCallState> {
    const live = [...this.calls.values()].filter((l) => !l.ended).length;
    if (live >= this.options.maxLive) throw Object.assign(new Error(`${live} browser calls are already in progress.`), { code: 'too-many-calls' });
    const id = `web-${randomUUID()}`;
    const facts: CallFacts = { callId: id, channel: `Browser/${id.slice(4, 12)}`, caller: opts.caller ?? '+15550100', dialled: opts.dialled ?? '100', flow, args: {} };
    const line = new BrowserLine(facts, { ...this.options, clock: this.options.clock });
    this.calls.set(id, line);
    const session = this.options.engine.startCall(this.options.wrap ? this.options.wrap(line) : line, flow);
    line.session = session;
    // The engine plays the first prompt inside startCall, before the session is known here: it is the start step's.
    for (const l of line.lines) if (!l.step) l.step = session.flow.doc.start;
    void session.done.then(
      () => this.ended(line),
      () => this.ended(line),
    );
    return this.state(line, 0);
  }

  get(id: string, since: number): PhoneCallState | undefined {
    const line = this.calls.get(id);
    return line ? this.state(line, since) : undefined;
  }

  press(id: string, digits: string): boolean {
    const line = this.calls.get(id);
    if (!line || line.ended) return false;
    for (const d of digits) line.press(d as Digit);
    return true;
  }

  hangup(id: string): boolean {
    const line = this.calls.get(id);
    if (!line || line.ended) return false;
    line.callerHangup();
    return true;
  }

  /** Hangs up every browser call (server shutdown). */
  hangupAll(): void {
    for (const line of this.calls.values()) line.callerHangup();
  }

  private ended(line: BrowserLine): void {
    if (!line.ended) line.end(`Call ended: ${describeOutcome(line.session?.outcome)}.`);
    else line.say('end', `Outcome: ${describeOutcome(line.session?.outcome)}.`);
    const forget = this.options.clock.setTimeout(() => this.calls.delete(line.facts.callId), this.options.keepEndedMs);
    // Remembering an ended call must not keep a stopping server alive.
    (forget as { unref?: () => void } | undefined)?.unref?.();
  }

  private state(line: BrowserLine, since: number): PhoneCallState {
    const s = line.session;
    return {
      id: line.facts.callId,
      flow: s?.flow.name ?? line.facts.flow ?? '',
      version: s?.flow.version ?? '',
      step: s?.step ?? '',
      ended: line.ended && (s?.ended ?? true),
      outcome: s?.outcome,
      lines: line.lines.filter((l) => l.seq > since),
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
