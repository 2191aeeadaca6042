/**
 * A fake Asterisk ARI for tests and benchmarks: HTTP and the event websocket on 127.0.0.1, speaking ARI's JSON
 * shapes (Channel, Playback, LiveRecording, Bridge and the events we use), and serving its own small API
 * description. It models what Touchtone relies on: calls in a Stasis app, per-channel playback queues that DTMF
 * does not stop, dialling with busy / no answer / failure, bridges, recordings, continue-in-dialplan, and event
 * filters. Faults: dropped sockets (with or without a 1011 close), restarts, slow answers, a frozen server that
 * accepts TCP but answers nothing, and a broken API description.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { resourceDescription, resourceListing } from './api-docs.js';

export interface FakeChannel {
  id: string;
  name: string;
  state: 'Down' | 'Ring' | 'Ringing' | 'Up' | 'Busy';
  caller: { name: string; number: string };
  dialplan: { context: string; exten: string; priority: number; app_name: string; app_data: string };
  language: string;
  creationtime: string;
  /** The Stasis app the channel is in, or undefined after it left. */
  app: string | undefined;
  variables: Record<string, string>;
  moh: boolean;
  ringing: boolean;
  /** Playback ids queued on this channel, the first one playing. */
  playQueue: string[];
  /** Set for a leg created by `/channels/create`: the endpoint it will dial. */
  endpoint?: string;
}

export interface FakePlayback {
  id: string;
  channelId: string;
  media: string[];
  state: 'queued' | 'playing' | 'done' | 'failed';
  stopped: boolean;
  timer?: NodeJS.Timeout;
}

export interface FakeBridge {
  id: string;
  name: string;
  channels: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** `process.hrtime.bigint()` when the request arrived. */
  at: bigint;
  /** `websocket` for a `RESTRequest` on the event socket (Asterisk 20.14+, 21.9+, 22.4+). */
  via: 'http' | 'websocket';
}

/** How a request is answered: on its HTTP response, or as a `RESTResponse` on the websocket it came over. */
type Reply = (status: number, body?: unknown) => void;

/** How a dialled endpoint behaves. */
export type EndpointBehaviour = 'answer' | 'busy' | 'noAnswer' | 'fail' | 'congestion';

