/**
 * `touchtone serve` as a library call: configuration → store → engine → flows → adapters → HTTP. Without ARI
 * settings the only calls are the dashboard's browser phone (the built-in simulator); with `ari.url` set, Asterisk
 * calls arrive too. `shutdown()` stops taking calls, lets calls in progress finish (or hands them to the dialplan
 * after the grace time), and flushes the store.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../http/app.js';
import type { AppDeps, ComponentStatus, LiveCallView } from '../http/deps.js';
import type { TouchtoneConfig } from '../config/schema.js';
import { callbackSettings, isLoopback } from '../config/load-config.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import type { DataSourceFactory, Logger, QueueStatusProvider, Services } from '../runtime/services.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { instrumentPort } from '../metrics/instrument-port.js';
import { openStore, type Store } from '../store/index.js';
import { createHoursService } from '../data/hours.js';
import { createDataSourceFactory } from '../data/index.js';
import { loadFlowText } from '../flow/load.js';
import { createAriAdapter, type AriAdapter } from '../telephony/ari/index.js';
import { createAmiQueueStatus, type AmiQueueStatus } from '../telephony/ami/index.js';
import type { CallPort } from '../telephony/port.js';
import { FlowCatalog } from './flow-catalog.js';
import { StepTraffic } from './step-traffic.js';
import { OutcomesByVersion } from './version-outcomes.js';
import { BrowserPhone } from './browser-phone.js';
import { storeVersionRepo } from './store-adapters.js';
import { soundWarnings } from './sound-warnings.js';
import { defaultRuntime, type RuntimeModules } from './runtime-modules.js';
import type { CallSessionLike, EngineLike } from './contracts.js';
import { closeOrphaned, persistLiveCalls, takeBack } from './call-persistence.js';
import { createServerCallbacks, type ServerCallbacks } from './callbacks.js';
import { watchFlows } from './watch-flows.js';

export interface ServerOptions {
  config: TouchtoneConfig;
  logger: Logger;
  /** Clock of the engine and store (the real one in production). */
  clock?: Clock;
  /** Watch the flows folder and reload on change. Default true. */
  watch?: boolean;
  /** Test hooks. */
  runtime?: RuntimeModules;
  dataSources?: DataSourceFactory;
  /** Browser phone timing; `clock` defaults to the real clock even when `clock` above is virtual. */
  phone?: { msPerChar?: number; ringMs?: number; recordMs?: number; maxLive?: number; clock?: Clock };
  /** Picks canary calls (tests pass a fixed sequence). */
  random?: () => number;
}

export interface RunningServer {
  url: string;
  port: number;
  /** The admin token; generated for this run when the config has none. Never log it. */
  token: string;
  tokenGenerated: boolean;
  catalog: FlowCatalog;
  engine: EngineLike;
  store: Store;
  metrics: Metrics;
  /** Callback instead of waiting, when `callbacks.enabled`. */
  callbacks?: ServerCallbacks;
  /** Stops taking calls, drains, hands over, flushes and closes. Safe to call twice. */
  shutdown(reason?: string): Promise<void>;
}

/** Queue status when AMI is not configured: unknown, so each queue's `whenUnknown` decides. */
const unknownQueues: QueueStatusProvider = { status: async () => undefined };

/** Where calls still running at the end of the grace time are handed (the shipped dialplan's fallback). */
const HANDOVER = { kind: 'dialplan', context: 'touchtone-fallback', extension: 's', priority: 1 } as const;

