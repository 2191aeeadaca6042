/**
 * The ARI adapter: turns Asterisk's Stasis app into `CallPort`s, and keeps doing so across websocket drops and
 * Asterisk restarts. After every (re)connect it lists the channels inside our app and takes them back, because
 * Asterisk sends no new `StasisStart` for them and events during the gap are lost.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type TimerHandle } from '../../runtime/clock.js';
import type { CallFacts, CallPort, TelephonyAdapter } from '../port.js';
import { AriCall, type CallHost } from './ari-call.js';
import { AppProbe } from './app-probe.js';
import { ALLOWED_EVENTS, type AriBridge, type AriChannel, type AriEvent } from './ari-types.js';
import { argsFromAppData, callFacts } from './call-facts.js';
import { EventSocket } from './event-socket.js';
import { DIAL_LEG_ARG, findTransfers, parseTransferId, RETURNING_TRANSFER_BRIDGE, TRANSFER_BRIDGE, type FoundTransfer } from './found-transfers.js';
import { InboundEventServer } from './event-server.js';
import { resolveOptions, type AriLogger, type AriOptions, type ResolvedAriOptions } from './options.js';
import { ok, seg, AriRestClient } from './rest-client.js';
import { cleanValue, isEndpoint, isFlowName, toDigit } from './sanitize.js';

/** What the adapter knows about a call it took back after a (re)connect. */
export interface ReattachInfo {
  /** `startup`: found when this process connected first; `reconnect`: found after a drop. */
  reason: 'startup' | 'reconnect';
  /** Channel state (`Up`, `Ring` …). */
  state: string;
  /** Raw `Stasis()` arguments, cleaned. */
  args: readonly string[];
  /** When Asterisk created the channel (ISO), if known. */
  createdAt?: string;
  /**
   * The caller is talking to a department in a transfer bridge a previous process made. The adapter keeps the
   * bridge and never pulls the caller out of it; when the department hangs up, the call ends (a transfer without
   * `returns`) or the port reports `transfer.ended` (with `returns`).
   */
  bridged: boolean;
}

export interface AriStatus {
  connected: boolean;
  lastError?: string;
  reconnects: number;
  lastEventAt?: number;
  /** When a probe sent to our app last came back: Asterisk delivers the app's events (see `appProbeIntervalMs`). */
  appCheckedAt?: number;
  /** Calls currently held by the adapter. */
  calls: number;
  /** How the hot path's requests travel now: over the event websocket, or over HTTP (see `requestsOverWebsocket`). */
  requestsVia: 'websocket' | 'http';
}

export interface OriginateRequest {
  /** Dial endpoint (`PJSIP/+4930123@trunk`); from configuration, checked against a strict pattern. */
  endpoint: string;
  /** Flow the answered call runs (first Stasis argument). */
  flow?: string;
  /** Extra `key=value` Stasis arguments; `,`, `|` and control characters are removed from values. */
  args?: Readonly<Record<string, string>>;
  /** Caller id shown to the callee: digits with an optional `+`. */
  callerId?: string;
  /** How long to ring, in ms (default 30 s). */
  timeoutMs?: number;
  /**
   * Channel variables for the new channel (ARI's `variables` body field), for example `QUEUE_PRIO` so `Queue()`
   * applies a callback's priority. Names outside `^[A-Za-z_][A-Za-z0-9_]{0,31}$` are dropped; values are cleaned.
   */
  variables?: Readonly<Record<string, string>>;
}

export type OriginateResult = { ok: true; channelId: string } | { ok: false; code: string; message: string };

