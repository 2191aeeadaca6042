/**
 * A small typed AMI client: one TCP connection, login, actions matched to answers by ActionID, event lists
 * collected until their `EventList: Complete`, a timeout on every action and on the handshake, and reconnects
 * with capped exponential backoff.
 *
 * Why not `asterisk-manager` (the npm package): version 0.2.0 leaves an action's callback waiting forever when the
 * connection drops or the answer never comes, keeps actions sent while logged out in an unbounded queue and replays
 * them later, retries a failed login silently, reconnects on a fixed 10 s → 60 s schedule while writing to
 * stdout with `console.log`, writes header values unchecked (a CR/LF in a value starts a new header), and grows its
 * line buffer without bound. Each of those breaks a requirement here, so this module speaks the protocol itself
 * (see docs/asterisk-queues-callbacks.md).
 */
import { createConnection, type Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../runtime/clock.js';
import { systemClock } from '../../runtime/clock.js';
import type { Logger } from '../../runtime/services.js';
import { AmiFramer, AmiHeaderError, encodeAction, type AmiMessage } from './protocol.js';

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  /** Bound on every action, and on banner + login after a connect. */
  timeoutMs: number;
  logger: Logger;
  /** Timers (timeouts, backoff) run on this clock; tests pass a VirtualClock. */
  clock?: Clock;
  /** Reconnect delays: `initialMs` doubling up to `maxMs`. Defaults 500 ms and 30 s. */
  backoff?: { initialMs?: number; maxMs?: number };
}

/** The answer to an action, as a value. */
export type AmiResult =
  | { ok: true; response: AmiMessage; events: AmiMessage[] }
  | { ok: false; code: AmiFailureCode; message: string };

export type AmiFailureCode = 'ami-down' | 'ami-timeout' | 'ami-error' | 'ami-aborted' | 'ami-bad-header' | 'ami-protocol';

/** What readiness shows. */
export interface AmiHealth {
  connected: boolean;
  lastError?: string;
}

type State = 'connecting' | 'login' | 'ready' | 'waiting' | 'closed';

interface Pending {
  resolve(result: AmiResult): void;
  response?: AmiMessage;
  events: AmiMessage[];
}

/** More list items than any queue status needs; beyond it the answer is treated as broken. */
const MAX_LIST_EVENTS = 10_000;
/** Actions that time out in a row before we assume a half-open connection and reconnect. */
const TIMEOUTS_BEFORE_RECONNECT = 2;

/**
 * Connects at once and keeps reconnecting until `close()`. Actions sent while not logged in fail at once with
 * `ami-down` rather than wait: callers (the queue step) want a fast "unknown", not a queue of stale questions.
 *
 * @example
 *   const ami = new AmiClient({ host: '127.0.0.1', port: 5038, username: 'touchtone', secret, timeoutMs: 2000, logger });
 *   const result = await ami.action({ Action: 'QueueSummary', Queue: 'support' });
 */
export class AmiClient {
  private readonly clock: Clock;
  private readonly initialDelay: number;
  private readonly maxDelay: number;
  private state: State = 'connecting';
  private socket: Socket | undefined;
  private framer = new AmiFramer();
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private failures = 0;
  private timeoutsInRow = 0;
  private handshakeTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private loginId: string | undefined;
  private lastError: string | undefined;
  private closedPromise: Promise<void> = Promise.resolve();

  constructor(private readonly options: AmiClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.initialDelay = Math.max(1, options.backoff?.initialMs ?? 500);
    this.maxDelay = Math.max(this.initialDelay, options.backoff?.maxMs ?? 30_000);
    // Fail at construction on credentials that could never be sent, rather than retrying them for ever.
    encodeAction({ Action: 'Login', Username: options.username, Secret: options.secret });
    this.connect();
  }

  /** Whether we are logged in, and the last failure seen (connect, login, protocol or timeout). */
  health(): AmiHealth {
    return this.lastError === undefined ? { connected: this.state === 'ready' } : { connected: this.state === 'ready', lastError: this.lastError };
  }

