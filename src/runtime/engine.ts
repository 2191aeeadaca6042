/**
 * The engine: flows by name and version, and the calls running on them.
 *
 * `publish()` makes a compiled flow the version new calls get; calls in progress keep the version they started
 * on (each session holds its own compiled flow). Data sources are created once per flow version and document.
 *
 * Versions are not kept for ever (hot reload and the admin API make them all day): an engine holds a flow's current
 * version, the one before it (a canary and the stable version take turns as current, and a version rebuilt to take
 * a call back is published just before the current one is put back) and every version a live call runs on. The
 * others are dropped and their data sources closed; a call taken back later rebuilds its version from the store.
 */
import type { FlowDoc } from '../flow/types.js';
import type { CallPort } from '../telephony/port.js';
import type { DataSource, Logger, Services } from './services.js';
import type { CompiledFlow } from '../compile/compile-flow.js';
import { CallSession, type CallSnapshot, type SessionHost } from './call-session.js';
import { dirname } from 'node:path';

/** How `Engine.startCall` begins a call. */
export interface StartOptions {
  /**
   * Begin at the flow's error step (`defaults.error`) instead of its start, and say why: a call taken back after a
   * restart whose saved state cannot be used. Throws when the flow has no error step.
   */
  atErrorBecause?: string;
}

/** Options of an engine. */
export interface EngineOptions {
  /** Step cap for flows that set no `defaults.maxSteps`. Default 500. */
  maxSteps?: number;
  /** Defaults to the services' logger. */
  logger?: Logger;
}

type Listener<A extends unknown[]> = (...args: A) => void;

/**
 * @example
 *   const engine = new Engine(services);
 *   engine.publish(compileFlow({ flow }));
 *   const call = engine.startCall(phone);
 */
export class Engine {
  private readonly current = new Map<string, CompiledFlow>();
  private readonly history = new Map<string, Map<string, CompiledFlow>>();
  /** The version that was current before the last `publish`, per flow. */
  private readonly previous = new Map<string, CompiledFlow>();
  /** Live calls per flow version; a version nobody uses is dropped once it is neither current nor previous. */
  private readonly users = new Map<CompiledFlow, number>();
  private readonly counted = new WeakSet<CallSession>();
  private defaultFlow: string | undefined;
  private readonly live = new Map<string, CallSession>();
  private draining = false;
  private readonly sources = new WeakMap<CompiledFlow, Map<FlowDoc, Map<string, DataSource>>>();
  private readonly startedListeners = new Set<Listener<[CallSession]>>();
  private readonly endedListeners = new Set<Listener<[CallSession]>>();
  private readonly stepListeners = new Set<Listener<[CallSession, string]>>();
  private readonly host: SessionHost;
  private readonly logger: Logger;

  constructor(
    readonly services: Services,
    options: EngineOptions = {},
  ) {
    this.logger = options.logger ?? services.logger;
    this.host = {
      services,
      logger: this.logger,
      ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
      dataSource: (flow, doc, name) => this.dataSource(flow, doc, name),
      stepEntered: (session, step) => {
        if (this.stepListeners.size === 0) return;
        for (const fn of this.stepListeners) this.safely(() => fn(session, step));
      },
      ended: (session) => {
        // A resumed call replaces the session of the same id; the old one must not remove the new one.
        if (this.live.get(session.id) === session) this.live.delete(session.id);
        for (const fn of this.endedListeners) this.safely(() => fn(session));
        this.release(session);
      },
    };
  }

  /** Makes a flow version the one new calls get. The first flow published is the default. */
  publish(flow: CompiledFlow): void {
    const before = this.current.get(flow.name);
    if (before && before !== flow) this.previous.set(flow.name, before);
    this.current.set(flow.name, flow);
    let versions = this.history.get(flow.name);
    if (!versions) this.history.set(flow.name, (versions = new Map()));
    const replaced = versions.get(flow.version);
    versions.set(flow.version, flow);
    // Only now that current and previous are set: a canary call publishes the stable version back right after it,
    // and that version must not be dropped (and its data sources closed) on the way.
    if (replaced && replaced !== flow) this.retire(replaced);
    for (const other of [...versions.values()]) this.retire(other);
    this.defaultFlow ??= flow.name;
  }

  /** The current version of a flow. */
  flow(name: string): CompiledFlow | undefined {
    return this.current.get(name);
  }

  /** A given version of a flow (current or older, while calls may still use it). */
  flowVersion(name: string, version: string): CompiledFlow | undefined {
    return this.history.get(name)?.get(version);
  }

  flows(): CompiledFlow[] {
    return [...this.current.values()];
  }

  /** Live calls by id. */
  get liveCalls(): ReadonlyMap<string, CallSession> {
    return this.live;
  }

