/**
 * One call in our Stasis app, as a `CallPort`. Commands become ARI requests; their answers and the websocket's
 * events come back as port events. Failures are values: a refused play ends as `playback.finished / failed`,
 * a failed dial as `transfer.result / failed`. Nothing here throws into the runtime.
 */
import type { Clock, TimerHandle } from '../../runtime/clock.js';
import type {
  CallFacts,
  CallPort,
  DepartmentTarget,
  Media,
  PlaybackOutcome,
  PortEvent,
  PortEventListener,
  QueueTarget,
  RecordOptions,
  TransferOutcome,
} from '../port.js';
import type { AriLogger } from './options.js';
import { DIAL_LEG_ARG, dialLegId, RETURNING_TRANSFER_BRIDGE, RETURNS_ARG, TRANSFER_BRIDGE, transferBridgeId, type FoundTransfer } from './found-transfers.js';
import { ok, seg, type AriRestClient } from './rest-client.js';
import {
  cleanValue,
  isDialplanName,
  isEndpoint,
  isQueueName,
  isSafeId,
  isSoundName,
  isVariableName,
  MAX_VARIABLE_VALUE,
  MediaError,
  toMediaUris,
} from './sanitize.js';

/** What a call needs from its adapter. */
export interface CallHost {
  readonly rest: AriRestClient;
  readonly clock: Clock;
  readonly log: AriLogger;
  readonly app: string;
  readonly playbackStartTimeoutMs: number;
  /** The bound on a re-attached call until one of our playbacks started (an unknown prompt may play ahead). */
  readonly foundPlaybackStartTimeoutMs: number;
  readonly queueContext: string;
  /** Prefix that makes Asterisk copy a variable to dialled channels (agents' screen-pop). */
  readonly variablePrefix: '' | '__';
  /** Distinguishes this process's playback ids on calls it took back from those of the process before. */
  readonly instanceTag: string;
  trackPlayback(playbackId: string, call: AriCall): void;
  trackRecording(name: string, call: AriCall): void;
  trackLeg(legId: string, call: AriCall): void;
  untrack(call: AriCall): void;
}

interface PlaybackState {
  stopRequested: boolean;
  /** The id on Asterisk's side (differs from the runtime's only on calls taken back after a restart). */
  ariId: string;
  /** Asterisk answered the play request: the playback exists (or existed). */
  posted: boolean;
  started: boolean;
  startTimer: TimerHandle | undefined;
}

interface TransferState {
  legId: string;
  bridgeId: string;
  /** The leg was created (HTTP answer) and has entered our app (StasisStart); both, in either order, before dial. */
  created: boolean;
  inStasis: boolean;
  dialling: boolean;
  timeoutSec: number;
  guard: TimerHandle | undefined;
  decided: boolean;
  answered: boolean;
  /** The flow takes the caller back when the agent hangs up (`DepartmentTarget.returns`). */
  returns: boolean;
}

type Lifecycle = 'live' | 'left' | 'gone';

/** Hangup causes (Q.850) that tell a dial outcome apart. */
const CAUSE_BUSY = 17;
const CAUSE_NO_USER_RESPONSE = 18;
const CAUSE_NO_ANSWER = 19;

/** Maps a `Dial` event's status or a dial leg's hangup cause onto a transfer outcome. */
export function transferOutcome(dialstatus: string | undefined, cause: number | undefined): TransferOutcome {
  switch (dialstatus) {
    case 'ANSWER':
      return 'answered';
    case 'BUSY':
      return 'busy';
    case 'NOANSWER':
      return 'noAnswer';
    case undefined:
    case '':
      break;
    default:
      return 'failed';
  }
  if (cause === CAUSE_BUSY) return 'busy';
  if (cause === CAUSE_NO_ANSWER || cause === CAUSE_NO_USER_RESPONSE) return 'noAnswer';
  return 'failed';
}

/**
 * A live ARI call. Created by the adapter on `StasisStart` or on re-attach; it is a `CallPort` for the runtime.
 */
