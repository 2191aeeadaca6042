/**
 * The parts of the engine, loader and store the server uses, written down as the small structural types the
 * server relies on. The real modules (`src/runtime/engine.ts`, `src/flow/load.ts`, `src/store/`) satisfy them;
 * tests pass fakes. Keeping them narrow means a change elsewhere breaks one adapter here, not the whole server.
 */
import type { Diagnostic } from '../flow/diagnostics.js';
import type { FlowDoc } from '../flow/types.js';
import type { CallFacts, CallPort, DepartmentTarget } from '../telephony/port.js';
import type { CallOutcome, TraceEntry } from '../runtime/services.js';

/** What loading a flow text gives: the document when it parsed, every diagnostic, and the sub-flows it uses. */
export interface LoadedFlow {
  flow?: FlowDoc;
  diagnostics: Diagnostic[];
  subflows?: unknown;
}

export type LoadFlowText = (text: string, file: string) => LoadedFlow | Promise<LoadedFlow>;

/** A flow compiled for the engine, tagged with its version. */
export interface CompiledFlowLike {
  readonly name: string;
  readonly version: string;
  readonly file?: string;
  readonly doc: FlowDoc;
}

export type CompileFlow = (loaded: { flow: FlowDoc; file: string; subflows?: unknown }, version: string) => CompiledFlowLike;

/** One call the engine runs. */
export interface CallSessionLike {
  readonly id: string;
  readonly flow: CompiledFlowLike;
  readonly facts: CallFacts;
  readonly startedAt: number;
  readonly step: string;
  /** The call's language now (it can change during the call). */
  readonly language?: string;
  readonly outcome?: CallOutcome;
  readonly ended: boolean;
  readonly trace: readonly TraceEntry[];
  readonly done: Promise<unknown>;
  /** The call's state, to take it back after an engine restart (the real engine's sessions have it). */
  snapshot?(): unknown;
  /** Hands the call to a destination outside the flow and ends it `transferred` there (the real engine's sessions have it). */
  handOver?(target: DepartmentTarget): void;
}

export interface EngineLike {
  /** New calls get this version; calls in progress keep theirs. */
  publish(flow: CompiledFlowLike): void;
  /** The version new calls of a flow get. */
  flow(name: string): CompiledFlowLike | undefined;
  /** `options.atErrorBecause` begins the call at the flow's error step (a call taken back without its state). */
  startCall(port: CallPort, flowName?: string, options?: { atErrorBecause?: string }): CallSessionLike;
  /** A given version of a flow, current or older, if this engine has it. */
  flowVersion?(name: string, version: string): CompiledFlowLike | undefined;
  /** Takes a call back from a saved snapshot on the flow version it started on; throws if it cannot. */
  resumeCall?(port: CallPort, flowName: string, version: string, snapshot: unknown): CallSessionLike;
  readonly liveCalls: ReadonlyMap<string, CallSessionLike>;
  onCallStarted(fn: (call: CallSessionLike) => void): () => void;
  onCallEnded(fn: (call: CallSessionLike) => void): () => void;
  onStep(fn: (call: CallSessionLike, step: string) => void): () => void;
  /** Resolves when every call in progress has ended. */
  drain(): Promise<void>;
}

/** A saved, immutable flow version. */
export interface FlowVersionRecord {
  flow: string;
  version: string;
  hash: string;
  source: string;
  file: string;
  publishedAt: number;
  publishedBy: string;
  note?: string;
}

/** Where versions are kept: the store's flow versions table in production, memory in tests. */
export interface FlowVersionRepo {
  save(record: FlowVersionRecord): void;
  list(flow: string): FlowVersionRecord[];
  get(flow: string, version: string): FlowVersionRecord | undefined;
}

/** In-memory versions, for tests and `store.path: :memory:` fallbacks. */
export function createMemoryVersionRepo(): FlowVersionRepo {
  const all: FlowVersionRecord[] = [];
  return {
    save: (record) => void all.push({ ...record }),
    list: (flow) => all.filter((r) => r.flow === flow),
    get: (flow, version) => all.find((r) => r.flow === flow && r.version === version),
  };
}