export interface FakeAriOptions {
  username?: string;
  password?: string;
  /** How long a playback plays (ms); `Infinity` = until stopped or `finishPlayback()`. */
  playbackMs?: number;
  /** Ring time before an `answer` endpoint answers (ms). */
  ringMs?: number;
  /** Real ms per second of a dial `timeout`, so a 25 s ring timeout takes 25 ms. */
  msPerDialSecond?: number;
  /** How long a recording runs (ms). */
  recordMs?: number;
  /** Answer `RESTRequest` frames on the event websocket (default true; see `FakeAri.socketRequests`). */
  socketRequests?: boolean;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** ARI's timestamp format: `2026-01-05T09:00:00.000+0000`. */
export function ariTimestamp(ms: number = Date.now()): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`;
}

const SCHEMES = /^(sound|number|digits|characters|recording|tone):./;

/**
 * The fake server. `await FakeAri.start()`, then point the adapter at `fake.url`.
 *
 * @example
 *   const fake = await FakeAri.start();
 *   const id = fake.placeCall({ caller: '5551234', dialled: '100', args: ['acme-hotline'] });
 *   fake.pressKey(id, '1');
 */
export class FakeAri extends EventEmitter {
  readonly channels = new Map<string, FakeChannel>();
  readonly playbacks = new Map<string, FakePlayback>();
  readonly bridges = new Map<string, FakeBridge>();
  readonly recordings = new Map<string, { name: string; channelId: string; timer?: NodeJS.Timeout }>();
  readonly requests: RecordedRequest[] = [];
  readonly endpoints = new Map<string, EndpointBehaviour>();
  readonly eventFilters = new Map<string, Set<string>>();
  /** Every websocket URL query ever used to connect (tests assert that `subscribeAll` never appears). */
  readonly socketQueries: Array<Record<string, string>> = [];
  /** Counts of websocket connections accepted. */
  connections = 0;

  apiDocs: 'ok' | 'error' | 'garbage' = 'ok';
  responseDelayMs = 0;
  /** A delay for some requests only (Asterisk handles each HTTP request on its own thread, in any order). */
  delayOf: ((request: RecordedRequest) => number) | undefined;
  /** An error status for some requests (an Asterisk too old for them, a module not loaded). */
  statusOf: ((request: RecordedRequest) => number | undefined) | undefined;
  /** Accept connections but answer nothing (a hung Asterisk). */
  frozen = false;
  /** Refuse websocket upgrades with 503 (REST still answers). */
  refuseSockets = false;
  /**
   * Answer `RESTRequest` messages on the event websocket, as Asterisk 20.14+, 21.9+ and 22.4+ do. Off, the fake is
   * an older Asterisk, which reads such frames and ignores them.
   */
  socketRequests = true;
  /** Refuse everything with 503 (Asterisk restarting). */
  restDown = false;
  playbackMs: number;
  ringMs: number;
  msPerDialSecond: number;
  recordMs: number;
  /**
   * Apps Asterisk has deactivated while their socket stays open (an old connection's cleanup unregistering the app
   * by name): their events are dropped. A new connection for the app registers it again.
   */
  readonly inactiveApps = new Set<string>();
  /** Events of these types are lost on the way (a test's way to lose one kind of event, such as the app probe). */
  readonly lostEvents = new Set<string>();
  /** Record every request (off for benchmarks). */
  logRequests = true;

  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Map<string, Set<WebSocket>>();
  private readonly tcp = new Set<Socket>();
  private readonly auth: string;
  private nextId = 1;
  private port = 0;

  private constructor(options: FakeAriOptions) {
    super();
    this.setMaxListeners(0);
    this.auth = `Basic ${Buffer.from(`${options.username ?? 'touchtone'}:${options.password ?? 'secret'}`).toString('base64')}`;
    this.playbackMs = options.playbackMs ?? 10;
    this.ringMs = options.ringMs ?? 5;
    this.msPerDialSecond = options.msPerDialSecond ?? 1;
    this.recordMs = options.recordMs ?? 10;
    this.socketRequests = options.socketRequests ?? true;
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    this.wss = new WebSocketServer({ noServer: true, autoPong: true });
    this.server.on('connection', (socket) => {
      this.tcp.add(socket);
      socket.on('close', () => this.tcp.delete(socket));
    });
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket as Socket, head));
  }

  /** Starts a fake on 127.0.0.1 (a free port unless given). */
  static async start(options: FakeAriOptions & { port?: number } = {}): Promise<FakeAri> {
    const fake = new FakeAri(options);
    await fake.listen(options.port ?? 0);
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Connected event sockets of `app`. */
  socketCount(app = 'touchtone'): number {
    return this.sockets.get(app)?.size ?? 0;
  }

  async close(): Promise<void> {
    this.clearTimers();
    for (const set of this.sockets.values()) for (const ws of set) ws.terminate();
    for (const socket of this.tcp) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ——— driving calls ———

  /**
   * A call arrives in the dialplan and runs `Stasis(app[,args…])`. With no app connected, Stasis fails as in
   * Asterisk (`STASISSTATUS=FAILED`) and the channel is returned with `stasisStatus: 'FAILED'`.
   */
  placeCall(opts: { caller?: string; callerName?: string; dialled?: string; args?: string[]; language?: string; app?: string; id?: string } = {}): { id: string; stasisStatus: 'SUCCESS' | 'FAILED' } {
    const app = opts.app ?? 'touchtone';
    const id = opts.id ?? `fake-${Date.now()}.${this.nextId++}`;
    const args = opts.args ?? [];
    const channel: FakeChannel = {
      id,
      name: `PJSIP/trunk-${pad(this.nextId, 8)}`,
      state: 'Ring',
      caller: { name: opts.callerName ?? '', number: opts.caller ?? '' },
      dialplan: { context: 'touchtone-entry', exten: opts.dialled ?? '100', priority: 2, app_name: 'Stasis', app_data: [app, ...args].join(',') },
      language: opts.language ?? 'en',
      creationtime: ariTimestamp(),
      app,
      variables: {},
      moh: false,
      ringing: false,
      playQueue: [],
    };
    if (this.socketCount(app) === 0) {
      channel.app = undefined;
      channel.dialplan = { ...channel.dialplan, context: 'touchtone-fallback', exten: 's', priority: 1, app_name: 'Queue', app_data: 'touchtone-operators' };
      this.channels.set(id, channel);
      return { id, stasisStatus: 'FAILED' };
    }
    this.channels.set(id, channel);
    this.event(app, 'StasisStart', { args, channel: this.channelJson(channel) });
    return { id, stasisStatus: 'SUCCESS' };
  }

  /**
   * A channel already inside `Stasis(app,args…)` when the test begins: it entered while an earlier process
   * listened, so no event announces it (as after an engine restart).
   */
  alreadyInApp(id: string, opts: { args?: string[]; state?: FakeChannel['state']; app?: string } = {}): FakeChannel {
    const app = opts.app ?? 'touchtone';
    return this.newChannel({
      id,
      state: opts.state ?? 'Up',
      app,
      dialplan: { context: 'touchtone-entry', exten: '100', priority: 2, app_name: 'Stasis', app_data: [app, ...(opts.args ?? [])].join(',') },
    });
  }

  /** A bridge an earlier process made (no event announces it). */
  addBridge(id: string, name: string, channels: string[]): FakeBridge {
    const bridge: FakeBridge = { id, name, channels: [...channels] };
    this.bridges.set(id, bridge);
    return bridge;
  }

  /** The caller presses (and releases) a key. */
  pressKey(channelId: string, digit: string): void {
    const channel = this.channels.get(channelId);
    if (!channel?.app) return;
    this.event(channel.app, 'ChannelDtmfReceived', { digit, duration_ms: 100, channel: this.channelJson(channel) });
  }

  /** The caller hangs up. */
  callerHangsUp(channelId: string, cause = 16): void {
    this.destroyChannel(channelId, cause);
  }

  /** Ends a playback (by its ARI id) as if the media ran out. */
  finishPlayback(playbackId: string): void {
    const key = this.playbackKey(playbackId);
    if (key !== undefined) this.endPlayback(key, 'done');
  }

  /**
   * The internal key of the first playback with this ARI id. Asterisk accepts an id that is still in use (the new
   * playback queues behind the old one), and then finds one of them by id; the fake finds the oldest.
   */
  playbackKey(playbackId: string): string | undefined {
    if (this.playbacks.get(playbackId)?.id === playbackId) return playbackId;
    for (const [key, p] of this.playbacks) if (p.id === playbackId) return key;
    return undefined;
  }

  // ——— faults ———

  /** Drops every event socket: with a close frame carrying `code` (1011 = internal error), or a bare TCP reset. */
  dropSockets(code?: number): void {
    for (const set of this.sockets.values()) {
      for (const ws of set) {
        if (code === undefined) ws.terminate();
        else ws.close(code, 'fake drop');
      }
    }
  }

  /**
   * Asterisk restarts: sockets drop, every channel and playback is gone, and nothing answers until `recover()`.
   */
  crash(): void {
    this.restDown = true;
    this.clearTimers();
    this.channels.clear();
    this.playbacks.clear();
    this.emit('playback-gone');
    this.bridges.clear();
    this.recordings.clear();
    for (const set of this.sockets.values()) for (const ws of set) ws.terminate();
    for (const socket of this.tcp) socket.destroy();
  }

  recover(): void {
    this.restDown = false;
  }

  /**
   * Asterisk-initiated mode (`websocket_client.conf`): the fake opens the app's event websocket to `url`, with
   * the `ari` sub-protocol and Basic credentials, as Asterisk 22.5+ does. Resolves when open, rejects if refused.
   */
  connectOutbound(url: string, username: string, password: string, app = 'touchtone'): Promise<WebSocket> {
    const ws = new WebSocket(url, 'ari', { headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` } });
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => reject(new Error(`outbound websocket refused: HTTP ${res.statusCode ?? 0}`)));
      ws.once('error', reject);
      ws.once('open', () => {
        const set = this.sockets.get(app) ?? new Set();
        set.add(ws);
        this.sockets.set(app, set);
        this.connections += 1;
        ws.on('close', () => {
          set.delete(ws);
          this.emit('activity');
        });
        this.readRequests(ws, app);
        resolve(ws);
      });
    });
  }

  /** Sends a raw websocket frame to an app (malformed JSON, foreign events). */
  sendRaw(app: string, text: string): void {
    for (const ws of this.sockets.get(app) ?? []) ws.send(text);
  }

  /** Stops answering pings (the websocket stays open and silent). */
  stopPongs(): void {
    for (const set of this.sockets.values()) for (const ws of set) (ws as unknown as { _autoPong: boolean })._autoPong = false;
  }

  // ——— internals ———

  private async listen(port: number): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  private clearTimers(): void {
    for (const p of this.playbacks.values()) if (p.timer) clearTimeout(p.timer);
    for (const r of this.recordings.values()) if (r.timer) clearTimeout(r.timer);
  }

  private authorized(req: http.IncomingMessage, query: URLSearchParams): boolean {
    if (req.headers.authorization === this.auth) return true;
    // ari-client sends credentials as `api_key=user:pass`; Asterisk accepts both.
    const key = query.get('api_key');
    return key !== null && `Basic ${Buffer.from(key).toString('base64')}` === this.auth;
  }

  private upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const reject = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (this.frozen) return; // Accept TCP, answer nothing.
    if (this.refuseSockets || this.restDown) return reject(503, 'Service Unavailable');
    if (url.pathname !== '/ari/events') return reject(404, 'Not Found');
    if (!this.authorized(req, url.searchParams)) return reject(401, 'Unauthorized');
    const app = url.searchParams.get('app');
    if (!app) return reject(400, 'Bad Request');
    this.socketQueries.push(Object.fromEntries(url.searchParams));
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.connections += 1;
      for (const name of app.split(',')) {
        this.inactiveApps.delete(name);
        const set = this.sockets.get(name) ?? new Set();
        // Asterisk replaces an app's previous connection and tells it so.
        for (const old of set) {
          old.send(JSON.stringify({ type: 'ApplicationReplaced', application: name, timestamp: ariTimestamp() }));
          old.close(1000);
        }
        set.clear();
        set.add(ws);
        this.sockets.set(name, set);
      }
      ws.on('close', () => {
        for (const set of this.sockets.values()) set.delete(ws);
        this.emit('activity');
      });
      this.readRequests(ws, app.split(',')[0]!);
      this.emit('activity');
    });
  }

  /** Sends an event to an app's socket, through its event filter, as Asterisk does. */
  event(app: string, type: string, fields: Record<string, unknown>): void {
    const allowed = this.eventFilters.get(app);
    if (allowed && allowed.size > 0 && !allowed.has(type)) return;
    const set = this.sockets.get(app);
    if (!set || set.size === 0 || this.inactiveApps.has(app) || this.lostEvents.has(type)) return; // Nobody listening: the event is lost, as in Asterisk.
    const text = JSON.stringify({ type, timestamp: ariTimestamp(), ...fields, asterisk_id: '00:00:00:00:00:01', application: app });
    for (const ws of set) ws.send(text);
    this.emit('event', type, fields);
  }

  channelJson(c: FakeChannel): object {
    return {
      id: c.id,
      protocol_id: '',
      name: c.name,
      state: c.state,
      caller: c.caller,
      connected: { name: '', number: '' },
      accountcode: '',
      dialplan: c.dialplan,
      creationtime: c.creationtime,
      language: c.language,
    };
  }

  private playbackJson(p: FakePlayback): object {
    return { id: p.id, media_uri: p.media[0] ?? '', target_uri: `channel:${p.channelId}`, language: 'en', state: p.state === 'playing' ? 'playing' : p.state };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.frozen) return; // Never answer.
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = process.hrtime.bigint();
      const url = new URL(req.url ?? '/', 'http://fake');
      let body: unknown;
      if (chunks.length) {
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
      }
      const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), body, at, via: 'http' };
      if (this.logRequests) this.requests.push(record);
      this.emit('request', record);
      const reply: Reply = (status, answer) => this.send(res, status, answer);
      const answer = (): void => {
        if (this.frozen) return;
        if (this.restDown) {
          res.writeHead(503).end();
          return;
        }
        if (url.pathname.startsWith('/ari/api-docs/')) return this.apiDocsRequest(url.pathname.slice('/ari/api-docs/'.length), res);
        if (!this.authorized(req, url.searchParams)) return reply(401, { message: 'Authentication required' });
        this.answer(record, reply);
      };
      const delay = this.delayOf?.(record) ?? this.responseDelayMs;
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  }

  /** A request that passed authentication, answered through `statusOf` or the routes. */
  private answer(record: RecordedRequest, reply: Reply): void {
    const status = this.statusOf?.(record);
    if (status !== undefined) reply(status, { message: status === 404 ? 'Application not found' : 'refused by the test' });
    else this.route(record, reply);
    this.emit('activity');
  }

  private apiDocsRequest(file: string, res: http.ServerResponse): void {
    if (this.apiDocs === 'error') return this.send(res, 500, { message: 'Internal Server Error' });
    if (this.apiDocs === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"apis": [ this is not json');
      return;
    }
    const base = `${this.url}/ari`;
    if (file === 'resources.json') return this.send(res, 200, resourceListing(base));
    const doc = resourceDescription(decodeURIComponent(file).replace(/\.json$/, ''), base);
    return doc ? this.send(res, 200, doc) : this.send(res, 404, { message: 'Resource not found' });
  }

  /**
   * Reads the frames a client sends on an event websocket. Asterisk (`res/ari/ari_websocket_requests.c`) answers a
   * `RESTRequest` on the socket's one reader thread, so one socket's requests are answered in the order they came,
   * each after the one before it; the `RESTResponse` passes the app's event filter like any event.
   */
  private readRequests(ws: WebSocket, app: string): void {
    let queue = Promise.resolve();
    ws.on('message', (data) => {
      if (!this.socketRequests || this.frozen) return;
      let frame: { type?: unknown; request_id?: unknown; transaction_id?: unknown; method?: unknown; uri?: unknown; query_strings?: unknown; content_type?: unknown; message_body?: unknown };
      try {
        frame = JSON.parse(data.toString()) as typeof frame;
      } catch {
        return;
      }
      if (frame.type !== 'RESTRequest') return;
      const [path = '', search = ''] = String(frame.uri ?? '').split('?', 2);
      const query: Record<string, string> = Object.fromEntries(new URLSearchParams(search));
      if (Array.isArray(frame.query_strings)) {
        for (const q of frame.query_strings as Array<{ name?: unknown; value?: unknown }>) query[String(q.name)] = String(q.value);
      }
      let body: unknown;
      if (frame.content_type === 'application/json' && typeof frame.message_body === 'string') {
        try {
          body = JSON.parse(frame.message_body);
        } catch {
          body = undefined;
        }
      }
      const record: RecordedRequest = { method: String(frame.method ?? ''), path: `/ari/${path}`, query, body, at: process.hrtime.bigint(), via: 'websocket' };
      if (this.logRequests) this.requests.push(record);
      this.emit('request', record);
      const reply: Reply = (status, answer) => {
        const allowed = this.eventFilters.get(app);
        if (ws.readyState !== ws.OPEN || (allowed && allowed.size > 0 && !allowed.has('RESTResponse'))) return;
        ws.send(
          JSON.stringify({
            type: 'RESTResponse',
            transaction_id: String(frame.transaction_id ?? ''),
            request_id: String(frame.request_id ?? ''),
            status_code: status,
            reason_phrase: http.STATUS_CODES[status] ?? '',
            uri: path,
            ...(answer === undefined ? {} : { content_type: 'application/json', message_body: JSON.stringify(answer) }),
            application: app,
          }),
        );
      };
      // The reader thread takes the next request only once this one is answered, however long that takes.
      queue = queue.then(async () => {
        const delay = this.delayOf?.(record) ?? this.responseDelayMs;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        if (this.frozen || this.restDown || ws.readyState !== ws.OPEN) return;
        await new Promise<void>((answered) => {
          const gone = (): void => answered();
          ws.once('close', gone);
          this.answer(record, (status, body) => {
            ws.off('close', gone);
            reply(status, body);
            answered();
          });
        });
      });
    });
  }

  private send(res: http.ServerResponse, status: number, body?: unknown): void {
    if (body === undefined) {
      res.writeHead(status, { 'content-length': 0 }).end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  }

  private route(r: RecordedRequest, reply: Reply): void {
    const parts = r.path.split('/').slice(2).map(decodeURIComponent); // drop '' and 'ari'
    const q = r.query;
    const notFound = (what: string): void => reply(404, { message: `${what} not found` });
    const [resource, id, action, sub] = parts;
    const fixedIds = new Set(['create', 'externalMedia']);
    const key = `${r.method} ${resource ?? ''}${id !== undefined ? (fixedIds.has(id) ? `/${id}` : '/:id') : ''}${action !== undefined ? `/${action}` : ''}${sub !== undefined ? '/:sub' : ''}`;


    if (r.method === 'POST' && resource === 'events' && id === 'user' && action !== undefined) {
      // A user event to an app (`POST /events/user/{eventName}?application=`), with the body's `variables`.
      if (!q.application || !this.sockets.has(q.application)) return notFound('Application');
      const variables = (r.body as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
      this.event(q.application, 'ChannelUserevent', { eventname: action, userevent: variables });
      return reply(204);
    }

    const channel = id !== undefined ? this.channels.get(id) : undefined;
    switch (key) {
      case 'GET asterisk/:id':
        if (id === 'ping') return reply(200, { ping: 'pong', timestamp: ariTimestamp(), asterisk_id: '00:00:00:00:00:01' });
        return notFound('Resource');
      case 'GET channels':
        return reply(200, [...this.channels.values()].map((c) => this.channelJson(c)));
      case 'GET channels/:id':
        return channel ? reply(200, this.channelJson(channel)) : notFound('Channel');
      case 'DELETE channels/:id':
        if (!channel) return notFound('Channel');
        this.destroyChannel(channel.id, 16);
        return reply(204);
      case 'POST channels/:id/answer':
        if (!channel) return notFound('Channel');
        if (!channel.app) return reply(409, { message: 'Channel not in Stasis application' });
        return this.onChannelThread(channel, reply, () => {
          this.setState(channel, 'Up');
          reply(204);
        });
      case 'POST channels/:id/play/:sub':
        return this.play(reply, channel, sub!, q);
      case 'DELETE playbacks/:id': {
        const key = this.playbackKey(id!);
        if (key === undefined) return notFound('Playback');
        this.playbacks.get(key)!.stopped = true;
        this.endPlayback(key, 'done');
        return reply(204);
      }
      case 'GET playbacks/:id': {
        const key = this.playbackKey(id!);
        return key !== undefined ? reply(200, this.playbackJson(this.playbacks.get(key)!)) : notFound('Playback');
      }
      case 'POST channels/:id/moh':
      case 'DELETE channels/:id/moh':
      case 'POST channels/:id/ring':
      case 'DELETE channels/:id/ring':
        if (!channel) return notFound('Channel');
        if (!channel.app) return reply(409, { message: 'Channel not in Stasis application' });
        if (action === 'moh') channel.moh = r.method === 'POST';
        else channel.ringing = r.method === 'POST';
        return reply(204);
      case 'POST channels/:id/variable':
        if (!channel) return notFound('Channel');
        if (!q.variable) return reply(400, { message: 'Variable name is required' });
        return this.onChannelThread(channel, reply, () => {
          channel.variables[q.variable!] = q.value ?? '';
          reply(204);
        });
      case 'POST channels/:id/continue':
        if (!channel) return notFound('Channel');
        if (!channel.app) return reply(409, { message: 'Channel not in Stasis application' });
        // Asynchronous in Asterisk (`stasis_app_send_command_async`): answered at once, and the channel leaves
        // only when the prompts queued before it have ended.
        reply(204);
        return this.afterQueuedPlaybacks(channel, () => {
          if (channel.app) this.leaveApp(channel, { context: q.context ?? channel.dialplan.context, exten: q.extension ?? 's', priority: Number(q.priority ?? 1), app_name: '', app_data: '' });
        });
      case 'POST channels/:id/record':
        return this.record(reply, channel, q);
      case 'GET recordings/live/:sub':
        return notFound('Recording');
      case 'POST channels/create':
        return this.createLeg(reply, q);
      case 'POST channels/:id/dial':
        return this.dial(reply, channel, q);
      case 'POST channels':
        return this.originate(reply, q);
      case 'POST bridges': {
        const bridgeId = q.bridgeId ?? `bridge-${this.nextId++}`;
        if (this.bridges.has(bridgeId)) return reply(409, { message: 'Bridge with this ID already exists' });
        const bridge: FakeBridge = { id: bridgeId, name: q.name ?? '', channels: [] };
        this.bridges.set(bridgeId, bridge);
        return reply(200, this.bridgeJson(bridge));
      }
      case 'GET bridges':
        return reply(200, [...this.bridges.values()].map((b) => this.bridgeJson(b)));
      case 'POST bridges/:id/addChannel': {
        const bridge = this.bridges.get(id!);
        if (!bridge) return notFound('Bridge');
        const ids = (q.channel ?? '').split(',');
        if (ids.some((c) => !this.channels.get(c)?.app)) return reply(422, { message: 'Channel not in Stasis application' });
        bridge.channels.push(...ids);
        return reply(204);
      }
      case 'DELETE bridges/:id':
        if (!this.bridges.delete(id!)) return notFound('Bridge');
        return reply(204);
      case 'PUT applications/:id/eventFilter': {
        const allowed = (r.body as { allowed?: Array<{ type?: string }> } | undefined)?.allowed ?? [];
        this.eventFilters.set(id!, new Set(allowed.map((a) => String(a.type))));
        return reply(200, { name: id, channel_ids: [], events_allowed: allowed, events_disallowed: [] });
      }
      default:
        return reply(404, { message: `fake ARI does not implement ${r.method} ${r.path}` });
    }
  }

  /**
   * Runs a command as Asterisk runs a synchronous one (`stasis_app_send_command`: answer, set a variable): on the
   * channel's own thread, which plays the prompts queued before it one by one, so the answer waits until they have
   * ended. A channel gone meanwhile answers 404.
   */
  private onChannelThread(channel: FakeChannel, reply: Reply, run: () => void): void {
    this.afterQueuedPlaybacks(channel, run, () => reply(404, { message: 'Channel not found' }));
  }

  /** Runs `run` once the prompts queued on the channel now have ended; `gone` instead if the channel goes first. */
  private afterQueuedPlaybacks(channel: FakeChannel, run: () => void, gone: () => void = () => undefined): void {
    const before = [...channel.playQueue];
    const ready = (): boolean => !this.channels.has(channel.id) || before.every((key) => !this.playbacks.has(key));
    const go = (): void => (this.channels.has(channel.id) ? run() : gone());
    if (ready()) return go();
    const check = (): void => {
      if (!ready()) return;
      this.off('playback-gone', check);
      go();
    };
    this.on('playback-gone', check);
  }

  /** ARI's `Bridge` as `GET /bridges` lists it. */
  bridgeJson(b: FakeBridge): object {
    return { id: b.id, technology: 'simple_bridge', bridge_type: 'mixing', bridge_class: 'stasis', creator: 'Stasis', name: b.name, channels: [...b.channels], creationtime: ariTimestamp(), video_mode: 'talker' };
  }

  /** A channel that leaves Stasis or hangs up leaves its bridge too; the bridge stays until it is destroyed. */
  private leaveBridges(channelId: string): void {
    for (const bridge of this.bridges.values()) bridge.channels = bridge.channels.filter((c) => c !== channelId);
  }

  private setState(channel: FakeChannel, state: FakeChannel['state']): void {
    if (channel.state === state) return;
    channel.state = state;
    if (channel.app) this.event(channel.app, 'ChannelStateChange', { channel: this.channelJson(channel) });
  }

  private play(reply: Reply, channel: FakeChannel | undefined, playbackId: string, q: Record<string, string>): void {
    if (!channel) return reply(404, { message: 'Channel not found' });
    if (!channel.app) return reply(409, { message: 'Channel not in Stasis application' });
    const media = (q.media ?? '').split(',');
    if (media.some((m) => !SCHEMES.test(m))) return reply(400, { message: 'Invalid media URI' });
    const playback: FakePlayback = { id: playbackId, channelId: channel.id, media, state: 'queued', stopped: false };
    // An id still in use is accepted, as Asterisk does; the fake keeps both under distinct keys.
    const key = this.playbacks.has(playbackId) ? `${playbackId}#${this.nextId++}` : playbackId;
    this.playbacks.set(key, playback);
    channel.playQueue.push(key);
    reply(201, this.playbackJson(playback));
    // Playbacks queue per channel: the next one starts when the one before it ends.
    if (channel.playQueue.length === 1) setImmediate(() => this.startPlayback(key));
  }

  private startPlayback(key: string): void {
    const playback = this.playbacks.get(key);
    const channel = playback && this.channels.get(playback.channelId);
    if (!playback || !channel?.app || playback.state !== 'queued') return;
    playback.state = 'playing';
    this.event(channel.app, 'PlaybackStarted', { playback: this.playbackJson(playback) });
    const fails = playback.media.some((m) => m.includes('missing'));
    if (fails) {
      setImmediate(() => this.endPlayback(key, 'failed'));
      return;
    }
    if (Number.isFinite(this.playbackMs)) playback.timer = setTimeout(() => this.endPlayback(key, 'done'), this.playbackMs);
  }

  private endPlayback(key: string, state: 'done' | 'failed'): void {
    const playback = this.playbacks.get(key);
    if (!playback) return;
    if (playback.timer) clearTimeout(playback.timer);
    this.playbacks.delete(key);
    this.emit('playback-gone');
    const channel = this.channels.get(playback.channelId);
    const wasPlaying = playback.state === 'playing';
    playback.state = state;
    if (!channel) return;
    channel.playQueue = channel.playQueue.filter((k) => k !== key);
    if (channel.app) this.event(channel.app, 'PlaybackFinished', { playback: this.playbackJson(playback) });
    const next = channel.playQueue[0];
    if (wasPlaying && next) setImmediate(() => this.startPlayback(next));
  }

  private record(reply: Reply, channel: FakeChannel | undefined, q: Record<string, string>): void {
    if (!channel) return reply(404, { message: 'Channel not found' });
    if (!channel.app) return reply(409, { message: 'Channel not in Stasis application' });
    const name = q.name ?? '';
    if (!name || !q.format) return reply(400, { message: 'name and format are required' });
    if (this.recordings.has(name)) return reply(409, { message: 'Recording already in progress' });
    const app = channel.app;
    const live = { name, format: q.format, target_uri: `channel:${channel.id}`, state: 'recording' };
    const entry: { name: string; channelId: string; timer?: NodeJS.Timeout } = { name, channelId: channel.id };
    this.recordings.set(name, entry);
    reply(201, live);
    this.event(app, 'RecordingStarted', { recording: live });
    entry.timer = setTimeout(() => {
      this.recordings.delete(name);
      this.event(app, 'RecordingFinished', { recording: { ...live, state: 'done', duration: 3, talking_duration: 2, silence_duration: 1 } });
    }, this.recordMs);
  }

  private newChannel(fields: Partial<FakeChannel> & { id: string }): FakeChannel {
    const channel: FakeChannel = {
      name: `${fields.endpoint ?? 'Local/x'}-${pad(this.nextId++, 8)}`,
      state: 'Down',
      caller: { name: '', number: '' },
      dialplan: { context: 'default', exten: 's', priority: 1, app_name: '', app_data: '' },
      language: 'en',
      creationtime: ariTimestamp(),
      app: undefined,
      variables: {},
      moh: false,
      ringing: false,
      playQueue: [],
      ...fields,
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  private createLeg(reply: Reply, q: Record<string, string>): void {
    if (!q.endpoint || !q.app) return reply(400, { message: 'endpoint and app are required' });
    const id = q.channelId ?? `leg-${this.nextId++}`;
    if (this.channels.has(id)) return reply(409, { message: 'Channel with this ID already exists' });
    const args = (q.appArgs ?? '').split(',').filter((a) => a !== '');
    const app = q.app;
    const leg = this.newChannel({ id, endpoint: q.endpoint, app: undefined, dialplan: { context: 'default', exten: 's', priority: 1, app_name: 'Stasis', app_data: [app, ...args].join(',') } });
    reply(200, this.channelJson(leg));
    // As in Asterisk, the new channel enters the app a moment after the answer; a dial before that is a 409.
    setTimeout(() => {
      if (!this.channels.has(id)) return;
      leg.app = app;
      this.event(app, 'StasisStart', { args, channel: this.channelJson(leg) });
    }, 2);
  }

  private dial(reply: Reply, leg: FakeChannel | undefined, q: Record<string, string>): void {
    if (!leg) return reply(404, { message: 'Channel not found' });
    if (!leg.app || leg.state !== 'Down') return reply(409, { message: 'Channel is not in the correct state' });
    const behaviour = this.endpoints.get(leg.endpoint ?? '') ?? 'answer';
    const caller = q.caller ? this.channels.get(q.caller) : undefined;
    const app = leg.app;
    const dialEvent = (status: string): void =>
      this.event(app, 'Dial', { peer: this.channelJson(leg), ...(caller ? { caller: this.channelJson(caller) } : {}), dialstring: leg.endpoint ?? '', dialstatus: status });
    reply(204);
    this.setState(leg, 'Ringing');
    dialEvent('');
    const timeoutMs = Number(q.timeout ?? 30) * this.msPerDialSecond;
    switch (behaviour) {
      case 'answer':
        setTimeout(() => {
          if (!this.channels.has(leg.id)) return;
          this.setState(leg, 'Up');
          dialEvent('ANSWER');
        }, this.ringMs);
        return;
      case 'busy':
        setTimeout(() => {
          dialEvent('BUSY');
          this.destroyChannel(leg.id, 17);
        }, this.ringMs);
        return;
      case 'noAnswer':
        setTimeout(() => {
          if (!this.channels.has(leg.id)) return;
          dialEvent('NOANSWER');
          this.destroyChannel(leg.id, 19);
        }, timeoutMs);
        return;
      case 'congestion':
        setTimeout(() => {
          dialEvent('CONGESTION');
          this.destroyChannel(leg.id, 34);
        }, this.ringMs);
        return;
      case 'fail':
        setImmediate(() => {
          dialEvent('CHANUNAVAIL');
          this.destroyChannel(leg.id, 20);
        });
        return;
    }
  }

  private originate(reply: Reply, q: Record<string, string>): void {
    if (!q.endpoint) return reply(400, { message: 'Endpoint must be specified' });
    const id = q.channelId ?? `orig-${this.nextId++}`;
    if (this.channels.has(id)) return reply(409, { message: 'Channel with this ID already exists' });
    const args = (q.appArgs ?? '').split(',');
    const channel = this.newChannel({ id, endpoint: q.endpoint, caller: { name: '', number: q.callerId ?? '' } });
    reply(200, this.channelJson(channel));
    const behaviour = this.endpoints.get(q.endpoint) ?? 'answer';
    setTimeout(() => {
      if (!this.channels.has(id)) return;
      if (behaviour !== 'answer' || !q.app) {
        this.destroyChannel(id, behaviour === 'busy' ? 17 : 19);
        return;
      }
      channel.state = 'Up';
      channel.app = q.app;
      channel.dialplan = { ...channel.dialplan, app_name: 'Stasis', app_data: [q.app, ...args].join(',') };
      this.event(q.app, 'StasisStart', { args: args.filter((a) => a !== ''), channel: this.channelJson(channel) });
    }, this.ringMs);
  }

  private leaveApp(channel: FakeChannel, dialplan: FakeChannel['dialplan']): void {
    const app = channel.app;
    channel.app = undefined;
    channel.dialplan = dialplan;
    this.leaveBridges(channel.id);
    for (const id of channel.playQueue) this.endPlayback(id, 'done');
    if (app) this.event(app, 'StasisEnd', { channel: this.channelJson(channel) });
  }

  private destroyChannel(channelId: string, cause: number): void {
    const channel = this.channels.get(channelId);
    if (!channel) return;
    const app = channel.app;
    if (app) this.event(app, 'ChannelHangupRequest', { cause, soft: false, channel: this.channelJson(channel) });
    for (const id of [...channel.playQueue]) {
      const playback = this.playbacks.get(id);
      if (playback?.timer) clearTimeout(playback.timer);
      this.playbacks.delete(id);
    }
    channel.playQueue = [];
    this.leaveBridges(channelId);
    if (app) this.event(app, 'StasisEnd', { channel: this.channelJson(channel) });
    this.channels.delete(channelId);
    this.emit('playback-gone');
    if (app) this.event(app, 'ChannelDestroyed', { cause, cause_txt: cause === 17 ? 'User busy' : 'Normal Clearing', channel: this.channelJson(channel) });
  }
}
