/**
 * Flow → XState machine. Compiled once per flow version; every call runs one actor of the machine.
 *
 * Shape: one top-level state per step (steps of subflows are inlined under `<callStep>/<subStep>`), plus a final
 * `__end` state. Every move between steps goes through the `go` action, which raises `tt.go` with the target (or
 * `tt.cap` past the step cap); each step lists, as guarded `tt.go` transitions, only the steps it can reach, so an
 * event never scans the whole flow. The config is plain data; behaviour is named and supplied through `setup()`.
 */
import { setup, type AnyStateMachine } from 'xstate';
import { dirname, resolve } from 'node:path';
import type { FlowDoc, PromptList, PlayItem, StepDef, StepRef } from '../flow/types.js';
import { KEY_ACTIONS, stepKind } from '../flow/types.js';
import { durationMs } from '../flow/duration.js';
import type { CompileContext, Implementations, ResolvedDefaults, StateConfig } from './step-compiler.js';
import { stepCompilers } from './compilers.js';
import { commonActions, commonGuards } from './effects.js';
import type { CallContext, MachineContext } from './call-context.js';
import { CompileError } from './compile-error.js';

/** A flow ready to run. */
export interface CompiledFlow {
  name: string;
  version: string;
  file?: string;
  doc: FlowDoc;
  machine: AnyStateMachine;
  /** Every step, including inlined subflow steps (`<callStep>/<subStep>`). */
  stepNames: string[];
  /** Run-time data of steps, by qualified name (used by the implementations). */
  stepData: ReadonlyMap<string, unknown>;
  defaults: ResolvedDefaults;
  /** Steps that collect secret input (their keys are masked in traces). */
  secretSteps: ReadonlySet<string>;
  /** The file each document came from (for data sources' relative paths). */
  docFiles: ReadonlyMap<FlowDoc, string>;
  /** The steps that are menus (targets of `back` and `top`). */
  menus: readonly string[];
}

/** Thrown for compile problems the validator should have caught first. */
export { CompileError } from './compile-error.js';

/** The reserved final state. */
export const END_STATE = '__end';

/** The reserved first state of a flow with an error step: it moves on at once to the start or the error step. */
const BEGIN_STATE = '__begin';

const DEFAULTS = { timeoutMs: 5000, interDigitMs: 3000, termMs: 0, retries: 2, bargeIn: true, maxSteps: 500 };

/** Flow defaults resolved to numbers. */
export function resolveDefaults(flow: FlowDoc): ResolvedDefaults {
  const d = flow.defaults ?? {};
  return {
    timeoutMs: durationMs(d.timeout, DEFAULTS.timeoutMs),
    interDigitMs: durationMs(d.interDigitTimeout, DEFAULTS.interDigitMs),
    termMs: durationMs(d.termTimeout, DEFAULTS.termMs),
    retries: d.retries ?? DEFAULTS.retries,
    bargeIn: d.bargeIn ?? DEFAULTS.bargeIn,
    maxSteps: d.maxSteps ?? DEFAULTS.maxSteps,
    ...(d.error ? { error: d.error } : {}),
  };
}

/** The XState state key and id of a step. Dots separate state paths in XState, so they are replaced. */
export function stateKey(step: string): string {
  return step.replace(/\./g, '_');
}

/** Normalizes a prompt list: a bare item becomes a one-item list. */
export function promptItems(list: PromptList | undefined): PlayItem[] {
  if (list === undefined) return [];
  return Array.isArray(list) ? list : [list];
}

let versionCounter = 0;

interface Pending {
  name: string;
  node: StateConfig;
  targets: Set<string>;
  menus: boolean;
}

/**
 * Compiles a flow (already validated) and the subflows it calls.
 * @example const compiled = compileFlow({ flow: doc, file: 'flows/acme-hotline.yaml' }); createActor(compiled.machine, …)
 */