/** The ARI adapter: a `TelephonyAdapter` plus health, re-attach and outbound calls. */
export interface AriAdapter extends TelephonyAdapter {
  status(): AriStatus;
  /** True when ARI answers `GET /asterisk/ping` within `timeoutMs` and the event socket is open. */
  ping(timeoutMs: number): Promise<boolean>;
  /**
   * Called for each call found inside our app after a (re)connect that this process does not hold. The handler
   * claims the call by registering `call.onEvent` (for example by resuming its persisted session). Unclaimed calls
   * go to `safeDestination` (or are hung up) after `orphanLimitMs`.
   */
  onReattach(handler: (call: CallPort, info: ReattachInfo) => void): void;
  /** Places an outbound call into our app (callbacks). The answered call arrives through `onCall`. */
  originate(request: OriginateRequest): Promise<OriginateResult>;
  /**
   * Called when the adapter gives up a call that no session holds: sent to `safeDestination` (or hung up) because
   * nobody claimed it after a (re)connect, no call handler took it, or the event socket stayed down too long. The
   * server closes the call's record here, so it does not stay "in progress" in the store. A call with a session
   * ends through it instead (its port hears `handed-over`).
   */
  onOrphan(handler: (facts: CallFacts, info: OrphanInfo) => void): void;
  /** In `inboundSocket` mode, the websocket URL Asterisk should connect to (after `start()`). */
  inboundAddress(): string | undefined;
}

/** Why and where the adapter let a call go. */
export interface OrphanInfo {
  reason: string;
  /** `dialplan`: continued at `safeDestination`; `hangup`: no safe destination was configured. */
  handedTo: 'dialplan' | 'hangup';
}

class AriAdapterImpl implements AriAdapter, CallHost {
  readonly name = 'ari';
  readonly rest: AriRestClient;
  readonly clock;
  readonly log: AriLogger;
  readonly app: string;
  readonly playbackStartTimeoutMs: number;
  readonly foundPlaybackStartTimeoutMs: number;
  readonly queueContext: string;
  readonly variablePrefix: '' | '__';
  readonly instanceTag = Date.now().toString(36);

  private readonly options: ResolvedAriOptions;
  private readonly socket: EventSocket | InboundEventServer;
  private readonly calls = new Map<string, AriCall>();
  private readonly callSeq = new Map<AriCall, number>();
  private readonly playbacks = new Map<string, AriCall>();
  private readonly recordings = new Map<string, AriCall>();
  private readonly legs = new Map<string, AriCall>();
  private callHandler: ((call: CallPort) => void) | undefined;
  private reattachHandler: ((call: CallPort, info: ReattachInfo) => void) | undefined;
  private orphanHandler: ((facts: CallFacts, info: OrphanInfo) => void) | undefined;
  private seq = 0;
  private everConnected = false;
  private reconnects = 0;
  private lastError: string | undefined;
  private lastEventAt: number | undefined;
  private downSince: number | undefined;
  private orphanTimer: TimerHandle | undefined;
  private reconcileTimer: TimerHandle | undefined;
  private reconcileAttempt = 0;
  private readonly claimTimers = new Set<TimerHandle>();
  /** Channels unknown to us that ended while a listing was on its way: they must not be taken back. */
  private readonly endedWhileListing = new Set<string>();
  private listing = 0;
  private readonly probe: AppProbe;
  private running = false;
  private firstSettled: (() => void) | undefined;

  constructor(options: AriOptions) {
    this.options = resolveOptions(options, systemClock);
    this.clock = this.options.clock;
    this.log = this.options.logger;
    this.app = this.options.app;
    this.playbackStartTimeoutMs = this.options.playbackStartTimeoutMs;
    this.foundPlaybackStartTimeoutMs = this.options.foundPlaybackStartTimeoutMs;
    this.queueContext = this.options.queueContext;
    this.variablePrefix = this.options.inheritVariables ? '__' : '';
    this.rest = new AriRestClient({
      url: this.options.url,
      username: this.options.username,
      password: this.options.password,
      timeoutMs: this.options.requestTimeoutMs,
      maxSockets: this.options.maxSockets,
      onSocketSilent: (reason) => this.log.warn({ code: 'ARI_REST_SOCKET_SILENT', reason }, 'Asterisk did not answer a request on the websocket; REST goes over HTTP until the next connect'),
    });
    this.probe = new AppProbe({
      rest: this.rest,
      clock: this.clock,
      log: this.log,
      app: this.app,
      tag: this.instanceTag,
      timeoutMs: this.options.pongTimeoutMs,
      intervalMs: this.options.appProbeIntervalMs,
      connected: () => this.socket.connected,
      recycle: (reason) => {
        this.lastError = `Asterisk stopped delivering the events of app \`${this.app}\``;
        this.socket.recycle(reason);
      },
    });
    const handlers = { open: () => this.opened(), event: (e: AriEvent) => this.dispatch(e), down: (reason: string) => this.down(reason) };
    if (this.options.inboundSocket) {
      this.socket = new InboundEventServer(this.options.inboundSocket, { clock: this.clock, pingIntervalMs: this.options.pingIntervalMs, pongTimeoutMs: this.options.pongTimeoutMs }, handlers);
    } else {
      const wsUrl = this.rest.baseUrl;
      wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
      wsUrl.pathname = `${wsUrl.pathname}/events`;
      this.socket = new EventSocket(
        {
          url: wsUrl,
          app: this.app,
          authorization: this.rest.authorization,
          clock: this.clock,
          pingIntervalMs: this.options.pingIntervalMs,
          pongTimeoutMs: this.options.pongTimeoutMs,
          backoffInitialMs: this.options.backoffInitialMs,
          backoffMaxMs: this.options.backoffMaxMs,
          connectTimeoutMs: this.options.connectTimeoutMs,
        },
        handlers,
      );
    }
  }

