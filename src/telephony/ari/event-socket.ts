/**
 * The ARI event websocket, kept alive forever: capped exponential backoff with jitter between attempts, and a
 * ping every `pingIntervalMs` so a dead peer (a half-open TCP connection, a hung Asterisk) is noticed within
 * `pingIntervalMs + pongTimeoutMs`. `ari-client` gives up after 10 attempts and never pings; a phone line can't.
 *
 * Never `subscribeAll=true`: asterisk/asterisk#2170 deadlocks Asterisk when such an app disconnects.
 */
import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../../runtime/clock.js';
import { parseAriFrame, type AriEvent } from './ari-types.js';

export interface EventSocketOptions {
  /** `ws://host:8088/ari/events` (no credentials). */
  url: URL;
  app: string;
  authorization: string;
  clock: Clock;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Deadline for the websocket handshake. */
  connectTimeoutMs: number;
  random?: () => number;
}

export interface EventSocketHandlers {
  open(): void;
  event(event: AriEvent): void;
  /** The socket closed or could not open; a reconnect is scheduled. */
  down(reason: string): void;
}

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped, with ±25 % jitter. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.75 + random() * 0.5));
}

/** One logical event connection that reconnects on its own until `stop()`. */
export class EventSocket {
  private ws: WebSocket | undefined;
  private stopped = true;
  private attempt = 0;
  private retryTimer: TimerHandle | undefined;
  private pingTimer: TimerHandle | undefined;
  private pongTimer: TimerHandle | undefined;
  private connectTimer: TimerHandle | undefined;
  private isOpen = false;

  constructor(
    private readonly options: EventSocketOptions,
    private readonly handlers: EventSocketHandlers,
  ) {}

  get connected(): boolean {
    return this.isOpen;
  }

  /** Sends one text frame (a `RESTRequest`); false when the socket is not open. */
  send(frame: string): boolean {
    if (!this.ws || !this.isOpen || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(frame);
    return true;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = undefined;
    this.isOpen = false;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
    }
  }

  /**
   * Drops the current socket and reconnects. `slow` waits the longest backoff first: after `ApplicationReplaced`
   * two instances must not steal the app from each other in a tight loop.
   */
  recycle(reason: string, slow = false): void {
    if (this.stopped) return;
    if (slow) this.attempt = 30;
    this.teardown(reason);
  }

  private connect(): void {
    const { clock } = this.options;
    const url = new URL(this.options.url.href);
    url.searchParams.set('app', this.options.app);
    const ws = new WebSocket(url, {
      headers: { authorization: this.options.authorization },
      handshakeTimeout: this.options.connectTimeoutMs,
      perMessageDeflate: false,
    });
    this.ws = ws;
    this.connectTimer = clock.setTimeout(() => this.teardown('websocket handshake timed out'), this.options.connectTimeoutMs);
    ws.on('open', () => {
      clock.clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
      this.attempt = 0;
      this.isOpen = true;
      this.schedulePing();
      this.handlers.open();
    });
    ws.on('message', (data) => {
      this.alive();
      const event = parseAriFrame(data);
      if (event) this.handlers.event(event);
    });
    ws.on('pong', () => this.alive());
    ws.on('unexpected-response', (_req, res) => {
      this.teardown(`websocket upgrade refused with HTTP ${res.statusCode ?? 0}`);
    });
    ws.on('error', (err) => this.teardown(`websocket error: ${err.message}`));
    ws.on('close', (code, reason) => this.teardown(`websocket closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`));
  }

  private alive(): void {
    if (this.pongTimer !== undefined) {
      this.options.clock.clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
    }
  }

  private schedulePing(): void {
    const { clock } = this.options;
    this.pingTimer = clock.setTimeout(() => {
      this.pingTimer = undefined;
      if (!this.ws || !this.isOpen) return;
      try {
        this.ws.ping();
      } catch {
        this.teardown('websocket ping failed');
        return;
      }
      if (this.pongTimer === undefined) {
        this.pongTimer = clock.setTimeout(() => this.teardown('no pong from Asterisk'), this.options.pongTimeoutMs);
      }
      this.schedulePing();
    }, this.options.pingIntervalMs);
  }

  private clearTimers(): void {
    const { clock } = this.options;
    for (const timer of [this.retryTimer, this.pingTimer, this.pongTimer, this.connectTimer]) {
      if (timer !== undefined) clock.clearTimeout(timer);
    }
    this.retryTimer = this.pingTimer = this.pongTimer = this.connectTimer = undefined;
  }

  private teardown(reason: string): void {
    const ws = this.ws;
    if (!ws) return; // Already torn down for this attempt.
    this.ws = undefined;
    this.isOpen = false;
    this.clearTimers();
    ws.removeAllListeners();
    ws.on('error', () => undefined);
    ws.terminate();
    if (this.stopped) return;
    this.handlers.down(reason);
    const delay = backoffDelay(this.attempt, this.options.backoffInitialMs, this.options.backoffMaxMs, this.options.random);
    this.attempt += 1;
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) this.connect();
    }, delay);
  }
}