/**
 * Starts the server and resolves once it listens.
 * @example const server = await startServer({ config, logger }); process.on('SIGTERM', () => server.shutdown('SIGTERM'));
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const runtime = options.runtime ?? defaultRuntime;

  if (config.store.path !== ':memory:') await mkdir(join(config.store.path, '..'), { recursive: true }).catch(() => undefined);
  let store: Store;
  try {
    store = openStore({ path: config.store.path, clock, logger, retentionDays: config.store.retentionDays });
  } catch (error) {
    throw Object.assign(new Error(`The store \`${config.store.path}\` cannot be opened (${error instanceof Error ? error.message : String(error)}); set \`TOUCHTONE_STORE_PATH\` to a writable file.`), { code: 'store-open-failed' });
  }
  try {
    // SQLite reads a file only at the first query, so a damaged one would otherwise fail later, mid-start.
    store.flowVersions.latest('');
  } catch (error) {
    await store.close().catch(() => undefined);
    throw Object.assign(new Error(`The store \`${config.store.path}\` cannot be read (${error instanceof Error ? error.message : String(error)}); move the damaged file away to start with an empty store, or set \`TOUCHTONE_STORE_PATH\` to another file.`), { code: 'store-open-failed' });
  }
  let ami: AmiQueueStatus | undefined;
  if (config.ami.host) {
    ami = createAmiQueueStatus({ host: config.ami.host, port: config.ami.port, username: config.ami.user, secret: config.ami.secret ?? '', timeoutMs: 2000, logger, clock });
  }
  let ari: AriAdapter | undefined;
  const metrics = createMetrics(
    { storeBacklog: () => store.metrics().backlog, storeLost: () => store.metrics().lost, ariReconnects: () => ari?.status().reconnects ?? 0 },
    { defaults: true },
  );
  const callbackConfig = callbackSettings(config);
  if (callbackConfig && !callbackConfig.ok) throw Object.assign(new Error(callbackConfig.message), { code: 'config-bad-callbacks' });
  const callbacks = callbackConfig ? createServerCallbacks({ config: callbackConfig.config, clock, logger, store: store.callbacks, queues: ami, ari: () => ari, telephony: Boolean(config.ari.url) }) : undefined;
  const services: Services = {
    clock,
    data: options.dataSources ?? createDataSourceFactory({ store, env: process.env, clock, logger }),
    hours: createHoursService(store.hoursOverrides),
    queues: ami ?? unknownQueues,
    records: store.records,
    logger,
    ...(callbacks ? { callbacks: callbacks.requester } : {}),
  };
  const engine = runtime.createEngine(services);
  if (callbacks) engine.onCallEnded((call) => callbacks.callEnded(call));
  const traffic = new StepTraffic();
  traffic.follow(engine);
  const outcomes = new OutcomesByVersion();
  outcomes.follow(engine);
  followMetrics(engine, metrics, clock);

  const catalog: FlowCatalog = new FlowCatalog({
    dir: config.flowsDir,
    engine,
    load: (text, file) => {
      const loaded = loadFlowText(text, file);
      if (config.sounds.dir && loaded.flow) loaded.diagnostics.push(...soundWarnings(loaded, config.sounds.dir));
      return loaded;
    },
    compile: runtime.compile,
    versions: storeVersionRepo(store.flowVersions, (flow): string => catalog.fileOf(flow) ?? join(config.flowsDir, `${flow}.yaml`)),
    logger,
    metrics,
    traffic,
    now: () => clock.now(),
  });
  const running = await catalog.loadAll();
  if (running === 0) logger.warn({ flowsDir: config.flowsDir }, `no valid flow in \`${config.flowsDir}\`: add a flow file there, or fix the errors above`);

  const random = options.random ?? Math.random;
  /**
   * A canary gets its share of new calls: its version is made current for the one synchronous `startCall`, so no
   * other call can slip in between, and the stable version is put back at once.
   */
  const startOnVersion = (port: CallPort, flow?: string): CallSessionLike => {
    const name = port.facts.flow ?? flow;
    const canary = name !== undefined ? catalog.canaryOf(name) : undefined;
    const stable = name !== undefined ? engine.flow(name) : undefined;
    if (!canary || !stable || random() * 100 >= canary.percent) return engine.startCall(port, flow);
    engine.publish(canary.compiled);
    try {
      return engine.startCall(port, flow);
    } finally {
      engine.publish(stable);
    }
  };

  let accepting = true;
  const ports = new Map<string, { port: CallPort; session: CallSessionLike }>();
  const track = (port: CallPort, session: CallSessionLike): CallSessionLike => {
    ports.set(session.id, { port, session });
    // A failed resume ends its session while the one at the error step replaces it under the same call id.
    void session.done.finally(() => {
      if (ports.get(session.id)?.session === session) ports.delete(session.id);
    });
    return session;
  };
  const start = (port: CallPort, flow?: string): CallSessionLike => track(port, startOnVersion(instrumentPort(port, metrics.keyToCommandSeconds, clock), flow));
  // Asterisk calls keep their state in the store, so a restarted engine can take them back.
  persistLiveCalls({ engine, liveCalls: store.liveCalls, clock, logger, persists: (call) => !call.id.startsWith('web-') });
  const phone = new BrowserPhone({
    engine: {
      startCall: (port, flow) => {
        if (!accepting) throw Object.assign(new Error('The server is shutting down and takes no new calls.'), { code: 'shutting-down' });
        return start(port, flow);
      },
    },
    ...options.phone,
    // Browser calls run in real time: a person is listening.
    clock: options.phone?.clock ?? systemClock,
  });

  if (config.ari.url) {
    // Calls found after a reconnect that no session here holds go to the same fallback as a shutdown hand-over.
    ari = createAriAdapter({ url: config.ari.url, username: config.ari.user, password: config.ari.password ?? '', app: config.ari.app, requestsOverWebsocket: config.ari.requestsOverWebsocket, routes: config.ari.routes, safeDestination: HANDOVER, logger, clock });
    ari.onCall((port) => {
      if (!accepting) return port.transfer(HANDOVER);
      start(port, port.facts.flow);
    });
    ari.onOrphan(closeOrphaned({ liveCalls: store.liveCalls, records: store.records, clock, logger, holds: (callId) => ports.has(callId), safeDestination: HANDOVER }));
    ari.onReattach(
      takeBack({
        engine,
        liveCalls: store.liveCalls,
        versions: store.flowVersions,
        load: (text, file) => loadFlowText(text, file),
        compile: runtime.compile,
        fileOf: (flow) => catalog.fileOf(flow),
        resume: (port, flow, version, snapshot) => {
          const session = track(port, engine.resumeCall!(instrumentPort(port, metrics.keyToCommandSeconds, clock), flow, version, snapshot));
          metrics.liveCalls.inc({ flow });
          return session;
        },
        startAtError: (port, flow, reason) => track(port, engine.startCall(instrumentPort(port, metrics.keyToCommandSeconds, clock), flow, { atErrorBecause: reason })),
        accepting: () => accepting,
        safeDestination: HANDOVER,
        records: store.records,
        clock,
        logger,
      }),
    );
    try {
      await ari.start();
    } catch (error) {
      logger.error({ url: config.ari.url, error: error instanceof Error ? error.message : String(error) }, 'ARI did not connect; the adapter keeps retrying, and /ready reports it');
    }
  }

  const token = config.http.token ?? randomBytes(24).toString('base64url');
  const deps: AppDeps = {
    flows: catalog,
    calls: {
      live: () => [...engine.liveCalls.values()].map(liveView),
      recent: (o) => store.recentCalls(o),
      trace: (id) => store.callTrace(id),
      stats: (o) => ({ flows: store.stats(o), versions: outcomes.list(o.flow) }),
    },
    hours: { list: () => store.hoursOverrides.list(), set: (o) => store.hoursOverrides.set(o), clear: (h) => store.hoursOverrides.clear(h), schedules: () => catalog.schedules() },
    // Pending callback requests are listed with the recorded ones, so the dashboard shows them (also without ARI).
    recordings: { list: (purpose) => [...(callbacks && purpose !== 'voicemail' ? callbacks.pending() : []), ...store.recordings.list({ purpose, limit: 200 })] },
    phone,
    readiness: {
      check: async () => ({
        ...(await readiness(catalog, store, ari, ami)),
        // A stopping server is alive but must not get new traffic.
        calls: { ok: accepting, state: accepting ? 'accepting' : 'draining', detail: { live: engine.liveCalls.size } },
      }),
    },
    metrics,
    logger,
    auth: { token, requireForReads: !isLoopback(config.http.host) },
    bodyLimit: config.http.bodyLimit,
    now: () => Date.now(),
  };
  const app = createApp(deps);
  let server: Server;
  try {
    server = await listen(app, config.http.port, config.http.host);
  } catch (error) {
    // Nothing may keep running when the server cannot listen: the process should exit with the reason.
    await ari?.stop().catch(() => undefined);
    await ami?.close().catch(() => undefined);
    await store.close();
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EADDRINUSE'
        ? `Port \`${config.http.port}\` on \`${config.http.host}\` is already in use; stop the other server or set \`TOUCHTONE_HTTP_PORT\`.`
        : code === 'EADDRNOTAVAIL'
          ? `The address \`${config.http.host}\` is not one of this machine's; set \`TOUCHTONE_HTTP_HOST\` to a local address.`
          : `The server cannot listen on \`${config.http.host}:${config.http.port}\` (${code ?? String(error)}).`;
    throw Object.assign(new Error(reason), { code: 'listen-failed' });
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
  const url = `http://${host}:${port}/`;
  const watcher = options.watch === false ? undefined : watchFlows(config.flowsDir, catalog, logger);
  // Loads the requests a previous run left open and starts calling back.
  await callbacks?.scheduler.start();
  logger.info({ url, flows: running, ari: config.ari.url ? 'on' : 'off', ami: config.ami.host ? 'on' : 'off', flowsDir: relative(process.cwd(), config.flowsDir) || '.' }, 'touchtone is serving');

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown') =>
    (stopping ??= (async () => {
      logger.info({ reason, live: ports.size }, 'stopping: no new calls; waiting for calls in progress');
      accepting = false;
      watcher?.close();
      const drained = await Promise.race([engine.drain().then(() => true), delayOn(clock, config.shutdown.graceMs).then(() => false)]);
      if (!drained) {
        logger.warn({ calls: ports.size }, 'grace time over: handing calls in progress to the dialplan');
        for (const [id, { port, session }] of ports) {
          // Handed to the dialplan: its saved state must not bring it back into a later process. The session hears
          // no hangup once the call has left Stasis, so it is ended here, `transferred`, and the drain below is
          // prompt; an engine whose sessions cannot do that gets the record closed for it.
          store.liveCalls.remove(id);
          if (session.handOver) {
            session.handOver(HANDOVER);
            continue;
          }
          port.transfer(HANDOVER);
          store.records.callEnded(id, { kind: 'transferred', step: engine.liveCalls.get(id)?.step ?? '', department: HANDOVER.context }, clock.now());
        }
        phone.hangupAll();
        await Promise.race([engine.drain(), delayOn(clock, 5000)]);
      }
      await callbacks?.scheduler.stop();
      await ari?.stop().catch(() => undefined);
      await ami?.close().catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
      logger.info({ written: store.metrics().written }, 'stopped');
    })());
  return { url, port, token, tokenGenerated: !config.http.token, catalog, engine, store, metrics, ...(callbacks ? { callbacks } : {}), shutdown };
}

