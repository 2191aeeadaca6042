/**
 * Graph checks over the steps: references, reachability, ways out, loops without input, and menus with no
 * way to an agent. Each is a function over the shared context.
 */
import type { StepDef } from '../types.js';
import { pointer } from '../diagnostics.js';
import { didYouMeanText } from '../did-you-mean.js';
import { stepDefinitions } from '../../steps/definitions.js';
import { parse as parseCel } from '@marcbachmann/cel-js';
import { celPaths, definedBy, FlowContext, type GraphStep } from './context.js';
import { isMap } from './damage.js';

const ACTION_LABEL = /^(option|key) /;

/** Every step reference names a step (or an action where actions are allowed). */
export function checkReferences(ctx: FlowContext): void {
  const names = [...ctx.names];
  const check = (target: unknown, at: string, actionsAllowed: boolean) => {
    if (typeof target !== 'string' || ctx.isStep(target)) return;
    if (FlowContext.isAction(target)) {
      if (!actionsAllowed) ctx.report({ code: 'unknown-step', pointer: at, message: `\`${target}\` works only in menu options and keys; here, name a step.` });
      return;
    }
    ctx.report({ code: 'unknown-step', pointer: at, message: `Step \`${target}\` does not exist.${didYouMeanText(target, names)}` });
  };
  check(ctx.flow.start, '/start', false);
  check(errorStep(ctx), '/defaults/error', false);
  for (const [key, target] of flowKeys(ctx)) check(target, pointer('keys', key), true);
  for (const s of ctx.steps.values()) {
    for (const e of s.edges) check(e.target, pointer('steps', s.name) + e.pointer, ACTION_LABEL.test(e.label));
  }
}

/** `defaults.error`, when it is a name. */
function errorStep(ctx: FlowContext): string | undefined {
  const defaults: unknown = ctx.flow.defaults;
  return isMap(defaults) && typeof defaults.error === 'string' ? defaults.error : undefined;
}

/** The flow-wide keys whose target is a name. */
function flowKeys(ctx: FlowContext): [string, string][] {
  const keys: unknown = ctx.flow.keys;
  return isMap(keys) ? Object.entries(keys).filter((e): e is [string, string] => typeof e[1] === 'string') : [];
}

function successors(ctx: FlowContext, s: GraphStep | undefined): string[] {
  return (s?.edges ?? []).map((e) => e.target).filter((t) => ctx.isStep(t));
}

/** Steps reachable from the start, the error step and the global keys. */
export function reachable(ctx: FlowContext): Set<string> {
  const roots = [ctx.flow.start, errorStep(ctx), ...flowKeys(ctx).map(([, t]) => t)].filter((t) => ctx.isStep(t));
  return walk(ctx, roots);
}

/**
 * Whether `live` may miss steps: a reached step the shape pass rejected may lead anywhere, and a rejected
 * (or missing) `start`, error step or flow-wide key may have been meant to lead anywhere.
 */
export function reachUncertain(ctx: FlowContext, live: Set<string>): boolean {
  const { damage, flow } = ctx;
  const defaults: unknown = flow.defaults;
  if (typeof flow.start !== 'string' || damage.unsure('/start', flow.start) || damage.unsure('/keys', flow.keys)) return true;
  if (defaults === undefined && damage.unsure('/defaults', defaults)) return true;
  if (damage.unsure('/defaults/error', isMap(defaults) ? defaults.error : undefined)) return true;
  return [...live].some((n) => ctx.isUncertain(n));
}

function walk(ctx: FlowContext, roots: string[]): Set<string> {
  const seen = new Set<string>(roots);
  const queue = [...roots];
  while (queue.length) {
    const s = ctx.steps.get(queue.pop()!);
    for (const t of successors(ctx, s)) {
      if (!seen.has(t)) {
        seen.add(t);
        queue.push(t);
      }
    }
  }
  return seen;
}

/**
 * Warns about steps nothing leads to. Whether a step is reached depends only on the steps before it, so a
 * step the shape pass rejected is judged too (the caller makes sure the steps before it are all known).
 */
