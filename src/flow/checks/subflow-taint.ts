/**
 * Caller input must never become a sound file name, also when it travels through a sub-flow parameter: a flow passes
 * `params: { code: "${code}" }` (what the caller keyed) and the sub-flow plays `sound: "products/${code}"`. Each file
 * alone looks fine, so the check runs where a flow and its sub-flows meet, when the loader has both.
 */
import { templatePaths } from '../template.js';
import type { FlowDoc, SubflowStep } from '../types.js';
import { isMap } from './damage.js';
import { CALLER_FACTS, FlowContext, spreadCallerInput } from './context.js';

/** A sub-flow document by the file a `subflow` step names, relative to the flow that names it. */
export type SubflowResolver = (from: FlowDoc, file: string) => FlowDoc | undefined;

/** The first path a template reads that holds caller input (a tainted variable, caller ID), if any. */
export function callerInputRead(template: unknown, tainted: ReadonlySet<string>): string | undefined {
  if (typeof template !== 'string') return undefined;
  return templatePaths(template).find((path) => tainted.has(path.split('.')[0]!) || CALLER_FACTS.includes(path));
}

/** Variables of a valid flow that hold what the caller keyed, also through `set` copies. */
export function callerInputOf(flow: FlowDoc): Set<string> {
  return new FlowContext(flow).callerInput;
}

/** A sound template that reads caller input, and the nested sub-flow file it is in (none: the sub-flow itself). */
export interface TaintedSound {
  sound: string;
  in?: string;
}

/**
 * The templated sound names of a sub-flow that read one of `tainted` (its parameters holding caller input), also
 * through its `set` copies and its own sub-flows. Returns the first such sound, or undefined.
 */
export function soundNamedBy(flow: FlowDoc, tainted: ReadonlySet<string>, resolve: SubflowResolver, seen = new Set<FlowDoc>()): TaintedSound | undefined {
  if (seen.has(flow)) return undefined; // the loader reports cycles
  seen.add(flow);
  const context = new FlowContext(flow);
  const reach = new Set(tainted);
  spreadCallerInput(context.steps, reach);
  for (const { kind, step } of context.steps.values()) {
    if (kind !== 'subflow') {
      const sound = findSound(step, reach);
      if (sound !== undefined) return { sound };
      continue;
    }
    const spec = (step as SubflowStep).subflow;
    const passed = new Set(Object.entries(spec.params ?? {}).filter(([, value]) => callerInputRead(value, reach) !== undefined).map(([param]) => param));
    const nested = passed.size > 0 ? resolve(flow, spec.file) : undefined;
    const deeper = nested ? soundNamedBy(nested, passed, resolve, seen) : undefined;
    if (deeper !== undefined) return { sound: deeper.sound, in: deeper.in ?? spec.file };
  }
  return undefined;
}

/** A `sound:` template anywhere in a step that reads a tainted variable. */
function findSound(value: unknown, tainted: ReadonlySet<string>): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findSound(item, tainted);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isMap(value)) return undefined;
  const sound = value.sound;
  if (typeof sound === 'string' && sound.includes('${') && templatePaths(sound).some((path) => tainted.has(path.split('.')[0]!))) return sound;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'sound') continue;
    const found = findSound(inner, tainted);
    if (found !== undefined) return found;
  }
  return undefined;
}