function liveView(call: CallSessionLike): LiveCallView {
  return { id: call.id, flow: call.flow.name, version: call.flow.version, caller: call.facts.caller, step: call.step, startedAt: call.startedAt, source: call.id.startsWith('web-') ? 'browser' : 'asterisk' };
}

function delayOn(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const handle = clock.setTimeout(resolve, ms);
    // A real timer must not keep the process alive after everything else stopped.
    (handle as { unref?: () => void } | undefined)?.unref?.();
  });
}

function listen(app: ReturnType<typeof createApp>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

/** Engine hooks → metrics: live calls, outcomes, time per step. */
function followMetrics(engine: EngineLike, metrics: Metrics, clock: Clock): void {
  const entered = new Map<string, { at: number; kind: string }>();
  const leave = (call: CallSessionLike) => {
    const prev = entered.get(call.id);
    if (prev) metrics.stepSeconds.observe({ kind: prev.kind }, (clock.now() - prev.at) / 1000);
  };
  engine.onCallStarted((call) => metrics.liveCalls.inc({ flow: call.flow.name }));
  engine.onStep((call, name) => {
    leave(call);
    const step = call.flow.doc.steps[name];
    const kind = step ? (Object.keys(step).find((k) => k in KINDS) ?? 'unknown') : 'unknown';
    entered.set(call.id, { at: clock.now(), kind });
  });
  engine.onCallEnded((call) => {
    leave(call);
    entered.delete(call.id);
    metrics.liveCalls.dec({ flow: call.flow.name });
    metrics.callsTotal.inc({ flow: call.flow.name, outcome: call.outcome?.kind ?? 'unknown' });
    for (const e of call.trace) {
      if (e.type === 'lookup' && e.result.startsWith('error')) metrics.lookupErrors.inc({ flow: call.flow.name, source: e.source });
    }
  });
}

const KINDS: Record<string, true> = { play: true, menu: true, input: true, lookup: true, branch: true, hours: true, transfer: true, queue: true, record: true, set: true, language: true, hangup: true, subflow: true, return: true };

async function readiness(catalog: FlowCatalog, store: Store, ari: AriAdapter | undefined, ami: AmiQueueStatus | undefined): Promise<Record<string, ComponentStatus>> {
  const flows = catalog.list();
  const running = flows.filter((f) => f.version);
  const m = store.metrics();
  const out: Record<string, ComponentStatus> = {
    flows: { ok: running.length > 0, state: running.length > 0 ? 'ok' : 'none-valid', detail: { running: running.length, invalid: flows.filter((f) => f.state !== 'ok').map((f) => f.name) } },
    store: { ok: !m.lastError && m.backlog < 50_000, state: m.lastError ? 'failing' : 'ok', detail: { backlog: m.backlog, written: m.written, lost: m.lost, ...(m.lastError ? { lastError: m.lastError } : {}) } },
  };
  if (!ari) out.ari = { ok: true, state: 'disabled' };
  else {
    const alive = await ari.ping(2000).catch(() => false);
    const s = ari.status();
    out.ari = { ok: alive, state: alive ? 'connected' : 'unreachable', detail: { reconnects: s.reconnects, calls: s.calls, requestsVia: s.requestsVia, ...(s.lastError ? { lastError: s.lastError } : {}) } };
  }
  if (!ami) out.ami = { ok: true, state: 'disabled' };
  else {
    const h = ami.status();
    out.ami = { ok: h.connected, state: h.connected ? 'connected' : 'disconnected', ...(h.lastError ? { detail: { lastError: h.lastError } } : {}) };
  }
  return out;
}