export function checkUnreachable(ctx: FlowContext, live: Set<string>): void {
  for (const name of ctx.names) {
    if (!live.has(name)) ctx.report({ code: 'unreachable-step', pointer: pointer('steps', name), atKey: true, message: `Step \`${name}\` is never reached: no step, key or \`start\` leads to it.` });
  }
}

/** Strongly connected components (Tarjan, iterative so long chains cannot overflow the stack). */
export function components(nodes: readonly string[], next: (n: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; i: number; succ: readonly string[] }[] = [];
    const enter = (n: string) => {
      index.set(n, counter);
      low.set(n, counter++);
      stack.push(n);
      onStack.add(n);
      work.push({ node: n, i: 0, succ: next(n) });
    };
    enter(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      if (top.i < top.succ.length) {
        const w = top.succ[top.i++]!;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.node);
        out.push(comp);
      }
    }
  }
  return out;
}

function inOrder(ctx: FlowContext, names: Iterable<string>): string[] {
  const set = new Set(names);
  return [...ctx.steps.keys()].filter((n) => set.has(n));
}

function cycleText(names: string[]): string {
  const shown = names.slice(0, 5).map((n) => `\`${n}\``);
  return shown.join(' → ') + (names.length > 5 ? ' → …' : '') + ` → \`${names[0]}\``;
}

function isCycle(comp: string[], next: (n: string) => readonly string[]): boolean {
  return comp.length > 1 || next(comp[0]!).includes(comp[0]!);
}

/**
 * Errors on loops made only of steps that never wait for the caller (and that the shape pass accepted). A
 * loop that counts its way out is fine: a `branch` in it whose condition reads a variable the loop computes
 * anew each time round (`tries < 3` after `set: { tries: { expr: "tries + 1" } }`), with that case or the `else`
 * leading out of the loop. A variable set to a fixed value (`tries: 0`) does not count, nor does the clock: a loop
 * that never waits goes round thousands of times a second. Loops that avoid every such branch are still judged.
 */
export function checkInputFreeLoops(ctx: FlowContext): void {
  const quiet = (n: string) => !ctx.isUncertain(n) && !stepDefinitions[ctx.steps.get(n)!.kind].waitsForInput;
  judgeLoops(ctx, [...ctx.steps.keys()].filter(quiet));
}

function judgeLoops(ctx: FlowContext, names: readonly string[]): void {
  const among = new Set(names);
  const next = (n: string) => successors(ctx, ctx.steps.get(n)!).filter((t) => among.has(t));
  for (const comp of components(names, next)) {
    if (!isCycle(comp, next)) continue;
    const ways = waysOut(ctx, comp);
    if (ways.size) {
      judgeLoops(ctx, comp.filter((n) => !ways.has(n)));
      continue;
    }
    const ordered = inOrder(ctx, comp);
    ctx.report({
      code: 'input-free-loop',
      pointer: pointer('steps', ordered[0]!),
      atKey: true,
      message: `Steps ${cycleText(ordered)} loop without ever waiting for the caller.`,
    });
  }
}

/** The `branch` steps of a loop that may leave it: a case on a value the loop computes, with it or `else` leading out. */
function waysOut(ctx: FlowContext, loop: readonly string[]): Set<string> {
  const inLoop = new Set(loop);
  const computed = new Set(loop.flatMap((n) => computedBy(ctx.steps.get(n)!.step)));
  const reads = (expr: unknown) => {
    if (typeof expr !== 'string') return false;
    try {
      return celPaths(parseCel(expr).ast).some((p) => computed.has(p.split('.')[0]!));
    } catch {
      return false;
    }
  };
  const leaves = (target: unknown) => typeof target === 'string' && ctx.isStep(target) && !inLoop.has(target);
  const out = new Set<string>();
  for (const name of loop) {
    const { kind, step } = ctx.steps.get(name)!;
    if (kind !== 'branch') continue;
    const { branch: cases, else: otherwise } = step as { branch?: unknown; else?: unknown };
    if (!Array.isArray(cases)) continue;
    const wayOut = cases.some((c) => isMap(c) && reads(c.if) && (leaves(c.then) || leaves(otherwise)));
    if (wayOut) out.add(name);
  }
  return out;
}

