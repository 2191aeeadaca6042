/**
 * What the admin API needs from the rest of Touchtone, as interfaces. `src/server/` wires the real engine and
 * store behind them; tests wire small fakes. The HTTP layer holds no logic the CLI would also need.
 */
import type { Diagnostic } from '../flow/diagnostics.js';
import type { HoursOverride } from '../data/hours-overrides.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../runtime/services.js';

/** A flow's place in the catalogue. `invalid`: the file never validated; `stale`: the last edit failed, an older version runs. */
export type FlowState = 'ok' | 'invalid' | 'stale';

export interface FlowVersionInfo {
  version: string;
  hash: string;
  publishedAt: number;
  publishedBy: string;
  note?: string;
  current: boolean;
}

export interface FlowSummary {
  name: string;
  file: string;
  state: FlowState;
  description?: string;
  version?: string;
  versionCount: number;
  /** A version that gets a share of new calls, while `version` gets the rest. */
  canary?: { version: string; percent: number };
  errors: number;
  warnings: number;
}

export interface FlowDetail extends FlowSummary {
  /** The source of the running version (or of the failed file when no version runs). */
  source?: string;
  versions: FlowVersionInfo[];
  /** Problems of the last load or publish, with positions. */
  diagnostics: Diagnostic[];
}

export type PublishResult = { ok: true; version: FlowVersionInfo; unchanged?: boolean } | { ok: false; diagnostics: Diagnostic[] };

export interface GraphNode {
  id: string;
  kind: string;
  label: string;
  /** Calls that entered the step (since start). */
  visits: number;
  /** Calls that hung up or failed while in the step. */
  dropped: number;
  terminal: boolean;
}
export interface GraphEdge {
  from: string;
  to: string;
  label: string;
}
export interface FlowGraph {
  flow: string;
  version: string;
  start: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Flows: list, read, validate, publish, roll back, graph. */
export interface FlowAdmin {
  list(): FlowSummary[];
  get(name: string): FlowDetail | undefined;
  validate(source: string, file: string): Promise<{ valid: boolean; diagnostics: Diagnostic[] }>;
  publish(name: string, source: string, meta: { by: string; note?: string }): Promise<PublishResult>;
  /** Undefined when the flow or version is unknown. */
  rollback(name: string, version: string, meta: { by: string; note?: string }): Promise<PublishResult | undefined>;
  /** Undefined when the flow or version is unknown. */
  graph(name: string, version?: string): FlowGraph | undefined | Promise<FlowGraph | undefined>;
  /** Undefined when the flow is unknown or has no running version. */
  startCanary(name: string, source: string, percent: number, meta: { by: string; note?: string }): Promise<PublishResult | undefined>;
  promoteCanary(name: string, by: string): Promise<PublishResult | undefined>;
  stopCanary(name: string): boolean;
}

export interface LiveCallView {
  id: string;
  flow: string;
  version: string;
  caller: string;
  step: string;
  startedAt: number;
  source: string;
}

/** Calls and figures. Shapes of `recent`, `trace` and `stats` are the store's, passed through. */
export interface CallsAdmin {
  live(): LiveCallView[];
  recent(options: { limit: number; flow?: string }): unknown[];
  trace(id: string): unknown;
  stats(options: { flow?: string }): unknown;
}

export interface HoursAdmin {
  list(): HoursOverride[];
  set(override: HoursOverride): void;
  clear(hours: string): boolean;
  /** The schedules (`hours:` names) the running flows define; when given, an override of another name is refused. */
  schedules?(): string[];
}

export interface RecordingsAdmin {
  list(purpose?: 'voicemail' | 'callback'): unknown[];
}

export interface PhoneLine {
  seq: number;
  at: number;
  kind: 'prompt' | 'key' | 'step' | 'end' | 'note';
  step: string;
  text: string;
}

export interface PhoneCallState {
  id: string;
  flow: string;
  version: string;
  step: string;
  /** For the browser's speech synthesis (`en`, `de` …). */
  language?: string;
  ended: boolean;
  outcome?: unknown;
  lines: PhoneLine[];
}

/** The dashboard's phone: simulator calls on the real clock. */
export interface PhoneAdmin {
  start(flow: string, options: { caller?: string; dialled?: string }): Promise<PhoneCallState>;
  /** Lines with `seq > since`. Undefined when the call is unknown. */
  get(id: string, since: number): PhoneCallState | undefined;
  press(id: string, digits: string): boolean;
  hangup(id: string): boolean;
}

export interface ComponentStatus {
  ok: boolean;
  /** `disabled` components (ARI unset) count as ok. */
  state: string;
  detail?: unknown;
}

export interface Readiness {
  check(): Promise<Record<string, ComponentStatus>>;
}

export interface AppDeps {
  flows: FlowAdmin;
  calls: CallsAdmin;
  hours: HoursAdmin;
  recordings: RecordingsAdmin;
  phone: PhoneAdmin;
  readiness: Readiness;
  metrics: Metrics;
  logger: Logger;
  auth: {
    /** The bearer token. Without one, mutating routes are refused. */
    token?: string;
    /** True when the server listens beyond loopback: reads need the token too. */
    requireForReads: boolean;
    /** Failed attempts allowed per client per window before 429. Default 10 per 15 minutes. */
    failureLimit?: number;
    failureWindowMs?: number;
  };
  bodyLimit?: string;
  /** Folder of the dashboard's files. Default: `public/` of the package. */
  staticDir?: string;
  /** Time source for API timestamps (overrides set by admins). */
  now?: () => number;
}
