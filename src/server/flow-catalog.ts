/**
 * The flows a server runs, and their immutable versions. A flow file change or an API publish makes a new
 * version only when the flow validates and compiles; a bad edit is kept as diagnostics beside the good version,
 * which goes on serving. The engine gets each new version with `publish()`: calls in progress keep theirs.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile, rename, stat } from 'node:fs/promises';
import { findFlowFiles } from '../flow/find-flows.js';
import { basename, join, relative, resolve } from 'node:path';
import type { Diagnostic } from '../flow/diagnostics.js';
import { hasErrors } from '../flow/diagnostics.js';
import type { FlowDoc } from '../flow/types.js';
import { parse as parseYaml } from 'yaml';
import { isMap } from '../flow/checks/damage.js';
import type { FlowAdmin, FlowDetail, FlowGraph, FlowSummary, FlowVersionInfo, PublishResult } from '../http/deps.js';
import type { Logger } from '../runtime/services.js';
import type { Metrics } from '../metrics/metrics.js';
import type { CompileFlow, CompiledFlowLike, EngineLike, FlowVersionRecord, FlowVersionRepo, LoadFlowText } from './contracts.js';
import { flowGraph } from './flow-graph.js';
import type { StepTraffic } from './step-traffic.js';
import { diagnosticLine } from './diagnostic-line.js';

/** A canary: a validated version that gets `percent` of new calls while the current version gets the rest. */
export interface Canary {
  record: FlowVersionRecord;
  compiled: CompiledFlowLike;
  doc: FlowDoc;
  /** Opening-hours schedules of the flow and its sub-flows. */
  schedules: string[];
  percent: number;
}

interface Entry {
  name: string;
  file: string;
  /** The running version (undefined: none ever validated). */
  current?: FlowVersionRecord;
  doc?: FlowDoc;
  /** Opening-hours schedules the running version defines, its sub-flows' included. */
  schedules: string[];
  /** Problems of the last load or publish attempt. */
  diagnostics: Diagnostic[];
  /** A version tried on a share of new calls before it is promoted. */
  canary?: Canary;
  /** Sub-flow files (absolute) the running version uses. */
  uses: Set<string>;
  /** Text of the last failed attempt, so the dashboard can show what is wrong. */
  failedSource?: string;
  lastFailed: boolean;
}

export interface FlowCatalogOptions {
  dir: string;
  engine: Pick<EngineLike, 'publish'>;
  load: LoadFlowText;
  compile: CompileFlow;
  versions: FlowVersionRepo;
  logger: Logger;
  metrics?: Metrics;
  traffic?: StepTraffic;
  now?: () => number;
}


/** A top-level `params:` key marks a sub-flow file. */
const SUBFLOW_FILE = /^params\s*:/m;

/**
 * A version's identity: the SHA-256 of its text (as the store computes it), extended with the sub-flows' texts when
 * there are any, so an edit of a sub-flow also makes a new version of the flows that use it.
 */
