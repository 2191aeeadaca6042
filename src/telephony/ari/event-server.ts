/**
 * The other direction (Asterisk 20.15+, 21.10+, 22.5+): Asterisk opens the ARI event websocket to us
 * (`websocket_client.conf` + an `outbound_websocket` in `ari.conf`) and reconnects on its own. We listen on
 * loopback, check its Basic credentials, and feed its events to the adapter exactly as the outbound socket does.
 * Prompts and their stops go over this socket too once Asterisk has answered a request on it; every other request
 * goes to Asterisk's HTTP server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../runtime/clock.js';
import { parseAriFrame } from './ari-types.js';
import type { EventSocketHandlers } from './event-socket.js';

export interface InboundSocketOptions {
  /** Address to listen on (default `127.0.0.1`). */
  host?: string;
  /** Port to listen on; 0 picks a free one (see `address`). */
  port: number;
  /** Path Asterisk's `uri` points at (default `/ari/events`). */
  path?: string;
  /** The `username` / `password` of the `websocket_client.conf` entry. */
  username: string;
  password: string;
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Accepts Asterisk's event websocket; one connection at a time (a new one replaces the old). */
export class InboundEventServer {
  private server: http.Server | undefined;
  private wss: WebSocketServer | undefined;
  private ws: WebSocket | undefined;
  private pingTimer: TimerHandle | undefined;
  private pongTimer: TimerHandle | undefined;
  private readonly expected: string;
  private port = 0;

  constructor(
    private readonly options: InboundSocketOptions,
    private readonly timing: { clock: Clock; pingIntervalMs: number; pongTimeoutMs: number },
    private readonly handlers: EventSocketHandlers,
  ) {
    this.expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  }

  get connected(): boolean {
    return this.ws !== undefined;
  }

  /** Sends one text frame (a `RESTRequest`); false when no connection is open. */
  send(frame: string): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) return false;
    ws.send(frame);
    return true;
  }

  /** The URL Asterisk should be configured with (after `start()`). */
  get address(): string {
    return `ws://${this.options.host ?? '127.0.0.1'}:${this.port}${this.options.path ?? '/ari/events'}`;
  }

  /** Listens; resolves once the port is bound. */
  async listen(): Promise<void> {
    const path = this.options.path ?? '/ari/events';
    const server = http.createServer((_req, res) => res.writeHead(426, { 'content-length': 0 }).end());
    const wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      // Asterisk asks for the `ari` sub-protocol (`protocols = ari` in websocket_client.conf).
      handleProtocols: (protocols) => (protocols.has('ari') ? 'ari' : false),
    });
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://local');
      const refuse = (status: number, text: string): void => {
        socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      };
      if (url.pathname !== path) return refuse(404, 'Not Found');
      if (!same(req.headers.authorization ?? '', this.expected)) return refuse(401, 'Unauthorized');
      wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
    this.server = server;
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        // A server error after listening (rare: resources exhausted) must not crash the process: the socket is down.
        server.on('error', (err) => this.handlers.down(`Asterisk's websocket listener failed: ${err.message}`));
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
  }

  start(): void {
    void this.listen().catch((err: Error) => this.handlers.down(`cannot listen for Asterisk's websocket: ${err.message}`));
  }

  stop(): void {
    this.clearTimers();
    this.ws?.terminate();
    this.ws = undefined;
    this.wss?.close();
    this.server?.close();
  }

  /** Closes the current connection; Asterisk reconnects by itself. */
  recycle(reason: string): void {
    const ws = this.ws;
    if (!ws) return;
    this.drop(ws, reason);
  }

  private accept(ws: WebSocket): void {
    if (this.ws) this.drop(this.ws, 'replaced by a new connection from Asterisk');
    this.ws = ws;
    ws.on('message', (data) => {
      this.alive();
      const event = parseAriFrame(data);
      if (event) this.handlers.event(event);
    });
    ws.on('pong', () => this.alive());
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      if (this.ws === ws) this.drop(ws, `websocket closed (${code})`);
    });
    this.schedulePing();
    this.handlers.open();
  }

  private drop(ws: WebSocket, reason: string): void {
    if (this.ws === ws) {
      this.ws = undefined;
      this.clearTimers();
      this.handlers.down(reason);
    }
    ws.removeAllListeners();
    ws.on('error', () => undefined);
    ws.terminate();
  }

  private alive(): void {
    if (this.pongTimer !== undefined) this.timing.clock.clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }

  private schedulePing(): void {
    const { clock } = this.timing;
    this.pingTimer = clock.setTimeout(() => {
      const ws = this.ws;
      if (!ws) return;
      ws.ping();
      if (this.pongTimer === undefined) this.pongTimer = clock.setTimeout(() => this.drop(ws, 'no pong from Asterisk'), this.timing.pongTimeoutMs);
      this.schedulePing();
    }, this.timing.pingIntervalMs);
  }

  private clearTimers(): void {
    for (const t of [this.pingTimer, this.pongTimer]) if (t !== undefined) this.timing.clock.clearTimeout(t);
    this.pingTimer = this.pongTimer = undefined;
  }
}