export class AriCall implements CallPort {
  private listener: PortEventListener | undefined;
  private readonly pending: PortEvent[] = [];
  private state: Lifecycle = 'live';
  /** A `continue` is sent and not yet answered (the runtime awaits its `transfer.result`). */
  private continuing = false;
  private readonly playbacks = new Map<string, PlaybackState>(); // runtime's playback id → state
  private readonly byAri = new Map<string, string>(); // Asterisk's playback id → runtime's
  private readonly recordings = new Map<string, string>(); // recording name → recordingId
  private transferState: TransferState | undefined;
  private transferCount = 0;
  /** Variable writes not yet answered: the dialplan must not run before they land (see `afterVariables`). */
  private readonly variableWrites = new Set<Promise<void>>();
  /** A hand-over asked for while the caller talked to a department: it happens when the department hangs up. */
  private handOverAfterBridge: { context: string; extension: string; priority: number } | undefined;
  /** True once the runtime registered its listener (a re-attached call counts as taken back then). */
  claimed = false;
  /** Taken back after a (re)connect by a process that did not start it: it may have playbacks we never saw. */
  reattached = false;
  /** One of our playbacks has started: nothing of a previous process is queued ahead of ours any more. */
  private ownPlaybackStarted = false;
  /** The answer request while it is on its way (see `play`). */
  private answering: Promise<void> | undefined;

  constructor(
    readonly facts: CallFacts,
    private readonly host: CallHost,
  ) {}

  get id(): string {
    return this.facts.callId;
  }

  get lifecycle(): Lifecycle {
    return this.state;
  }

  /** Asterisk's ids of playbacks that have not ended, for reconciliation after a reconnect. */
  activePlaybacks(): string[] {
    return [...this.byAri.keys()];
  }

  /** The caller is bridged to a department (a transfer answered and not yet ended). */
  get talking(): boolean {
    return this.transferState?.answered === true && this.transferState.decided;
  }

  activeRecordings(): Array<{ name: string; recordingId: string }> {
    return [...this.recordings].map(([name, recordingId]) => ({ name, recordingId }));
  }

  onEvent(listener: PortEventListener): void {
    this.listener = listener;
    this.claimed = true;
    // Events that arrived before the runtime listened (a key pressed during set-up) are not lost.
    const queued = this.pending.splice(0);
    for (const event of queued) this.deliver(event);
  }

  answer(): void {
    const answered = this.send('answer', 'POST', `/channels/${seg(this.id)}/answer`);
    this.answering = answered;
    void answered.then(() => {
      if (this.answering === answered) this.answering = undefined;
    });
  }

  play(playbackId: string, media: readonly Media[]): void {
    if (this.state !== 'live') return;
    if (!isSafeId(playbackId)) {
      this.host.log.warn({ callId: this.id, code: 'ARI_PLAYBACK_ID' }, 'playback id refused');
      this.emit({ type: 'playback.finished', playbackId: cleanValue(playbackId, 64), outcome: 'failed', reason: 'invalid playback id' });
      return;
    }
    let uris: string[];
    try {
      uris = toMediaUris(media);
    } catch (err) {
      const reason = err instanceof MediaError ? err.message : 'invalid media';
      this.host.log.warn({ callId: this.id, playbackId, code: err instanceof MediaError ? err.code : 'ARI_MEDIA' }, reason);
      this.emit({ type: 'playback.finished', playbackId, outcome: 'failed', reason });
      return;
    }
    if (uris.length === 0) {
      this.emit({ type: 'playback.finished', playbackId, outcome: 'finished' });
      return;
    }
    // Asterisk accepts a playback id that is still in use and queues the new playback behind the old one. A
    // resumed flow numbers its playbacks as the process before did, so on a call taken back the ids get a suffix.
    const ariId = this.reattached ? `${playbackId}:r${this.host.instanceTag}` : playbackId;
    const state: PlaybackState = { ariId, stopRequested: false, posted: false, started: false, startTimer: undefined };
    this.playbacks.set(playbackId, state);
    this.byAri.set(ariId, playbackId);
    this.host.trackPlayback(ariId, this);
    // Bounded wait for PlaybackStarted: playbacks queue per channel, so the bound starts when the request is sent.
    state.startTimer = this.host.clock.setTimeout(() => {
      state.startTimer = undefined;
      if (state.started || !this.playbacks.has(playbackId)) return;
      void this.host.rest.request('DELETE', `/playbacks/${seg(ariId)}`);
      this.endPlayback(playbackId, 'failed', 'playback did not start in time');
    }, this.reattached && !this.ownPlaybackStarted ? this.host.foundPlaybackStartTimeoutMs : this.host.playbackStartTimeoutMs);
    const query: Record<string, string> = { media: uris.join(',') };
    if (this.facts.language) query.lang = this.facts.language;
    const post = (): void => {
      if (this.playbacks.get(playbackId) !== state) return; // Ended while it waited for the answer.
      void this.host.rest.request('POST', `/channels/${seg(this.id)}/play/${seg(ariId)}`, query).then((res) => {
        if (ok(res)) {
          state.posted = true;
          // A stop that raced the request: now the playback surely exists, so stop it (again).
          if (state.stopRequested && this.playbacks.has(playbackId)) this.deletePlayback(playbackId, state);
          return;
        }
        // No answer at all: Asterisk may have made the playback anyway, and it must not play on over what follows.
        if (res.status === 0) void this.host.rest.request('DELETE', `/playbacks/${seg(ariId)}`);
        this.endPlayback(playbackId, 'failed', res.error ?? `ARI answered ${res.status}`);
      });
    };
    // Asterisk answers on the channel's own thread, after the commands queued there before: a prompt sent on the
    // websocket could overtake the answer sent over HTTP, and the caller would hear it unanswered while the answer
    // waited for its end (seen on Asterisk 22.10.1). The first prompt waits for the answer.
    if (this.answering) void this.answering.then(post);
    else post();
  }