  /**
   * Starts a call on `facts.flow ?? flowName ?? the default flow`. A flow name that is not published falls back
   * to the default (logged), so a dialplan typo still reaches a flow. While draining, calls are refused (hung up,
   * outcome `failed` / `draining`). `options.atErrorBecause` begins the call at the flow's error step.
   */
  startCall(port: CallPort, flowName?: string, options: StartOptions = {}): CallSession {
    const wanted = port.facts.flow ?? flowName;
    let flow = wanted !== undefined ? this.current.get(wanted) : undefined;
    if (!flow) {
      if (wanted !== undefined) this.logger.warn({ callId: port.facts.callId, flow: wanted, code: 'unknown-flow' }, 'unknown flow requested; using the default flow');
      flow = this.defaultFlow !== undefined ? this.current.get(this.defaultFlow) : undefined;
    }
    if (!flow) throw new Error('no flow is published: publish a compiled flow before starting calls');
    if (options.atErrorBecause !== undefined && !flow.defaults.error) throw new Error(`flow \`${flow.name}\` has no error step (\`defaults.error\`); call \`${port.facts.callId}\` cannot begin there`);
    const session = new CallSession(this.host, flow, port, options.atErrorBecause !== undefined ? { atErrorBecause: options.atErrorBecause } : {});
    if (this.draining) {
      // Its end is reported to the call-ended listeners, so its start is too: counts of live calls stay paired.
      for (const fn of this.startedListeners) this.safely(() => fn(session));
      session.reject('draining', 'the engine is shutting down');
      return session;
    }
    this.live.set(session.id, session);
    this.use(session, flow);
    for (const fn of this.startedListeners) this.safely(() => fn(session));
    session.start();
    return session;
  }

  /** Takes back a call after a telephony reconnect, on the flow version it started on. */
  resumeCall(port: CallPort, flowName: string, version: string, snapshot: CallSnapshot): CallSession {
    const flow = this.flowVersion(flowName, version);
    if (!flow) throw new Error(`flow \`${flowName}\` version \`${version}\` is not known to this engine; it cannot resume call \`${snapshot.callId}\``);
    const session = new CallSession(this.host, flow, port, { resume: snapshot });
    this.live.set(session.id, session);
    this.use(session, flow);
    session.start();
    return session;
  }

  onCallStarted(fn: (s: CallSession) => void): () => void {
    this.startedListeners.add(fn);
    return () => this.startedListeners.delete(fn);
  }

  onCallEnded(fn: (s: CallSession) => void): () => void {
    this.endedListeners.add(fn);
    return () => this.endedListeners.delete(fn);
  }

  onStep(fn: (s: CallSession, step: string) => void): () => void {
    this.stepListeners.add(fn);
    return () => this.stepListeners.delete(fn);
  }

  /** Stops taking calls and resolves when every live call has ended. */
  async drain(): Promise<void> {
    this.draining = true;
    await Promise.all([...this.live.values()].map((s) => s.done));
  }

  private dataSource(flow: CompiledFlow, doc: FlowDoc, name: string): DataSource {
    let byDoc = this.sources.get(flow);
    if (!byDoc) this.sources.set(flow, (byDoc = new Map()));
    let byName = byDoc.get(doc);
    if (!byName) byDoc.set(doc, (byName = new Map()));
    let source = byName.get(name);
    if (!source) {
      const def = doc.data?.[name];
      if (!def) {
        source = { lookup: async () => ({ status: 'error', code: 'unknown-source', message: `data source \`${name}\` is not defined` }) };
      } else {
        const file = flow.docFiles.get(doc);
        source = this.services.data.create(name, def, file ? dirname(file) : '.');
      }
      byName.set(name, source);
    }
    return source;
  }

  private use(session: CallSession, flow: CompiledFlow): void {
    this.counted.add(session);
    this.users.set(flow, (this.users.get(flow) ?? 0) + 1);
  }

  private release(session: CallSession): void {
    if (!this.counted.delete(session)) return;
    const flow = session.flow;
    const left = (this.users.get(flow) ?? 1) - 1;
    if (left > 0) return void this.users.set(flow, left);
    this.users.delete(flow);
    this.retire(flow);
  }

  /** Drops a version nobody needs any more (see the top of this file) and closes its data sources. */
  private retire(flow: CompiledFlow): void {
    if (this.users.has(flow) || this.current.get(flow.name) === flow || this.previous.get(flow.name) === flow) return;
    const versions = this.history.get(flow.name);
    if (versions?.get(flow.version) === flow) versions.delete(flow.version);
    for (const byName of this.sources.get(flow)?.values() ?? []) {
      for (const source of byName.values()) source.close?.();
    }
    this.sources.delete(flow);
  }

  /** A listener's exception must not break a call. */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.logger.error({ err: error }, 'engine listener failed');
    }
  }
}
