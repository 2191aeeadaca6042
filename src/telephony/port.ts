/**
 * The telephony port: the only way the runtime talks to a phone line.
 *
 * Two adapters implement it: `telephony/ari` (Asterisk REST Interface) and `telephony/simulator` (an in-memory phone
 * on a virtual clock); the server's browser phone wraps the simulator. `telephony/ami` sits beside them and answers
 * only queue-status questions. The runtime never knows which line it drives.
 *
 * Commands are fire-and-forget method calls. Their results come back later as `PortEvent`s, as *values*
 * (`finished | stopped | failed` …), never as exceptions: a line can always fail, and the flow branches on it.
 * Ids (playback, recording) are chosen by the caller of the command, so the state machine knows them at once;
 * ARI supports this (`POST /channels/{id}/play/{playbackId}`).
 */
import type { Digit } from '../flow/types.js';

/** What is known about a call when it arrives. All strings come from the network: treat them as hostile. */
export interface CallFacts {
  /** Unique id of the call (for ARI: the channel id). */
  readonly callId: string;
  /** Channel name, for example `PJSIP/alice-00000001`. */
  readonly channel: string;
  /** Caller number (CALLERID(num)); may be empty. */
  readonly caller: string;
  readonly callerName?: string;
  /** Dialled number (the extension that reached `Stasis()`). */
  readonly dialled: string;
  /** Channel language, for example `en`. */
  readonly language?: string;
  /** Flow requested by the dialplan (`Stasis(touchtone,<flow>)`), if any. */
  readonly flow?: string;
  /** Other `key=value` arguments from `Stasis(touchtone,<flow>,key=value…)`. */
  readonly args: Readonly<Record<string, string>>;
}

/**
 * One item of audio. `text` is what it says, for the simulator, the dashboard and logs. `prompt` is the flow's
 * prompt name when the item came from `prompts:` (tests assert on it).
 */
export type Media =
  | { kind: 'sound'; name: string; text?: string; durationMs?: number; prompt?: string }
  | { kind: 'number'; value: string; text?: string }
  | { kind: 'digits'; value: string; text?: string }
  | { kind: 'characters'; value: string; text?: string }
  | { kind: 'recording'; name: string; text?: string }
  | { kind: 'silence'; durationMs: number; text?: string };

export type PlaybackOutcome = 'finished' | 'stopped' | 'failed';
export type TransferOutcome = 'answered' | 'busy' | 'noAnswer' | 'failed';
export type RecordingOutcome = 'finished' | 'failed';

/** Where a department transfer goes, resolved from the flow's `departments` (never from caller input). */
export type DepartmentTarget =
  | {
      kind: 'dial';
      endpoint: string;
      ringTimeoutMs: number;
      callerId?: string;
      /**
       * The flow takes the caller back when the department hangs up (the step has an `answered` branch): the port
       * then ends the bridge and reports `transfer.ended` instead of hanging the caller up.
       */
      returns?: boolean;
    }
  | { kind: 'dialplan'; context: string; extension: string; priority: number };

export interface QueueTarget {
  /** Asterisk queue name. */
  queue: string;
  /** Dialplan context that runs `Queue()`; the adapter hands the channel there. */
  context?: string;
}

export interface RecordOptions {
  /** Recording name (file name without extension); chosen by the runtime, never from caller input. */
  name: string;
  maxDurationMs: number;
  maxSilenceMs: number;
  beep: boolean;
  terminator: Digit | 'none';
}

export type PortEvent =
  | { type: 'key'; digit: Digit }
  | { type: 'playback.started'; playbackId: string }
  | { type: 'playback.finished'; playbackId: string; outcome: PlaybackOutcome; reason?: string }
  | { type: 'recording.finished'; recordingId: string; outcome: RecordingOutcome; durationMs: number; reason?: string }
  | { type: 'transfer.result'; outcome: TransferOutcome; reason?: string }
  /** A bridged transfer that `returns` is over: the department left, the caller is still on the line. */
  | { type: 'transfer.ended'; reason?: string }
  | { type: 'hangup'; cause?: string }
  /** The telephony side handed the call to a dialplan context itself (the ARI adapter's safe destination, when its
   *  event socket stayed down past the orphan limit): the flow's part is over. Like `hangup`, nothing follows. */
  | { type: 'handed-over'; context: string; reason: string };

export type PortEventListener = (event: PortEvent) => void;

/** One live call, as the runtime sees it. */
export interface CallPort {
  readonly facts: CallFacts;
  /** Registers the single listener for this call's events. Events after `hangup` are not delivered. */
  onEvent(listener: PortEventListener): void;
  answer(): void;
  /** Plays the media in order as one playback. Ends with `playback.finished`. */
  play(playbackId: string, media: readonly Media[]): void;
  /** Stops a playback (barge-in). Ends it with `playback.finished` / `stopped`; no-op if it already ended. */
  stopPlayback(playbackId: string): void;
  /** Music on hold, for slow lookups and while waiting. */
  startMusicOnHold(mohClass?: string): void;
  stopMusicOnHold(): void;
  /** Sets channel variables (names are `TOUCHTONE_*`, validated by the runtime). */
  setVariables(vars: Readonly<Record<string, string>>): void;
  /** Dials a department and bridges it to the caller. Ends with `transfer.result`. For `dialplan` targets, the
   *  call leaves Stasis at once and the result is `answered` when the hand-off succeeded. A `dial` target that
   *  `returns` stays bridged after `answered` until the department hangs up, then `transfer.ended` follows. */
  transfer(target: DepartmentTarget): void;
  /** Hands the call to the dialplan context that queues it. The call leaves the flow. */
  enqueue(target: QueueTarget): void;
  /** Records the caller. Ends with `recording.finished`. */
  record(recordingId: string, options: RecordOptions): void;
  hangup(reason: string): void;
}

/** An adapter that produces calls: ARI or the simulator. */
export interface TelephonyAdapter {
  readonly name: string;
  /** Called for every new call that enters the app. */
  onCall(handler: (call: CallPort) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}