  stopPlayback(playbackId: string): void {
    const state = this.playbacks.get(playbackId);
    if (!state && this.reattached && isSafeId(playbackId)) {
      // A playback started by the process before the restart (a resumed snapshot names it): silence it.
      void this.host.rest.request('DELETE', `/playbacks/${seg(playbackId)}`);
      return;
    }
    if (!state || state.stopRequested) return;
    state.stopRequested = true;
    // ARI does not stop playback on DTMF; barge-in is ours to do. Sent at once, even before the play request is
    // answered (Asterisk may already have created the playback); if it was too early, the play answer repeats it.
    this.deletePlayback(playbackId, state);
  }

  private deletePlayback(playbackId: string, state: PlaybackState): void {
    void this.host.rest.request('DELETE', `/playbacks/${seg(state.ariId)}`).then((res) => {
      // 404 after the play was answered: it ended already and its PlaybackFinished was lost or is still to come.
      if (res.status === 404 && state.posted && this.playbacks.has(playbackId)) this.endPlayback(playbackId, 'stopped');
    });
  }

  startMusicOnHold(mohClass?: string): void {
    const query = mohClass && isDialplanName(mohClass) ? { mohClass } : undefined;
    void this.send('moh', 'POST', `/channels/${seg(this.id)}/moh`, query);
  }

  stopMusicOnHold(): void {
    void this.send('moh stop', 'DELETE', `/channels/${seg(this.id)}/moh`);
  }

