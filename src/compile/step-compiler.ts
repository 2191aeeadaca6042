/**
 * The engine half of a step kind: how one step becomes an XState state node.
 *
 * A compiler returns plain data (a state node config). Behaviour is named: the config refers to actions, guards
 * and actors by name (`{ type: 'menu.key', params: { step } }`), and each kind contributes the implementations of
 * its names through `implementations`. Per-step data that the implementations need at run time (matchers, prompt
 * lists, resolved targets) is registered with `ctx.register()` and looked up by the step's qualified name.
 */
import type { AnyActorLogic } from 'xstate';
import type { FlowDoc, PlayItem, PromptList, StepDef, StepRef } from '../flow/types.js';

/** A state node config as plain data (XState's `StateNodeConfig`, kept loose so kinds need no generics). */
export type StateConfig = Record<string, unknown>;

/** Flow-wide defaults with every value resolved to milliseconds / numbers. */
export interface ResolvedDefaults {
  timeoutMs: number;
  interDigitMs: number;
  termMs: number;
  retries: number;
  bargeIn: boolean;
  maxSteps: number;
  /** Qualified name of the flow's error step, if any. */
  error?: string;
}

/** What a step compiler may ask while compiling one step. */
export interface CompileContext {
  /** The step's qualified name: `main`, or `<callStep>/<subStep>` for a step inlined from a subflow. */
  readonly name: string;
  /** The XState state id of the step (use with `#id` targets). */
  readonly stateId: string;
  /** The document the step was written in (the main flow or a subflow file): prompts, data, departments … */
  readonly doc: FlowDoc;
  /** The main flow (global keys, defaults). */
  readonly flow: FlowDoc;
  readonly defaults: ResolvedDefaults;
  /** Resolves a step reference written in this step's document to a qualified step name (`back`, `top`,
   *  `repeat` pass through). Records the edge so the step can reach it. */
  target(ref: StepRef): string;
  /** A named action that moves the call to a step (counts a transition; applies the step cap). */
  go(ref: StepRef): { type: 'go'; params: { to: string } };
  /** The flow-wide keys in effect for this step: `keys:` of the main flow, with the step's overrides applied
   *  (`null` switches one off). Targets are qualified; edges are recorded. */
  globalKeys(overrides?: Record<string, StepRef | null>): Record<string, string>;
  /** Declares that the step may go to any menu (it handles `back` / `top`). */
  reachesMenus(): void;
  /** Normalizes a prompt list to play items (a bare string names a prompt). */
  prompts(list: PromptList | undefined): PlayItem[];
  /** Stores data the step's implementations read at run time, under the step's qualified name. */
  register(data: unknown): void;
  /** Inside a subflow: where its `return` goes (a qualified step of the caller) and the variable that receives
   *  the returned values. */
  readonly returnSite?: { next: string; into?: string };
  /** Compiles a subflow file's steps into the flow at this call site (used by `subflow`). Returns the qualified
   *  name of the subflow's start step and the subflow's document. */
  inlineSubflow(file: string, next: StepRef, into?: string): { start: string; doc: FlowDoc };
}

/** Named implementations a step kind adds to the machine's `setup()`. Names are prefixed with the kind. */
export interface Implementations {
  actions?: Record<string, unknown>;
  guards?: Record<string, unknown>;
  actors?: Record<string, AnyActorLogic>;
}

/** Compiles steps of one kind. */
export interface StepCompiler<S extends StepDef = StepDef> {
  compile(step: S, ctx: CompileContext): StateConfig;
  /** The implementations of the names this kind's configs use. */
  implementations?: Implementations;
}