export function compileFlow(
  input: { flow: FlowDoc; file?: string; subflows?: Map<string, { flow?: FlowDoc }> },
  opts: { version?: string } = {},
): CompiledFlow {
  const flow = input.flow;
  const defaults = resolveDefaults(flow);
  const states: Record<string, StateConfig> = {};
  const stepData = new Map<string, unknown>();
  const stepNames: string[] = [];
  const menus: string[] = [];
  const secretSteps = new Set<string>();
  const docFiles = new Map<FlowDoc, string>();
  if (input.file) docFiles.set(flow, input.file);
  const pending: Pending[] = [];
  const implementations: Implementations[] = [];
  for (const compiler of Object.values(stepCompilers)) if (compiler.implementations) implementations.push(compiler.implementations);

  const globalKeyTable = flow.keys ?? {};

  function compileDoc(doc: FlowDoc, prefix: string, stack: string[], returnSite?: { next: string; into?: string }): void {
    for (const [local, step] of Object.entries(doc.steps)) compileStep(doc, prefix, local, step, stack, returnSite);
  }

  function compileStep(doc: FlowDoc, prefix: string, local: string, step: StepDef, stack: string[], returnSite?: { next: string; into?: string }): void {
    const name = prefix + local;
    const kind = stepKind(step);
    if (!kind) throw new CompileError('unknown-step-kind', `Step \`${name}\` has no step kind; give it one of the kinds in the reference.`);
    const p: Pending = { name, node: {}, targets: new Set(), menus: false };
    const qualify = (ref: StepRef) => ((KEY_ACTIONS as readonly string[]).includes(ref) ? ref : prefix + ref);
    const record = (target: string) => {
      if (target === 'back' || target === 'top') p.menus = true;
      else if (target !== 'repeat') p.targets.add(target);
      return target;
    };
    const ctx: CompileContext = {
      name,
      stateId: stateKey(name),
      doc,
      flow,
      defaults,
      ...(returnSite ? { returnSite } : {}),
      target: (ref) => record(qualify(ref)),
      go: (ref) => ({ type: 'go', params: { to: record(qualify(ref)) } }),
      reachesMenus: () => {
        p.menus = true;
      },
      globalKeys: (overrides) => {
        const out: Record<string, string> = {};
        for (const [key, target] of Object.entries(globalKeyTable)) out[key] = record(target);
        for (const [key, target] of Object.entries(overrides ?? {})) {
          if (target === null) delete out[key];
          else out[key] = record(qualify(target));
        }
        return out;
      },
      prompts: promptItems,
      register: (data) => {
        stepData.set(name, data);
      },
      inlineSubflow: (file, next, into) => {
        // Sub-flows are keyed by the path the loader resolved (relative to the calling file), or as written.
        const caller = docFiles.get(doc);
        const path = caller && !input.subflows?.has(file) ? resolve(dirname(caller), file) : file;
        if (stack.includes(path)) throw new CompileError('subflow-recursion', `Subflow \`${file}\` calls itself (through \`${stack.join('` → `')}\`); subflows may not recurse.`);
        const sub = input.subflows?.get(path)?.flow;
        if (!sub) throw new CompileError('unknown-subflow', `Step \`${name}\` calls subflow \`${file}\`, which was not loaded; check the path.`);
        docFiles.set(sub, path);
        compileDoc(sub, `${name}/`, [...stack, path], { next: record(qualify(next)), ...(into ? { into } : {}) });
        return { start: record(`${name}/${sub.start}`), doc: sub };
      },
    };
    if (returnSite) record(returnSite.next);
    p.node = stepCompilers[kind].compile(step as never, ctx);
    if (kind === 'menu') menus.push(name);
    if (kind === 'input' && (step as { input: { secret?: boolean } }).input.secret) secretSteps.add(name);
    stepNames.push(name);
    pending.push(p);
    states[stateKey(name)] = p.node;
  }

  compileDoc(flow, '', input.file ? [input.file] : []);

  for (const p of pending) {
    const targets = new Set(p.targets);
    if (p.menus) for (const m of menus) targets.add(m);
    if (defaults.error) targets.add(defaults.error);
    const candidates = [...targets]
      .filter((t) => states[stateKey(t)] !== undefined)
      .map((t) => ({ guard: { type: 'flow.goIs', params: { to: t } }, target: `#${stateKey(t)}`, ...(t === p.name ? { reenter: true } : {}) }));
    p.node['id'] = stateKey(p.name);
    p.node['on'] = { ...((p.node['on'] as object | undefined) ?? {}), 'tt.go': candidates };
  }

  const actions: Record<string, unknown> = { ...commonActions };
  const guards: Record<string, unknown> = { ...commonGuards };
  const actors: Record<string, unknown> = {};
  for (const impl of implementations) {
    Object.assign(actions, impl.actions);
    Object.assign(guards, impl.guards);
    Object.assign(actors, impl.actors);
  }

  // A call taken back without its saved state begins at the flow's error step (the flow's own safe destination)
  // instead of greeting the caller again; an eventless first state picks the step, so no step is entered twice.
  const begin =
    defaults.error && states[stateKey(defaults.error)] !== undefined
      ? { [BEGIN_STATE]: { always: [{ guard: 'flow.beginsAtError', target: `#${stateKey(defaults.error)}` }, { target: `#${stateKey(flow.start)}` }] } }
      : undefined;
  const config = {
    id: 'flow',
    context: ({ input: call }: { input: CallContext }): MachineContext => ({ call }),
    initial: begin ? BEGIN_STATE : stateKey(flow.start),
    states: { ...begin, ...states, [END_STATE]: { type: 'final' } },
    on: {
      key: { actions: 'key.buffer' },
      'tt.cap': { actions: 'flow.cap' },
      // Reached only if a step raised a move it does not list (a compiler bug): end the call rather than hang.
      'tt.go': { actions: 'flow.lost' },
      'tt.end': `.${END_STATE}`,
    },
  };
  const machine = setup({ actions, guards, actors } as never).createMachine(config as never) as unknown as AnyStateMachine;
  return {
    name: flow.flow,
    version: opts.version ?? `v${++versionCounter}`,
    ...(input.file ? { file: input.file } : {}),
    doc: flow,
    machine,
    stepNames,
    stepData,
    defaults,
    secretSteps,
    docFiles,
    menus,
  };
}