  setVariables(vars: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(vars)) {
      if (!isVariableName(name)) {
        this.host.log.warn({ callId: this.id, code: 'ARI_VARIABLE_NAME', variable: cleanValue(name, 64) }, 'channel variable name refused');
        continue;
      }
      const write = this.send('variable', 'POST', `/channels/${seg(this.id)}/variable`, {
        variable: `${this.host.variablePrefix}${name}`,
        value: cleanValue(value, MAX_VARIABLE_VALUE),
      });
      this.variableWrites.add(write);
      void write.then(() => this.variableWrites.delete(write));
    }
  }

  /**
   * Resolves when every variable write sent so far is answered. Asterisk serves each HTTP request on its own thread,
   * and our pool sends them on several sockets: a `continue` or a dial sent right after `TOUCHTONE_QUEUE` could
   * otherwise reach the dialplan (or the agent's screen-pop) before the variable does.
   */
  private afterVariables(): Promise<unknown> {
    return this.variableWrites.size ? Promise.all(this.variableWrites) : Promise.resolve();
  }

  transfer(target: DepartmentTarget): void {
    if (this.state !== 'live') return;
    if (target.kind === 'dialplan') {
      if (this.talking) {
        // Never pull a caller out of a conversation (a shutdown or take-back hand-over): it waits for the agent. A
        // transfer without `returns` ends the call when the agent hangs up, so there is nothing left to hand over.
        if (this.transferState!.returns) this.handOverAfterBridge = { context: target.context, extension: target.extension, priority: target.priority };
        this.host.log.info({ callId: this.id, context: cleanValue(target.context, 40) }, 'the caller is talking to a department; not pulled out of the conversation');
        const after = this.transferState!.returns ? 'handed over when the department hangs up' : 'the call ends when the department hangs up';
        this.deliverOrQueue({ type: 'transfer.result', outcome: 'answered', reason: after });
        return;
      }
      this.continueTo(target.context, target.extension, target.priority, (success, reason) =>
        // Asterisk may send StasisEnd before it answers the request; the result still belongs to the runtime.
        this.deliverOrQueue({ type: 'transfer.result', outcome: success ? 'answered' : 'failed', ...(reason ? { reason } : {}) }),
      );
      return;
    }
    if (this.transferState && !this.transferState.decided) {
      this.emit({ type: 'transfer.result', outcome: 'failed', reason: 'a transfer is already ringing' });
      return;
    }
    if (this.talking) {
      // Only a flow resumed from a state saved before its transfer was answered asks again (the snapshot is saved
      // at step changes): the conversation it asks for is the one going on. Dialling again would split it.
      this.host.log.info({ callId: this.id }, 'a transfer asked for while the caller talks to a department: that conversation is the answer');
      this.emit({ type: 'transfer.result', outcome: 'answered', reason: 'already talking to the department' });
      return;
    }
    if (!isEndpoint(target.endpoint)) {
      this.emit({ type: 'transfer.result', outcome: 'failed', reason: `endpoint \`${cleanValue(target.endpoint, 60)}\` is not a plain dial endpoint` });
      return;
    }
    this.transferCount += 1;
    const legId = dialLegId(this.id, this.transferCount);
    const bridgeId = transferBridgeId(this.id, this.transferCount);
    const timeoutSec = Math.max(1, Math.ceil(target.ringTimeoutMs / 1000));
    const transfer: TransferState = { legId, bridgeId, created: false, inStasis: false, dialling: false, timeoutSec, guard: undefined, decided: false, answered: false, returns: target.returns === true };
    this.transferState = transfer;
    this.host.trackLeg(legId, this);
    // Asterisk ends the dial at `timeout`; this guard only covers a lost Dial event.
    transfer.guard = this.host.clock.setTimeout(() => this.decideTransfer(transfer, 'noAnswer', 'ring timeout'), target.ringTimeoutMs + 5000);
    const variables: Record<string, string> = {};
    const callerId = target.callerId !== undefined ? cleanValue(target.callerId, 64) : '';
    if (/^\+?[0-9]{1,32}$/.test(callerId)) variables['CALLERID(num)'] = callerId;
    void (async () => {
      const { rest } = this.host;
      await this.afterVariables();
      const created = await rest.request('POST', '/channels/create', {
        endpoint: target.endpoint,
        app: this.host.app,
        // A later process reads `returns` back from the leg's arguments (see found-transfers.ts).
        appArgs: transfer.returns ? `${DIAL_LEG_ARG},${RETURNS_ARG}` : DIAL_LEG_ARG,
        channelId: legId,
        originator: this.id,
      }, { variables });
      if (!ok(created)) return this.decideTransfer(transfer, 'failed', created.error ?? `ARI answered ${created.status} to create`);
      void rest.request('POST', `/channels/${seg(this.id)}/ring`);
      transfer.created = true;
      this.dialWhenReady(transfer);
    })();
  }

  /**
   * Takes over the transfer a previous process started (see `findTransfers`), before the runtime resumes the call.
   * A conversation stays bridged; an agent who left while no engine listened ends it now; an answered leg is
   * bridged; a department still ringing is hung up and reported `failed` (the ring timeout died with the process,
   * so the flow's `failed` branch decides, usually the queue).
   */
  resumeTransfer(found: FoundTransfer): void {
    this.transferCount = Math.max(this.transferCount, found.n);
    const { legId, bridgeId, returns } = found;
    if (found.phase === 'ringing') {
      void this.host.rest.request('DELETE', `/channels/${seg(legId)}`);
      void this.host.rest.request('DELETE', `/channels/${seg(this.id)}/ring`);
      this.emit({ type: 'transfer.result', outcome: 'failed', reason: 'the engine restarted while the department was ringing' });
      return;
    }
    const talking = found.phase !== 'answered';
    this.transferState = { legId, bridgeId, created: true, inStasis: true, dialling: true, timeoutSec: 0, guard: undefined, decided: talking, answered: talking, returns };
    this.host.trackLeg(legId, this);
    if (found.phase === 'answered') this.legAnswered(legId);
    else if (found.phase === 'agent-left') this.legEnded(legId, undefined, undefined);
  }

  /** The dial leg's StasisStart: Asterisk answers 409 to a dial before the leg is inside the app. */
  legStarted(legId: string): void {
    const transfer = this.transferState;
    if (!transfer || transfer.legId !== legId) return;
    transfer.inStasis = true;
    this.dialWhenReady(transfer);
  }

  private dialWhenReady(transfer: TransferState): void {
    if (!transfer.created || !transfer.inStasis || transfer.dialling || transfer.decided) return;
    transfer.dialling = true;
    void this.host.rest.request('POST', `/channels/${seg(transfer.legId)}/dial`, { caller: this.id, timeout: transfer.timeoutSec }).then((res) => {
      if (!ok(res)) this.decideTransfer(transfer, 'failed', res.error ?? `ARI answered ${res.status} to dial`);
    });
  }

  /** The dial leg answered: bridge it to the caller. */
  legAnswered(legId: string): void {
    const transfer = this.transferState;
    // Both `Dial` (ANSWER) and `ChannelStateChange` (Up) announce the answer; bridge once.
    if (!transfer || transfer.legId !== legId || transfer.decided || transfer.answered) return;
    transfer.answered = true;
    void (async () => {
      const { rest } = this.host;
      void rest.request('DELETE', `/channels/${seg(this.id)}/ring`);
      const name = transfer.returns ? RETURNING_TRANSFER_BRIDGE : TRANSFER_BRIDGE;
      const bridge = await rest.request('POST', '/bridges', { type: 'mixing', bridgeId: transfer.bridgeId, name });
      const added = ok(bridge) ? await rest.request('POST', `/bridges/${seg(transfer.bridgeId)}/addChannel`, { channel: `${this.id},${legId}` }) : bridge;
      if (!ok(added)) {
        void rest.request('DELETE', `/channels/${seg(legId)}`);
        if (ok(bridge)) void rest.request('DELETE', `/bridges/${seg(transfer.bridgeId)}`);
        this.decideTransfer(transfer, 'failed', added.error ?? `ARI answered ${added.status} to bridge`);
        return;
      }
      this.decideTransfer(transfer, 'answered');
    })();
  }

  /** The dial leg ended (Dial status or hangup). Before an answer this decides the outcome; after, it ends the call. */
  legEnded(legId: string, dialstatus: string | undefined, cause: number | undefined): void {
    const transfer = this.transferState;
    if (!transfer || transfer.legId !== legId) return;
    if (transfer.answered) {
      if (transfer.decided && dialstatus === undefined) {
        // A second report of the same leg (hangup request, then destroyed) finds no transfer and is ignored.
        this.transferState = undefined;
        void this.host.rest.request('DELETE', `/bridges/${seg(transfer.bridgeId)}`);
        // The agent hung up after the bridge: without `returns` the transferred call is over.
        if (!transfer.returns) return this.hangup('transfer ended');
        const handOver = this.handOverAfterBridge;
        if (handOver) {
          this.handOverAfterBridge = undefined;
          this.continueTo(handOver.context, handOver.extension, handOver.priority, (success, reason) => {
            if (success) return;
            this.host.log.error({ callId: this.id, code: 'ARI_HANDOVER_FAILED', reason }, 'could not hand the call over after the department hung up; hanging up');
            this.hangup('hand-over failed');
          });
          return;
        }
        // The caller is still in Stasis and the flow takes them back.
        this.emit({ type: 'transfer.ended', reason: cause !== undefined ? `hangup cause ${cause}` : 'the agent hung up' });
      }
      return;
    }
    const outcome = transferOutcome(dialstatus, cause);
    if (outcome === 'answered') return; // Answer comes through legAnswered.
    this.decideTransfer(transfer, outcome, dialstatus ? `dial status ${dialstatus}` : `hangup cause ${cause ?? 'unknown'}`);
  }

  private decideTransfer(transfer: TransferState, outcome: TransferOutcome, reason?: string): void {
    if (transfer.decided) return;
    transfer.decided = true;
    if (transfer.guard !== undefined) this.host.clock.clearTimeout(transfer.guard);
    if (outcome !== 'answered') {
      transfer.answered = false;
      void this.host.rest.request('DELETE', `/channels/${seg(this.id)}/ring`);
      void this.host.rest.request('DELETE', `/channels/${seg(transfer.legId)}`);
    }
    this.emit({ type: 'transfer.result', outcome, ...(reason ? { reason } : {}) });
  }

  enqueue(target: QueueTarget): void {
    if (this.state !== 'live') return;
    if (!isQueueName(target.queue)) {
      this.host.log.warn({ callId: this.id, code: 'ARI_QUEUE_NAME', queue: cleanValue(target.queue, 64) }, 'queue name refused; sending the call to the queue context anyway');
    } else {
      this.setVariables({ TOUCHTONE_QUEUE: target.queue });
    }
    const context = target.context ?? this.host.queueContext;
    this.continueTo(context, 's', 1, (success, reason) => {
      if (!success) {
        this.host.log.error({ callId: this.id, code: 'ARI_ENQUEUE_FAILED', reason }, 'could not hand the call to the queue context; hanging up');
        this.hangup('enqueue failed');
      }
    });
  }

  record(recordingId: string, options: RecordOptions): void {
    if (this.state !== 'live') return;
    if (!isSoundName(options.name)) {
      this.emit({ type: 'recording.finished', recordingId, outcome: 'failed', durationMs: 0, reason: 'invalid recording name' });
      return;
    }
    this.recordings.set(options.name, recordingId);
    this.host.trackRecording(options.name, this);
    void this.host.rest
      .request('POST', `/channels/${seg(this.id)}/record`, {
        name: options.name,
        format: 'wav',
        maxDurationSeconds: Math.max(0, Math.round(options.maxDurationMs / 1000)),
        maxSilenceSeconds: Math.max(0, Math.round(options.maxSilenceMs / 1000)),
        ifExists: 'fail',
        beep: options.beep,
        terminateOn: options.terminator === 'none' ? 'none' : options.terminator,
      })
      .then((res) => {
        if (!ok(res)) this.recordingEnded(options.name, 'failed', 0, res.error ?? `ARI answered ${res.status}`);
      });
  }

  hangup(reason: string): void {
    if (this.state === 'gone') return;
    this.host.log.info({ callId: this.id, reason: cleanValue(reason, 80) }, 'hanging up');
    void this.send('hangup', 'DELETE', `/channels/${seg(this.id)}`, { reason: 'normal' });
  }

  // ——— events from the adapter ———

  playbackStarted(ariId: string): void {
    const playbackId = this.byAri.get(ariId);
    const state = playbackId !== undefined ? this.playbacks.get(playbackId) : undefined;
    if (!state || state.started) return;
    state.started = true;
    this.ownPlaybackStarted = true;
    if (state.startTimer !== undefined) this.host.clock.clearTimeout(state.startTimer);
    state.startTimer = undefined;
    this.emit({ type: 'playback.started', playbackId: playbackId! });
  }

  /** `PlaybackFinished` (by Asterisk's id): `done` is finished unless we stopped it; `failed` is failed. */
  playbackEnded(ariId: string, ariState: string | undefined): void {
    const playbackId = this.byAri.get(ariId);
    const state = playbackId !== undefined ? this.playbacks.get(playbackId) : undefined;
    if (!state || playbackId === undefined) return;
    let outcome: PlaybackOutcome = 'finished';
    if (ariState === 'failed') outcome = 'failed';
    else if (state.stopRequested || ariState === 'stopped' || ariState === 'canceled') outcome = 'stopped';
    this.endPlayback(playbackId, outcome, ariState === 'failed' ? 'Asterisk could not play the media' : undefined);
  }

  recordingEnded(name: string, outcome: 'finished' | 'failed', durationMs: number, reason?: string): void {
    const recordingId = this.recordings.get(name);
    if (recordingId === undefined) return;
    this.recordings.delete(name);
    this.emit({ type: 'recording.finished', recordingId, outcome, durationMs, ...(reason ? { reason } : {}) });
  }

  key(digit: PortEvent & { type: 'key' }): void {
    if (this.state !== 'live') return;
    this.emit(digit);
  }

  /** The channel is hanging up or gone. Ends everything; exactly one `hangup` reaches the runtime. */
  hungUp(cause?: string): void {
    this.goneWith({ type: 'hangup', ...(cause !== undefined ? { cause } : {}) });
  }

  /** The adapter sent the call to its safe destination itself: the runtime hears `handed-over` instead of a hangup. */
  handedOver(context: string, reason: string): void {
    this.goneWith({ type: 'handed-over', context, reason });
  }

  /** Ends everything; `last` is the runtime's final event, unless the call had already left for the dialplan. */
  private goneWith(last: PortEvent & { type: 'hangup' | 'handed-over' }): void {
    if (this.state === 'gone') return;
    // A caller who hangs up while a `continue` awaits its answer: Asterisk will refuse it, and the runtime must hear
    // the hangup, not a failed hand-over on a dead channel.
    const tell = this.state === 'live' || this.continuing;
    this.state = 'gone';
    this.continuing = false;
    this.cleanup();
    if (tell) this.deliverOrQueue(last);
  }

  /** `StasisEnd`: the channel left our app (a hand-off we made, or someone else moved it). */
  leftApp(): void {
    if (this.state === 'left') {
      this.state = 'gone';
      this.cleanup();
      return;
    }
    this.hungUp('left-stasis');
  }

  private cleanup(): void {
    for (const [id, state] of this.playbacks) {
      if (state.startTimer !== undefined) this.host.clock.clearTimeout(state.startTimer);
      this.playbacks.delete(id);
    }
    this.byAri.clear();
    if (this.transferState?.guard !== undefined) this.host.clock.clearTimeout(this.transferState.guard);
    if (this.transferState && !this.transferState.answered && !this.transferState.decided) {
      void this.host.rest.request('DELETE', `/channels/${seg(this.transferState.legId)}`);
    }
    if (this.transferState?.answered) {
      // In a Stasis bridge the agent stays on the line when the caller leaves: end both.
      void this.host.rest.request('DELETE', `/channels/${seg(this.transferState.legId)}`);
      void this.host.rest.request('DELETE', `/bridges/${seg(this.transferState.bridgeId)}`);
    }
    this.recordings.clear();
    this.host.untrack(this);
  }

  private endPlayback(playbackId: string, outcome: PlaybackOutcome, reason?: string): void {
    const state = this.playbacks.get(playbackId);
    if (!state) return;
    if (state.startTimer !== undefined) this.host.clock.clearTimeout(state.startTimer);
    this.playbacks.delete(playbackId);
    this.byAri.delete(state.ariId);
    this.emit({ type: 'playback.finished', playbackId, outcome, ...(reason ? { reason } : {}) });
  }

  private continueTo(context: string, extension: string, priority: number, done: (success: boolean, reason?: string) => void): void {
    if (!isDialplanName(context) || !isDialplanName(extension) || !Number.isInteger(priority) || priority < 1) {
      done(false, `dialplan target \`${cleanValue(context, 40)},${cleanValue(extension, 40)},${priority}\` is not valid`);
      return;
    }
    this.state = 'left';
    this.continuing = true;
    void this.afterVariables()
      .then(() => this.host.rest.request('POST', `/channels/${seg(this.id)}/continue`, { context, extension, priority }))
      .then((res) => {
        // Hung up meanwhile: the runtime heard the hangup, and nothing more belongs to it.
        if (!this.continuing) return;
        this.continuing = false;
        if (ok(res)) return done(true);
        if (this.state === 'left') this.state = 'live';
        done(false, res.error ?? `ARI answered ${res.status} to continue`);
      });
  }

  private send(what: string, method: 'POST' | 'DELETE', path: string, query?: Record<string, string | number | boolean>): Promise<void> {
    return this.host.rest.request(method, path, query).then((res) => {
      if (!ok(res) && res.status !== 404) {
        this.host.log.warn({ callId: this.id, code: 'ARI_REQUEST_FAILED', status: res.status, error: res.error }, `ARI ${what} failed`);
      }
    });
  }

  private emit(event: PortEvent): void {
    if (this.state === 'gone') return;
    this.deliverOrQueue(event);
  }

  /**
   * Delivery is deferred by a microtask so that a command that fails at once never re-enters the runtime. Before
   * the runtime listens there is nothing to re-enter: events are held at once, so what the adapter found on a call
   * taken back (a department that hung up meanwhile) reaches the flow before anything it does on resuming.
   */
  private deliverOrQueue(event: PortEvent): void {
    if (this.listener) queueMicrotask(() => this.deliverNow(event));
    else this.deliverNow(event);
  }

  private deliverNow(event: PortEvent): void {
    if (this.listener) this.deliver(event);
    else if (this.pending.length < 256) this.pending.push(event);
  }

  private deliver(event: PortEvent): void {
    try {
      this.listener?.(event);
    } catch (err) {
      // A throwing listener must not take the websocket reader (and every other call) down with it.
      this.host.log.error({ callId: this.id, code: 'ARI_LISTENER_THREW', error: err instanceof Error ? err.message : String(err) }, 'call event listener threw');
    }
  }
}
