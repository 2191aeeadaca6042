/**
 * What a compiled machine's implementations may do to the outside world, for one call. The call session
 * implements it and binds it to the actor's system, so implementations defined once per flow version find the
 * call they run for (`runtimeOf(system)`), and the machine config stays plain data.
 */
import type { FlowDoc, PlayItem } from '../flow/types.js';
import type { CallFacts, CallPort, Media } from '../telephony/port.js';
import type { CallOutcome, DataSource, Services, TraceEntry } from '../runtime/services.js';
import type { CallContext } from './call-context.js';
import type { ResolvedDefaults } from './step-compiler.js';

/** A trace entry before the session stamps its time. */
export type TraceInput = TraceEntry extends infer T ? (T extends { at: number } ? Omit<T, 'at'> : never) : never;

/** The window on the world that implementations get for one call (implemented by `CallSession`). */
export interface CallRuntime {
  readonly callId: string;
  /** The name of the flow the call runs. */
  readonly flowName: string;
  readonly port: CallPort;
  readonly facts: CallFacts;
  /** The time zone of the flow (its first `hours` entry, else UTC). */
  readonly timezone: string;
  readonly services: Services;
  /** The flow's resolved defaults (step cap, error step). */
  readonly defaults: ResolvedDefaults;
  /** True for a call taken back without its saved state: it begins at the flow's error step, not its start. */
  readonly beginsAtError: boolean;
  /** Milliseconds since the epoch, from the injected clock. */
  now(): number;
  /** Data registered by a step's compiler. */
  stepData<T>(step: string): T;
  /** Resolves play items to media in the call's language and plays them; returns the playback id, or
   *  undefined when there was nothing to play. Traces the prompts. */
  play(step: string, doc: FlowDoc, items: readonly PlayItem[], ctx: CallContext, lead?: Media[]): string | undefined;
  /** Plays ready media (for read-backs and announcements built at run time). */
  playMedia(step: string, media: Media[]): string | undefined;
  /** The playback in progress, if any. */
  readonly playbackId: string | undefined;
  /** Stops the playback in progress (barge-in, leaving a state). */
  stopPlayback(): void;
  startMusicOnHold(mohClass?: string): void;
  stopMusicOnHold(): void;
  traceEvent(entry: TraceInput): void;
  /** Records the call's outcome (the first one wins). The machine then goes to its final state. */
  finish(outcome: CallOutcome): void;
  /** The data source a document names (created once per flow version). */
  dataSource(doc: FlowDoc, name: string): DataSource;
  /** What templates read: the call's variables and `call` (its facts and the local time), as conditions do. */
  templateVars(ctx: CallContext): Readonly<Record<string, unknown>>;
  /** The call's state as it is now (for invoked actors, which are not handed the context). */
  callState(): CallContext;
  /** Per-call scratch for the step in progress (a lookup request, a recording id …). Not persisted. */
  scratch: Record<string, unknown>;
  /** Called on each step entry (the engine's `onStep`). */
  stepEntered(step: string): void;
}

const runtimes = new WeakMap<object, CallRuntime>();

/**
 * Binds a call's runtime to its call state and to its actor system. Actions find it through the state (XState
 * resolves the first step's entry actions while it creates the actor, before its system is reachable); invoked
 * actors find it through the system.
 */
export function bindRuntime(key: object, runtime: CallRuntime): void {
  runtimes.set(key, runtime);
}

/** The runtime of the call whose state or actor system this is. */
export function runtimeOf(key: object): CallRuntime {
  const runtime = runtimes.get(key);
  if (!runtime) throw new Error('no call runtime is bound to this actor');
  return runtime;
}