  onCall(handler: (call: CallPort) => void): void {
    this.callHandler = handler;
  }

  onReattach(handler: (call: CallPort, info: ReattachInfo) => void): void {
    this.reattachHandler = handler;
  }

  onOrphan(handler: (facts: CallFacts, info: OrphanInfo) => void): void {
    this.orphanHandler = handler;
  }

  /** Starts connecting. Resolves after the first connect attempt settles (success or failure); never rejects. */
  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    if (this.socket instanceof InboundEventServer) {
      // Asterisk connects when it is ready; start() only binds the port.
      const server = this.socket;
      return server.listen().catch((err: Error) => {
        this.lastError = `cannot listen for Asterisk's websocket: ${err.message}`;
        this.log.error({ code: 'ARI_INBOUND_LISTEN', error: err.message }, this.lastError);
      });
    }
    const settled = new Promise<void>((resolve) => (this.firstSettled = resolve));
    this.socket.start();
    return settled;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of [this.orphanTimer, this.reconcileTimer, ...this.claimTimers]) if (timer !== undefined) this.clock.clearTimeout(timer);
    this.claimTimers.clear();
    this.orphanTimer = this.reconcileTimer = undefined;
    this.probe.stop();
    this.firstSettled?.();
    // Requests sent just before stop (a barge-in, a prompt) may travel on the websocket: it stays open until they
    // are answered. Calls stay inside Stasis(): the next process (or this one, restarted) takes them back.
    await this.rest.drain(this.options.requestTimeoutMs);
    this.socket.stop();
    this.rest.useSocket(undefined);
    this.rest.close();
  }

  /** In `inboundSocket` mode, the websocket URL Asterisk should connect to (after `start()`). */
  inboundAddress(): string | undefined {
    return this.socket instanceof InboundEventServer ? this.socket.address : undefined;
  }

  status(): AriStatus {
    return {
      connected: this.socket.connected,
      reconnects: this.reconnects,
      calls: this.calls.size,
      requestsVia: this.rest.overWebsocket ? 'websocket' : 'http',
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...(this.lastEventAt !== undefined ? { lastEventAt: this.lastEventAt } : {}),
      ...(this.probe.checkedAt !== undefined ? { appCheckedAt: this.probe.checkedAt } : {}),
    };
  }

  async ping(timeoutMs: number): Promise<boolean> {
    const res = await this.rest.request('GET', '/asterisk/ping', undefined, undefined, timeoutMs);
    if (!ok(res)) this.lastError = res.error ?? `ARI ping answered ${res.status}`;
    return ok(res) && this.socket.connected;
  }

  async originate(request: OriginateRequest): Promise<OriginateResult> {
    if (!isEndpoint(request.endpoint)) {
      return { ok: false, code: 'ARI_ENDPOINT_INVALID', message: `Endpoint \`${cleanValue(request.endpoint, 60)}\` is not a plain dial endpoint; use for example \`PJSIP/+4930123@trunk\`.` };
    }
    if (request.flow !== undefined && !isFlowName(request.flow)) {
      return { ok: false, code: 'ARI_FLOW_INVALID', message: `Flow name \`${cleanValue(request.flow, 60)}\` is not valid; use letters, digits, \`_\` and \`-\`.` };
    }
    const appArgs: string[] = [request.flow ?? ''];
    for (const [key, value] of Object.entries(request.args ?? {})) {
      if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(key)) continue;
      // `,` and `|` separate Stasis arguments; they can't appear inside a value.
      appArgs.push(`${key}=${cleanValue(value, 256).replace(/[,|]/g, '')}`);
    }
    const channelId = `touchtone-out-${randomUUID()}`;
    const callerId = request.callerId !== undefined ? cleanValue(request.callerId, 32) : undefined;
    const variables: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.variables ?? {})) {
      if (/^[A-Za-z_][A-Za-z0-9_]{0,31}$/.test(key)) variables[key] = cleanValue(value, 256);
    }
    const res = await this.rest.request(
      'POST',
      '/channels',
      {
        endpoint: request.endpoint,
        app: this.app,
        appArgs: appArgs.join(','),
        channelId,
        timeout: Math.max(1, Math.round((request.timeoutMs ?? 30_000) / 1000)),
        ...(callerId && /^\+?[0-9]{1,32}$/.test(callerId) ? { callerId } : {}),
        // A Local channel offered every format settles on slin192, and Asterisk then resamples each 8 kHz prompt
        // (measured: 90% of its CPU under load). A trunk negotiates its own codec, so only Local gets G.711.
        ...(request.endpoint.startsWith('Local/') ? { formats: 'ulaw,alaw' } : {}),
      },
      Object.keys(variables).length ? { variables } : undefined,
    );
    if (ok(res)) return { ok: true, channelId };
    return { ok: false, code: 'ARI_ORIGINATE_FAILED', message: `Asterisk refused the call to \`${request.endpoint}\` (${res.error ?? `HTTP ${res.status}`}); check the endpoint and that ARI is reachable.` };
  }

  // ——— CallHost ———

  trackPlayback(playbackId: string, call: AriCall): void {
    this.playbacks.set(playbackId, call);
  }

  trackRecording(name: string, call: AriCall): void {
    this.recordings.set(name, call);
  }

  trackLeg(legId: string, call: AriCall): void {
    this.legs.set(legId, call);
  }

  untrack(call: AriCall): void {
    if (this.calls.get(call.id) === call) this.calls.delete(call.id);
    this.callSeq.delete(call);
    for (const map of [this.playbacks, this.recordings, this.legs]) {
      for (const [key, owner] of map) if (owner === call) map.delete(key);
    }
  }

  // ——— connection ———

  private opened(): void {
    if (!this.running) return;
    const reason = this.everConnected ? 'reconnect' : 'startup';
    if (this.everConnected) this.reconnects += 1;
    this.everConnected = true;
    this.downSince = undefined;
    if (this.orphanTimer !== undefined) this.clock.clearTimeout(this.orphanTimer);
    this.orphanTimer = undefined;
    this.log.info({ app: this.app, url: this.rest.baseUrl.origin, reason }, 'ARI event socket open');
    void this.setUp(reason);
  }

  private async setUp(reason: 'startup' | 'reconnect'): Promise<void> {
    const filter = await this.rest.request('PUT', `/applications/${seg(this.app)}/eventFilter`, undefined, {
      allowed: ALLOWED_EVENTS.map((type) => ({ type })),
    });
    if (!ok(filter)) {
      // Older Asterisk versions lack event filters; calls still work, with more events on the wire.
      this.log.warn({ code: 'ARI_EVENT_FILTER', status: filter.status, error: filter.error }, 'could not set the ARI event filter');
    }
    if (this.options.requestsOverWebsocket) void this.tryRequestsOverSocket();
    this.reconcileAttempt = 0;
    await this.reconcile(reason);
    this.firstSettled?.();
    this.firstSettled = undefined;
    this.probe.opened();
  }

  /** Moves the hot path's requests onto the event websocket when this Asterisk takes them there (`AriRestClient.trySocket`). */
  private async tryRequestsOverSocket(): Promise<void> {
    const taken = await this.rest.trySocket(this.socket, this.options.pongTimeoutMs);
    if (taken) this.log.info({ app: this.app }, 'ARI requests go over the event websocket');
    else if (this.socket.connected) this.log.info({ app: this.app }, 'Asterisk does not answer requests on the event websocket (it needs 20.14, 21.9 or 22.4); requests go over HTTP');
  }

  private down(reason: string): void {
    this.rest.useSocket(undefined);
    this.lastError = reason;
    this.probe.closed();
    this.downSince ??= this.clock.now();
    this.log.warn({ code: 'ARI_DISCONNECTED', reason }, 'ARI event socket down; reconnecting');
    this.firstSettled?.();
    this.firstSettled = undefined;
    if (this.orphanTimer === undefined && this.running) {
      this.orphanTimer = this.clock.setTimeout(() => {
        this.orphanTimer = undefined;
        void this.rescueWhileDown();
      }, this.options.orphanLimitMs);
    }
  }

  /**
   * The event socket stayed down past the orphan limit. Our calls hear silence and their flows get no events;
   * if REST still answers, hand them to the safe destination, and end their sessions.
   */
  private async rescueWhileDown(): Promise<void> {
    if (this.socket.connected || !this.running) return;
    const listed = await this.rest.request<AriChannel[]>('GET', '/channels');
    const ours = ok(listed) && Array.isArray(listed.body) ? listed.body.filter((ch) => this.inOurApp(ch)) : [];
    for (const channel of ours) {
      if (typeof channel.id !== 'string') continue;
      const args = argsFromAppData(channel.dialplan?.app_data);
      if (args[0] === DIAL_LEG_ARG) {
        void this.rest.request('DELETE', `/channels/${seg(channel.id)}`);
        continue;
      }
      const why = 'event socket down past the orphan limit';
      this.sendToSafety(channel.id, why);
      const held = this.calls.get(channel.id);
      // A session here ends `transferred` to the safe destination, as the caller is; any other call's record is
      // closed by the orphan handler.
      const target = this.options.safeDestination;
      if (held?.claimed && target) held.handedOver(target.context, why);
      else this.notifyOrphan(held?.facts ?? callFacts(channel, args, { routes: this.options.routes, defaultFlow: this.options.defaultFlow }), why);
    }
    for (const call of [...this.calls.values()]) call.hungUp('ari-disconnected');
  }

  // ——— re-attach ———

  private inOurApp(channel: AriChannel): boolean {
    if (channel.dialplan?.app_name !== 'Stasis') return false;
    const data = channel.dialplan.app_data ?? '';
    const name = data.split(/[,|]/, 1)[0];
    return name === this.app;
  }

  private async reconcile(reason: 'startup' | 'reconnect'): Promise<void> {
    this.listing += 1;
    try {
      await this.reconcileListed(reason);
    } finally {
      if (--this.listing === 0) this.endedWhileListing.clear();
    }
  }

  private async reconcileListed(reason: 'startup' | 'reconnect'): Promise<void> {
    const before = this.seq;
    const listed = await this.rest.request<AriChannel[]>('GET', '/channels');
    if (!ok(listed) || !Array.isArray(listed.body)) {
      this.lastError = listed.error ?? `GET /channels answered ${listed.status}`;
      this.log.warn({ code: 'ARI_RECONCILE_FAILED', error: this.lastError }, 'could not list channels to take calls back; retrying');
      const delay = Math.min(this.options.backoffMaxMs, this.options.backoffInitialMs * 2 ** this.reconcileAttempt++);
      this.reconcileTimer = this.clock.setTimeout(() => {
        this.reconcileTimer = undefined;
        if (this.socket.connected) void this.reconcile(reason);
      }, delay);
      return;
    }
    const present = new Map<string, AriChannel>();
    for (const channel of listed.body) if (typeof channel?.id === 'string') present.set(channel.id, channel);

    // Calls we hold: those that vanished ended while we were away; the rest may have lost events.
    for (const call of [...this.calls.values()]) {
      const seq = this.callSeq.get(call) ?? 0;
      if (seq > before) continue; // Arrived after the listing was taken.
      const channel = present.get(call.id);
      if (!channel) {
        call.hungUp('hangup-while-disconnected');
        continue;
      }
      if (!this.inOurApp(channel)) {
        call.leftApp(); // Its StasisEnd fell into the gap.
        continue;
      }
      void this.catchUp(call, present);
    }

    const strangers: Array<{ channel: AriChannel; args: string[] }> = [];
    const strayLegs: string[] = [];
    for (const channel of present.values()) {
      if (!this.inOurApp(channel) || this.calls.has(channel.id!) || this.legs.has(channel.id!)) continue;
      const args = argsFromAppData(channel.dialplan?.app_data);
      if (args[0] === DIAL_LEG_ARG) strayLegs.push(channel.id!);
      else strangers.push({ channel, args });
    }
    // A stranger whose StasisStart is still on its way is a new caller, not one left by a previous process.
    if (strangers.length) {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.options.takeBackGraceMs));
      if (!this.running) return; // Stopped meanwhile: the next process takes them back.
    }
    const transfers = await this.transfersOf(new Set(strangers.filter(({ channel }) => !this.calls.has(channel.id!)).map(({ channel }) => channel.id!)), present);
    for (const { channel, args } of strangers) {
      if (this.endedWhileListing.has(channel.id!) || this.calls.has(channel.id!)) continue;
      this.takeBack(channel, args, reason, transfers.get(channel.id!));
    }
    // A dial leg of a call this process neither holds nor took back with its transfer: nobody will bridge it.
    for (const legId of strayLegs) if (!this.legs.has(legId)) void this.rest.request('DELETE', `/channels/${seg(legId)}`);
  }

  /**
   * The transfers previous processes left on the calls about to be taken back. Also deletes transfer bridges whose
   * caller no longer exists: Asterisk keeps a Stasis bridge until someone destroys it.
   */
  private async transfersOf(callers: ReadonlySet<string>, present: ReadonlyMap<string, AriChannel>): Promise<Map<string, FoundTransfer>> {
    const listed = await this.rest.request<AriBridge[]>('GET', '/bridges');
    if (!ok(listed) || !Array.isArray(listed.body)) {
      this.log.warn({ code: 'ARI_BRIDGES_UNLISTED', status: listed.status, error: listed.error }, 'could not list bridges; calls talking to a department are taken back as if they were not');
      return new Map();
    }
    for (const bridge of listed.body) {
      if (typeof bridge?.id !== 'string' || (bridge.name !== TRANSFER_BRIDGE && bridge.name !== RETURNING_TRANSFER_BRIDGE)) continue;
      const callId = parseTransferId(bridge.id, 'bridge')?.callId;
      if (callId !== undefined && !present.has(callId) && !this.calls.has(callId)) void this.rest.request('DELETE', `/bridges/${seg(bridge.id)}`);
    }
    return callers.size ? findTransfers(callers, present, listed.body) : new Map();
  }

  /** Replays what a held call missed: playbacks, recordings and dial legs that ended during the gap. */
  private async catchUp(call: AriCall, present: ReadonlyMap<string, AriChannel>): Promise<void> {
    for (const playbackId of call.activePlaybacks()) {
      const res = await this.rest.request('GET', `/playbacks/${seg(playbackId)}`);
      if (res.status === 404) call.playbackEnded(playbackId, 'done');
    }
    for (const { name } of call.activeRecordings()) {
      const res = await this.rest.request('GET', `/recordings/live/${seg(name)}`);
      if (res.status === 404) call.recordingEnded(name, 'finished', 0, 'ended while disconnected');
    }
    // A dial leg's StasisStart, Dial or hangup may have fallen into the gap: read its state from the listing.
    for (const [legId, owner] of [...this.legs]) {
      if (owner !== call) continue;
      const leg = present.get(legId);
      if (!leg) {
        call.legEnded(legId, undefined, undefined);
        continue;
      }
      if (this.inOurApp(leg)) call.legStarted(legId);
      if (leg.state === 'Up') call.legAnswered(legId);
    }
  }

  private takeBack(channel: AriChannel, args: string[], reason: 'startup' | 'reconnect', transfer: FoundTransfer | undefined): void {
    const id = channel.id!;
    const call = this.adopt(channel, args);
    call.reattached = true;
    if (transfer) {
      this.log.info({ callId: id, phase: transfer.phase, returns: transfer.returns }, 'found the transfer a previous process started on a call taken back');
      call.resumeTransfer(transfer);
    }
    const info: ReattachInfo = {
      reason,
      bridged: call.talking,
      state: cleanValue(channel.state, 32),
      args: args.map((a) => cleanValue(a, 256)).slice(0, 16),
      ...(channel.creationtime ? { createdAt: cleanValue(channel.creationtime, 40) } : {}),
    };
    this.log.info({ callId: id, reason }, 'took back a call found inside the app');
    const handler = this.reattachHandler;
    if (!handler) {
      this.orphan(call, 'no re-attach handler');
      return;
    }
    try {
      handler(call, info);
    } catch (err) {
      this.log.error({ callId: id, code: 'ARI_REATTACH_THREW', error: err instanceof Error ? err.message : String(err) }, 're-attach handler threw');
    }
    if (call.claimed) return;
    const timer = this.clock.setTimeout(() => {
      this.claimTimers.delete(timer);
      if (!call.claimed && call.lifecycle === 'live') this.orphan(call, 'not claimed within the orphan limit');
    }, this.options.orphanLimitMs);
    this.claimTimers.add(timer);
  }

  private orphan(call: AriCall, why: string): void {
    this.log.warn({ callId: call.id, code: 'ARI_ORPHANED_CALL', why }, 'sending a call nobody resumed to the safe destination');
    this.sendToSafety(call.id, why);
    call.hungUp('orphaned');
    this.notifyOrphan(call.facts, why);
  }

  private notifyOrphan(facts: CallFacts, reason: string): void {
    const handler = this.orphanHandler;
    if (!handler) return;
    try {
      handler(facts, { reason, handedTo: this.options.safeDestination ? 'dialplan' : 'hangup' });
    } catch (err) {
      this.log.error({ callId: facts.callId, code: 'ARI_ORPHAN_HANDLER_THREW', error: err instanceof Error ? err.message : String(err) }, 'orphan handler threw');
    }
  }

  private sendToSafety(channelId: string, why: string): void {
    const target = this.options.safeDestination;
    if (!target) {
      void this.rest.request('DELETE', `/channels/${seg(channelId)}`, { reason: 'normal' });
      return;
    }
    void this.rest
      .request('POST', `/channels/${seg(channelId)}/continue`, { context: target.context, extension: target.extension, priority: target.priority })
      .then((res) => {
        if (!ok(res) && res.status !== 404) {
          this.log.error({ callId: channelId, code: 'ARI_SAFE_DESTINATION_FAILED', status: res.status, why }, 'could not hand the call to the safe destination; hanging up');
          void this.rest.request('DELETE', `/channels/${seg(channelId)}`, { reason: 'normal' });
        }
      });
  }

  private adopt(channel: AriChannel, args: readonly unknown[]): AriCall {
    const facts = callFacts(channel, args, { routes: this.options.routes, defaultFlow: this.options.defaultFlow });
    const call = new AriCall(facts, this);
    this.calls.set(call.id, call);
    this.callSeq.set(call, ++this.seq);
    return call;
  }

  // ——— events ———

  private dispatch(event: AriEvent): void {
    this.lastEventAt = this.clock.now();
    if (event.type === 'RESTResponse') {
      this.rest.answer(event);
      return;
    }
    if (!this.running) return; // Stopping: only answers to requests still in flight count.
    // A Local channel's halves can sit in two apps on one connection; only our app's events count.
    if (event.application !== undefined && event.application !== this.app) return;
    this.probe.event(event);
    const channelId = typeof event.channel?.id === 'string' ? event.channel.id : undefined;
    if (this.listing > 0 && channelId && (event.type === 'StasisEnd' || event.type === 'ChannelDestroyed') && !this.calls.has(channelId)) {
      this.endedWhileListing.add(channelId);
    }
    switch (event.type) {
      case 'StasisStart':
        if (channelId) this.stasisStart(channelId, event);
        return;
      case 'StasisEnd':
        if (!channelId) return;
        // A dial leg's outcome comes from `Dial` or `ChannelDestroyed`, which carry the status and cause.
        this.calls.get(channelId)?.leftApp();
        return;
      case 'ChannelDtmfReceived': {
        const digit = toDigit(event.digit);
        if (channelId && digit) this.calls.get(channelId)?.key({ type: 'key', digit });
        return;
      }
      case 'ChannelHangupRequest':
      case 'ChannelDestroyed': {
        if (!channelId) return;
        const cause = typeof event.cause === 'number' ? event.cause : undefined;
        this.calls.get(channelId)?.hungUp(cause !== undefined ? String(cause) : undefined);
        const owner = this.legs.get(channelId);
        if (owner && event.type === 'ChannelDestroyed') {
          owner.legEnded(channelId, undefined, cause);
          this.legs.delete(channelId);
        } else if (owner && cause === 17) {
          owner.legEnded(channelId, undefined, cause);
        }
        return;
      }
      case 'ChannelStateChange':
        if (channelId && event.channel?.state === 'Up') this.legs.get(channelId)?.legAnswered(channelId);
        return;
      case 'Dial': {
        const peerId = typeof event.peer?.id === 'string' ? event.peer.id : undefined;
        const owner = peerId ? this.legs.get(peerId) : undefined;
        if (!owner || !peerId) return;
        const status = typeof event.dialstatus === 'string' ? event.dialstatus : '';
        if (status === 'ANSWER') owner.legAnswered(peerId);
        else if (status !== '' && status !== 'RINGING' && status !== 'PROGRESS' && status !== 'PROCEEDING') owner.legEnded(peerId, status, undefined);
        return;
      }
      case 'PlaybackStarted':
      case 'PlaybackFinished': {
        const playbackId = event.playback?.id;
        if (typeof playbackId !== 'string') return;
        const call = this.playbacks.get(playbackId);
        if (!call) return;
        if (event.type === 'PlaybackStarted') call.playbackStarted(playbackId);
        else {
          this.playbacks.delete(playbackId);
          call.playbackEnded(playbackId, event.playback?.state);
        }
        return;
      }
      case 'RecordingFinished':
      case 'RecordingFailed': {
        const name = event.recording?.name;
        if (typeof name !== 'string') return;
        const call = this.recordings.get(name);
        if (!call) return;
        this.recordings.delete(name);
        const seconds = typeof event.recording?.duration === 'number' ? event.recording.duration : 0;
        const failed = event.type === 'RecordingFailed';
        call.recordingEnded(name, failed ? 'failed' : 'finished', seconds * 1000, failed ? cleanValue(event.recording?.cause, 120) || 'recording failed' : undefined);
        return;
      }
      case 'ApplicationReplaced':
        this.lastError = `another connection took over the ARI app \`${this.app}\``;
        this.log.error({ code: 'ARI_APP_REPLACED', app: this.app }, 'another client registered the same ARI application; this one takes it back after the longest backoff');
        if (this.socket instanceof EventSocket) this.socket.recycle('application replaced', true);
        else this.socket.recycle('application replaced');
        return;
      default:
        return;
    }
  }

  private stasisStart(channelId: string, event: AriEvent): void {
    const owner = this.legs.get(channelId);
    if (owner) {
      owner.legStarted(channelId);
      return;
    }
    if (this.calls.has(channelId)) return;
    const args = Array.isArray(event.args) ? event.args : [];
    if (args[0] === DIAL_LEG_ARG) {
      void this.rest.request('DELETE', `/channels/${seg(channelId)}`);
      return;
    }
    const call = this.adopt(event.channel ?? { id: channelId }, args);
    const handler = this.callHandler;
    if (!handler) {
      this.orphan(call, 'no call handler registered');
      return;
    }
    try {
      handler(call);
    } catch (err) {
      this.log.error({ callId: channelId, code: 'ARI_CALL_HANDLER_THREW', error: err instanceof Error ? err.message : String(err) }, 'call handler threw; sending the call to the safe destination');
      this.orphan(call, 'call handler threw');
    }
  }
}

/**
 * Creates the ARI adapter. It connects on `start()` and keeps reconnecting until `stop()`.
 *
 * @example
 *   const ari = createAriAdapter({ url: 'http://127.0.0.1:8088', username: 'touchtone', password: process.env.PW! });
 *   ari.onCall((call) => engine.startCall(call, call.facts.flow));
 *   await ari.start();
 */
export function createAriAdapter(options: AriOptions): AriAdapter {
  return new AriAdapterImpl(options);
}