function hashOf(text: string, subflows: unknown): string {
  const h = createHash('sha256').update(text);
  if (subflows instanceof Map && subflows.size > 0) {
    for (const [path, sub] of [...subflows.entries()].sort()) h.update(`\0${String(path)}\0${String((sub as { source?: { text?: string } })?.source?.text ?? '')}`);
  }
  return h.digest('hex');
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

/**
 * The server's flows and their versions; the admin API's `FlowAdmin`.
 * @example const catalog = new FlowCatalog({ dir, engine, load, compile, versions, logger }); await catalog.loadAll();
 */
export class FlowCatalog implements FlowAdmin {
  private readonly entries = new Map<string, Entry>();
  private readonly byFile = new Map<string, string>();
  /** Hashes of files this catalog wrote itself, so the watcher does not treat them as edits. */
  private readonly written = new Map<string, string>();
  private readonly now: () => number;

  constructor(private readonly options: FlowCatalogOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Loads every flow file of the folder. Resolves to the number of flows that run. */
  async loadAll(): Promise<number> {
    for (const file of await findFlowFiles(this.options.dir).catch(() => [] as string[])) await this.loadFile(file, 'file', `loaded from ${basename(file)}`);
    return [...this.entries.values()].filter((e) => e.current).length;
  }

  /** (Re)loads one file, as after an edit. A file that no longer exists keeps its last version running. */
  async loadFile(file: string, by = 'file', note = `edited ${basename(file)}`): Promise<PublishResult | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    const wrote = this.written.get(file);
    if (wrote !== undefined && wrote === createHash('sha256').update(text).digest('hex')) {
      // Our own write, seen once; a later edit back to the same text is the author's and must count.
      this.written.delete(file);
      return undefined;
    }
    // A sub-flow (it declares `params`) is served through the flows that use it, never as a flow of its own.
    const result = SUBFLOW_FILE.test(text) ? undefined : await this.accept(text, file, { by, note }, undefined);
    // Flows that use this file as a sub-flow get a new version too (their hash covers their sub-flows' text).
    const path = resolve(file);
    for (const parent of [...this.entries.values()]) {
      if (parent.file !== file && parent.uses.has(path)) await this.loadFile(parent.file, by, `sub-flow ${basename(file)} edited`);
    }
    return result;
  }

  list(): FlowSummary[] {
    return [...this.entries.values()].sort((a, b) => a.name.localeCompare(b.name)).map((e) => this.summary(e));
  }

  get(name: string): FlowDetail | undefined {
    const e = this.entries.get(name);
    if (!e) return undefined;
    return {
      ...this.summary(e),
      source: (e.lastFailed ? e.failedSource : undefined) ?? e.current?.source,
      versions: this.versionsOf(e),
      diagnostics: this.shown(e.diagnostics),
    };
  }

  /** The file a flow is read from and published to, if the flow is known. */
  fileOf(name: string): string | undefined {
    return this.entries.get(name)?.file;
  }

  /** The names of the opening-hours schedules the running versions and canaries define (sub-flows too), sorted. */
  schedules(): string[] {
    const names = new Set<string>();
    for (const e of this.entries.values()) for (const name of [...(e.current ? e.schedules : []), ...(e.canary?.schedules ?? [])]) names.add(name);
    return [...names].sort();
  }

  /** The document of the running version, for readers such as the graph. */
  doc(name: string): FlowDoc | undefined {
    return this.entries.get(name)?.doc;
  }

  async validate(source: string, file: string): Promise<{ valid: boolean; diagnostics: Diagnostic[] }> {
    const loaded = await this.options.load(source, file);
    return { valid: Boolean(loaded.flow) && !hasErrors(loaded.diagnostics), diagnostics: this.shown(loaded.diagnostics) };
  }

  /**
   * Publishes a text through the API. A refused text leaves no trace: the caller has its diagnostics, and the flow
   * keeps its state and source (unlike a bad file, which is what runs on the next start and so marks the flow stale).
   */
  async publish(name: string, source: string, meta: { by: string; note?: string }): Promise<PublishResult> {
    const file = this.entries.get(name)?.file ?? join(this.options.dir, `${name}.yaml`);
    const result = await this.accept(source, file, meta, name, false);
    if (result.ok && !result.unchanged) await this.writeBack(file, source);
    if (!result.ok) this.options.metrics?.flowPublishes.inc({ flow: name, result: 'rejected' });
    return result.ok ? result : { ok: false, diagnostics: this.shown(result.diagnostics) };
  }

  /** Diagnostics as the API shows them: file names relative to the flows folder, so no server path leaks out. */
  private shown(diagnostics: readonly Diagnostic[]): Diagnostic[] {
    return diagnostics.map((d) => (d.file === undefined ? d : { ...d, file: relative(this.options.dir, d.file) || d.file }));
  }

  async rollback(name: string, version: string, meta: { by: string; note?: string }): Promise<PublishResult | undefined> {
    const record = this.options.versions.get(name, version);
    if (!record) return undefined;
    return this.publish(name, record.source, { by: meta.by, note: meta.note ?? `rollback to version ${version}` });
  }

  /**
   * The graph of the running version, the canary or an older version. Only the first two are kept in memory (a
   * server makes versions all day); an older one is read again from the store when asked for.
   */
  async graph(name: string, version?: string): Promise<FlowGraph | undefined> {
    const e = this.entries.get(name);
    const v = version ?? e?.current?.version;
    if (!e || !v) return undefined;
    const doc = v === e.current?.version ? e.doc : v === e.canary?.record.version ? e.canary.doc : await this.storedDoc(name, v);
    if (!doc) return undefined;
    return flowGraph(doc, v, this.options.traffic?.of(name, v) ?? new Map());
  }

  private async storedDoc(name: string, version: string): Promise<FlowDoc | undefined> {
    const record = this.options.versions.get(name, version);
    if (!record) return undefined;
    const loaded = await this.options.load(record.source, record.file || this.fileOf(name) || join(this.options.dir, `${name}.yaml`));
    if (loaded.flow) return loaded.flow;
    // It validated when it was published; a newer Touchtone's checks may refuse it now, yet it can still be drawn.
    const parsed: unknown = parseYaml(record.source);
    return isMap(parsed) && isMap(parsed.steps) ? (parsed as unknown as FlowDoc) : undefined;
  }

  private summary(e: Entry): FlowSummary {
    return {
      name: e.name,
      file: relative(this.options.dir, e.file) || e.file,
      state: !e.current ? 'invalid' : e.lastFailed ? 'stale' : 'ok',
      description: e.doc?.description,
      version: e.current?.version,
      versionCount: this.options.versions.list(e.name).length,
      ...(e.canary ? { canary: { version: e.canary.record.version, percent: e.canary.percent } } : {}),
      errors: e.diagnostics.filter((d) => d.severity === 'error').length,
      warnings: e.diagnostics.filter((d) => d.severity === 'warning').length,
    };
  }

  private versionsOf(e: Entry): FlowVersionInfo[] {
    return this.options.versions
      .list(e.name)
      .map((r) => ({ version: r.version, hash: r.hash, publishedAt: r.publishedAt, publishedBy: r.publishedBy, note: r.note, current: r.version === e.current?.version }))
      .sort((a, b) => Number(b.version) - Number(a.version));
  }

  private entryFor(name: string, file: string): Entry {
    let e = this.entries.get(name);
    if (!e) {
      e = { name, file, schedules: [], diagnostics: [], lastFailed: false, uses: new Set() };
      this.entries.set(name, e);
    }
    this.byFile.set(file, name);
    return e;
  }

  private latest(name: string): FlowVersionRecord | undefined {
    return this.options.versions.list(name).reduce<FlowVersionRecord | undefined>((a, r) => (!a || Number(r.version) > Number(a.version) ? r : a), undefined);
  }

  /** Validates, compiles and activates a text; the heart of hot reload and publish. */
  private async accept(text: string, file: string, meta: { by: string; note?: string }, expectedName: string | undefined, track = true): Promise<PublishResult> {
    const ready = await this.prepare(text, file, meta, expectedName, track);
    if ('result' in ready) return ready.result;
    const { e, record, compiled, doc, schedules, reuse, diagnostics, uses } = ready;
    this.options.engine.publish(compiled);
    this.activate(e, record, doc, schedules, diagnostics);
    e.uses = uses;
    this.options.logger.info({ flow: e.name, version: record.version, by: meta.by, note: meta.note, warnings: diagnostics.length }, reuse ? `flow \`${e.name}\` runs version ${record.version}` : `flow \`${e.name}\` published as version ${record.version}`);
    return { ok: true, version: this.info(record, true) };
  }

  private activate(e: Entry, record: FlowVersionRecord, doc: FlowDoc, schedules: string[], diagnostics: Diagnostic[]): void {
    e.current = record;
    e.doc = doc;
    e.schedules = schedules;
    e.diagnostics = diagnostics;
    e.lastFailed = false;
    e.failedSource = undefined;
    this.options.metrics?.flowPublishes.inc({ flow: e.name, result: 'published' });
  }

  /**
   * Loads, checks and compiles a text, and saves it as a new version; the caller decides whether it runs. With
   * `track`, a failure is recorded on the flow (stale state, logged); an API publish or canary attempt leaves the
   * flow as it is, and a flow the server does not know yet is only added once a version of it is saved.
   */
  private async prepare(
    text: string,
    file: string,
    meta: { by: string; note?: string },
    expectedName: string | undefined,
    track: boolean,
  ): Promise<{ result: PublishResult } | { e: Entry; record: FlowVersionRecord; compiled: CompiledFlowLike; doc: FlowDoc; schedules: string[]; reuse: boolean; diagnostics: Diagnostic[]; uses: Set<string> }> {
    const loaded = await this.options.load(text, file);
    const name = loaded.flow?.flow ?? expectedName ?? this.byFile.get(file) ?? basename(file).replace(/\.ya?ml$/, '');
    const diagnostics = [...loaded.diagnostics];
    if (expectedName !== undefined && loaded.flow && loaded.flow.flow !== expectedName) {
      diagnostics.push({ code: 'flow-name-mismatch', severity: 'error', file, pointer: '/flow', message: `The flow is named \`${loaded.flow.flow}\`, but it was published as \`${expectedName}\`.`, hint: `Set \`flow: ${expectedName}\` or publish it under its own name.` });
    }
    const known = this.entries.get(name);
    if (known && known.file !== file && loaded.flow && expectedName === undefined) {
      // Two files with one `flow:` name would take turns as its versions; the first one loaded keeps it. A file
      // that was moved or renamed is no rival: its old path is gone.
      if (await isFile(known.file)) {
        const other = relative(this.options.dir, known.file) || known.file;
        diagnostics.push({ code: 'flow-name-duplicate', severity: 'error', file, pointer: '/flow', message: `The flow \`${name}\` is already served from \`${other}\`, so this file is not loaded.`, hint: `Give this file its own \`flow:\` name, or delete one of the two files.` });
      } else known.file = file;
    }
    const fail = (d: Diagnostic[]) => ({ result: track ? this.reject(this.entryFor(name, file), text, d, file) : ({ ok: false, diagnostics: d } as const) });
    if (!loaded.flow || hasErrors(diagnostics)) return fail(diagnostics);

    const hash = hashOf(text, loaded.subflows);
    if (known?.current?.hash === hash) {
      const e = this.entryFor(name, file);
      if (track) {
        e.diagnostics = diagnostics;
        e.lastFailed = false;
      }
      return { result: { ok: true, unchanged: true, version: this.info(known.current, true) } };
    }
    // On start, a file identical to the last saved version runs as that version instead of a new one.
    const latest = this.latest(name);
    const reused = !known?.current && latest?.hash === hash ? latest : undefined;
    const version = reused?.version ?? String(Number(latest?.version ?? 0) + 1);
    let compiled: CompiledFlowLike;
    try {
      compiled = this.options.compile({ flow: loaded.flow, file, subflows: loaded.subflows }, version);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return fail([...diagnostics, { code: 'compile-failed', severity: 'error', file, message: `The flow \`${name}\` validated but did not compile: ${message}`, hint: 'This is a bug in Touchtone; please report it with the flow.' }]);
    }
    const record: FlowVersionRecord = reused ?? { flow: name, version, hash, source: text, file, publishedAt: this.now(), publishedBy: meta.by, note: meta.note };
    if (!reused) this.options.versions.save(record);
    const e = this.entryFor(name, file);
    const uses = new Set(loaded.subflows instanceof Map ? [...loaded.subflows.keys()].map((k) => resolve(String(k))) : []);
    // Sub-flows' `hours:` run too (a step reads its own document's schedules), so overrides may name them.
    const docs = [loaded.flow, ...(loaded.subflows instanceof Map ? [...loaded.subflows.values()].map((s) => (s as { flow?: FlowDoc }).flow) : [])];
    const schedules = [...new Set(docs.flatMap((d) => Object.keys(d?.hours ?? {})))];
    return { e, record, compiled, doc: loaded.flow, schedules, reuse: Boolean(reused), diagnostics, uses };
  }

  /**
   * Saves `source` as a new version that gets `percent` of new calls; the current version keeps the rest, and
   * calls in progress keep theirs. The file is not changed until the canary is promoted.
   */
  async startCanary(name: string, source: string, percent: number, meta: { by: string; note?: string }): Promise<PublishResult | undefined> {
    const e = this.entries.get(name);
    if (!e?.current) return undefined;
    const note = `canary ${percent}%${meta.note ? `: ${meta.note}` : ''}`;
    const ready = await this.prepare(source, e.file, { by: meta.by, note }, name, false);
    if ('result' in ready) return ready.result.ok ? { ok: false, diagnostics: [{ code: 'canary-unchanged', severity: 'error', message: `The canary text is the same as version ${e.current.version}, which already runs.`, hint: 'Change the flow, then start the canary.' }] } : { ok: false, diagnostics: this.shown(ready.result.diagnostics) };
    e.canary = { record: ready.record, compiled: ready.compiled, doc: ready.doc, schedules: ready.schedules, percent };
    this.options.logger.info({ flow: name, version: ready.record.version, percent, by: meta.by }, `flow \`${name}\` version ${ready.record.version} gets ${percent}% of new calls`);
    return { ok: true, version: this.info(ready.record, false) };
  }

  /** The canary of a flow, if one runs. */
  canaryOf(name: string): Canary | undefined {
    return this.entries.get(name)?.canary;
  }

  /** Makes the canary the version every new call gets, and writes it to the flow's file. */
  async promoteCanary(name: string, by: string): Promise<PublishResult | undefined> {
    const e = this.entries.get(name);
    const canary = e?.canary;
    if (!e || !canary) return undefined;
    e.canary = undefined;
    this.options.engine.publish(canary.compiled);
    this.activate(e, canary.record, canary.doc, canary.schedules, []);
    await this.writeBack(e.file, canary.record.source);
    this.options.logger.info({ flow: name, version: canary.record.version, by }, `flow \`${name}\` canary version ${canary.record.version} promoted`);
    return { ok: true, version: this.info(canary.record, true) };
  }

  /** Stops a canary: every new call gets the current version again. False when none ran. */
  stopCanary(name: string): boolean {
    const e = this.entries.get(name);
    if (!e?.canary) return false;
    this.options.logger.info({ flow: name, version: e.canary.record.version }, `flow \`${name}\` canary stopped`);
    e.canary = undefined;
    return true;
  }

  private reject(e: Entry, text: string, diagnostics: Diagnostic[], file: string): PublishResult {
    e.diagnostics = diagnostics;
    e.lastFailed = true;
    // Shown as the flow's file in trouble: not the text of another file that claims the same name.
    e.failedSource = file === e.file ? text : undefined;
    this.options.metrics?.flowPublishes.inc({ flow: e.name, result: 'rejected' });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    this.options.logger.error(
      { flow: e.name, file: e.file, running: e.current?.version ?? null, errors: errors.map(diagnosticLine) },
      e.current ? `flow \`${e.name}\` not reloaded: ${errors.length} error(s); version ${e.current.version} keeps running` : `flow \`${e.name}\` does not validate: ${errors.length} error(s)`,
    );
    return { ok: false, diagnostics };
  }

  private info(r: FlowVersionRecord, current: boolean): FlowVersionInfo {
    return { version: r.version, hash: r.hash, publishedAt: r.publishedAt, publishedBy: r.publishedBy, note: r.note, current };
  }

  /** Writes a published text to its file atomically, remembering it so the watcher skips the echo. */
  private async writeBack(file: string, text: string): Promise<void> {
    this.written.set(file, createHash('sha256').update(text).digest('hex'));
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, file);
  }
}