  /**
   * Sends an action and resolves with its response and, for list actions, the events up to `EventList: Complete`.
   * Never rejects. `ActionID` is set here.
   */
  action(fields: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<AmiResult> {
    if (signal?.aborted) return Promise.resolve(fail('ami-aborted', 'The AMI action was cancelled before it was sent.'));
    if (this.state !== 'ready' || !this.socket) {
      return Promise.resolve(fail('ami-down', `AMI at \`${this.address()}\` is not connected${this.lastError ? `: ${this.lastError}` : ''}.`));
    }
    const actionId = `tt-${this.nextId++}`;
    let bytes: string;
    try {
      bytes = encodeAction({ ...fields, ActionID: actionId });
    } catch (error) {
      if (error instanceof AmiHeaderError) return Promise.resolve(fail('ami-bad-header', error.message));
      throw error;
    }
    return new Promise<AmiResult>((resolve) => {
      const done = (result: AmiResult): void => {
        if (!this.pending.delete(actionId)) return;
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const onAbort = (): void => done(fail('ami-aborted', `AMI action \`${fields.Action ?? '?'}\` was cancelled.`));
      const timer = this.clock.setTimeout(() => {
        done(fail('ami-timeout', `AMI did not answer \`${fields.Action ?? '?'}\` within ${this.options.timeoutMs} ms.`));
        this.noteTimeout();
      }, this.options.timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(actionId, { resolve: done, events: [] });
      this.socket!.write(bytes);
    });
  }

  /** Stops reconnecting, fails pending actions with `ami-down`, and closes the socket. */
  close(): Promise<void> {
    if (this.state === 'closed') return this.closedPromise;
    this.state = 'closed';
    this.clearTimer('retryTimer');
    this.clearTimer('handshakeTimer');
    this.failPending('The AMI client was closed.');
    const socket = this.socket;
    this.socket = undefined;
    this.closedPromise = socket && !socket.destroyed ? new Promise<void>((resolve) => socket.once('close', () => resolve())) : Promise.resolve();
    socket?.destroy();
    return this.closedPromise;
  }

  private address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  private connect(): void {
    this.state = 'connecting';
    this.framer = new AmiFramer();
    this.loginId = undefined;
    const socket = createConnection({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    // An AMI that accepts TCP but never greets or never answers the login must not hold us "connecting" for ever.
    this.handshakeTimer = this.clock.setTimeout(() => {
      this.handshakeTimer = undefined;
      this.dropConnection(socket, `AMI at \`${this.address()}\` did not complete the login within ${this.options.timeoutMs} ms`);
    }, this.options.timeoutMs);
    socket.on('data', (chunk: string) => this.onData(socket, chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (socket === this.socket) this.lastError = `cannot reach AMI at \`${this.address()}\`: ${error.code ?? error.message}`;
    });
    socket.on('close', () => this.onClose(socket));
  }

  private onData(socket: Socket, chunk: string): void {
    if (socket !== this.socket) return;
    let frames;
    try {
      frames = this.framer.push(chunk);
    } catch (error) {
      this.dropConnection(socket, error instanceof Error ? error.message : String(error));
      return;
    }
    for (const frame of frames) {
      if (frame.kind === 'banner') this.sendLogin(socket);
      else if (this.state === 'login') this.onLoginAnswer(socket, frame.message);
      else if (this.state === 'ready') this.route(frame.message);
    }
  }

  private sendLogin(socket: Socket): void {
    if (this.state !== 'connecting') return;
    this.state = 'login';
    this.loginId = `tt-login-${this.nextId++}`;
    // `Events: off`: we only ask questions; unsolicited events would be parsed and thrown away.
    socket.write(encodeAction({ Action: 'Login', ActionID: this.loginId, Username: this.options.username, Secret: this.options.secret, Events: 'off' }));
  }

  private onLoginAnswer(socket: Socket, message: AmiMessage): void {
    if (message.actionid !== this.loginId || message.response === undefined) return;
    if (message.response.toLowerCase() !== 'success') {
      this.dropConnection(socket, `AMI login as \`${this.options.username}\` failed: ${message.message ?? 'no reason given'}; check the user and secret in manager.conf and TOUCHTONE_AMI_USER/TOUCHTONE_AMI_SECRET`);
      return;
    }
    this.clearTimer('handshakeTimer');
    this.state = 'ready';
    this.failures = 0;
    this.timeoutsInRow = 0;
    this.lastError = undefined;
    this.options.logger.info({ ami: this.address() }, 'AMI connected');
  }

  private route(message: AmiMessage): void {
    const id = message.actionid;
    const pending = id === undefined ? undefined : this.pending.get(id);
    if (!pending) return;
    this.timeoutsInRow = 0;
    const list = message.eventlist?.toLowerCase();
    if (message.response !== undefined) {
      if (message.response.toLowerCase() === 'error') pending.resolve(fail('ami-error', `AMI answered an error: ${message.message ?? 'no reason given'}.`));
      else if (list === 'start') pending.response = message;
      else pending.resolve({ ok: true, response: message, events: [] });
      return;
    }
    if (message.event === undefined) return;
    if (list === 'complete') {
      pending.resolve({ ok: true, response: pending.response ?? message, events: pending.events });
    } else if (pending.events.push(message) > MAX_LIST_EVENTS) {
      pending.resolve(fail('ami-protocol', `AMI sent more than ${MAX_LIST_EVENTS} list events for one action.`));
    }
  }

  private noteTimeout(): void {
    this.timeoutsInRow++;
    if (this.timeoutsInRow >= TIMEOUTS_BEFORE_RECONNECT && this.socket) {
      this.dropConnection(this.socket, `AMI stopped answering (${this.timeoutsInRow} actions timed out in a row)`);
    }
  }

  private dropConnection(socket: Socket, reason: string): void {
    if (socket !== this.socket) return;
    this.lastError = reason;
    this.options.logger.warn({ ami: this.address(), reason }, 'AMI connection dropped');
    socket.destroy();
    // `close` follows and schedules the reconnect.
  }

  private onClose(socket: Socket): void {
    if (socket !== this.socket || this.state === 'closed') return;
    this.socket = undefined;
    this.clearTimer('handshakeTimer');
    if (this.state === 'ready' && this.lastError === undefined) this.lastError = `AMI at \`${this.address()}\` closed the connection`;
    this.failPending(`AMI at \`${this.address()}\` disconnected.`);
    this.state = 'waiting';
    const delay = Math.min(this.maxDelay, this.initialDelay * 2 ** Math.min(this.failures, 30));
    this.failures++;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state === 'waiting') this.connect();
    }, delay);
  }

  private failPending(message: string): void {
    for (const pending of [...this.pending.values()]) pending.resolve(fail('ami-down', message));
  }

  private clearTimer(name: 'retryTimer' | 'handshakeTimer'): void {
    const handle = this[name];
    if (handle !== undefined) this.clock.clearTimeout(handle);
    this[name] = undefined;
  }
}

function fail(code: AmiFailureCode, message: string): AmiResult {
  return { ok: false, code, message };
}