/** Variables a step computes from what they held (`set` with `expr`, or a lookup's fresh record), not fixed values. */
function computedBy(step: StepDef): string[] {
  const set = (step as { set?: unknown }).set;
  if (isMap(set)) return Object.entries(set).flatMap(([name, value]) => (isMap(value) && 'expr' in value ? [name] : []));
  return 'lookup' in step ? definedBy(step) : [];
}

/** A step ends the flow, or may leave it when retries run out or through `back`/`top`. */
function isExit(s: GraphStep): boolean {
  if (stepDefinitions[s.kind].terminal) return true;
  if (s.edges.some((e) => e.target === 'back' || e.target === 'top')) return true;
  if (s.kind === 'menu' || s.kind === 'input') {
    const labels = new Set(s.edges.map((e) => e.label));
    return !labels.has('exhausted') && !(labels.has('noInput') && labels.has('noMatch'));
  }
  return false;
}

/** Steps from which some path reaches one of the `goals` (a reverse walk, linear in the graph). */
function canReach(ctx: FlowContext, goals: readonly string[]): Set<string> {
  const reverse = new Map<string, string[]>();
  for (const s of ctx.steps.values()) {
    for (const t of successors(ctx, s)) {
      const list = reverse.get(t);
      if (list) list.push(s.name);
      else reverse.set(t, [s.name]);
    }
  }
  const seen = new Set(goals);
  const queue = [...goals];
  while (queue.length) {
    for (const p of reverse.get(queue.pop()!) ?? []) {
      if (!seen.has(p)) {
        seen.add(p);
        queue.push(p);
      }
    }
  }
  return seen;
}

/** Errors on cycles (with a waiting step) from which no path leads to an end. A rejected step may be an end. */
export function checkNoWayOut(ctx: FlowContext, live: Set<string>): void {
  const canEnd = canReach(ctx, [...ctx.steps.values()].filter(isExit).map((s) => s.name).concat([...ctx.uncertain]));
  const trapped = [...ctx.steps.keys()].filter((n) => !canEnd.has(n) && live.has(n));
  const next = (n: string) => successors(ctx, ctx.steps.get(n)!).filter((t) => !canEnd.has(t));
  for (const comp of components(trapped, next)) {
    if (!isCycle(comp, next)) continue;
    if (!comp.some((n) => stepDefinitions[ctx.steps.get(n)!.kind].waitsForInput)) continue; // reported as input-free-loop
    const ordered = inOrder(ctx, comp);
    ctx.report({
      code: 'no-way-out',
      pointer: pointer('steps', ordered[0]!),
      atKey: true,
      message: `Steps ${cycleText(ordered)} have no way out: no path from them reaches a hangup, transfer, queue or return.`,
    });
  }
}

const OUT_KINDS = new Set(['queue', 'transfer', 'hangup', 'return']);

/** Warns about menus from which callers can reach neither an agent nor an end. A rejected step may be either. */
export function checkAgentExit(ctx: FlowContext, live: Set<string>): void {
  if (ctx.damage.unsure('/keys', ctx.flow.keys)) return; // a rejected flow-wide key may be the menus' way out
  const globalTargets = flowKeys(ctx);
  const out = canReach(ctx, [...ctx.steps.values()].filter((s) => OUT_KINDS.has(s.kind)).map((s) => s.name).concat([...ctx.uncertain]));
  for (const s of ctx.steps.values()) {
    if (s.kind !== 'menu' || !live.has(s.name) || ctx.isUncertain(s.name)) continue;
    const overrides = ('menu' in s.step && s.step.menu.keys) || {};
    const chosen = s.edges.filter((e) => /^(option|pattern|key) /.test(e.label)).map((e) => e.target);
    for (const [key, target] of globalTargets) if (!(key in overrides)) chosen.push(target);
    if (chosen.some((t) => t === 'back' || t === 'top' || out.has(t))) continue;
    ctx.report({
      code: 'no-agent-exit',
      pointer: pointer('steps', s.name, 'menu', 'options'),
      atKey: true,
      message: `Menu \`${s.name}\` offers no way to an agent or out: no option or key leads to a queue, transfer, hangup, \`back\` or \`top\`.`,
    });
  }
}
