/**
 * The names a test uses (schedules, data sources, departments, queues, steps, prompts) checked against the flow
 * under test, before any call runs: a fake for a schedule the flow does not have would be silently ignored, and an
 * expectation of a step that does not exist would only fail after waiting out the whole call.
 */
import type { CompiledFlow } from '../compile/compile-flow.js';
import type { Diagnostic } from '../flow/diagnostics.js';
import { didYouMeanText } from '../flow/did-you-mean.js';
import type { FlowDoc } from '../flow/types.js';
import type { FlowNameKind, FlowNameRef, ScenarioFile } from './scenario-types.js';

/** How many names a hint lists before it says "…". */
const HINT_NAMES = 12;

/** Every name of each kind the flow and its sub-flows define. */
export function flowNames(flow: CompiledFlow): Record<FlowNameKind, Set<string>> {
  const docs = new Set<FlowDoc>([flow.doc, ...flow.docFiles.keys()]);
  const keysOf = (pick: (doc: FlowDoc) => object | undefined) => new Set([...docs].flatMap((doc) => Object.keys(pick(doc) ?? {})));
  const queues = keysOf((doc) => doc.queues);
  // Queue fakes reach the queue status by its Asterisk name, so that name works too.
  for (const doc of docs) for (const def of Object.values(doc.queues ?? {})) if (def.asteriskQueue) queues.add(def.asteriskQueue);
  return {
    schedule: keysOf((doc) => doc.hours),
    'data source': keysOf((doc) => doc.data),
    department: keysOf((doc) => doc.departments),
    queue: queues,
    step: new Set(flow.stepNames),
    prompt: keysOf((doc) => doc.prompts),
  };
}

/**
 * What is wrong with one name, or undefined when the flow defines it: a sentence with a "did you mean" and a hint
 * that lists the names of that kind.
 * @example unknownFlowName({ kind: 'schedule', name: 'ofice', key: 'hours' }, flow)?.message // 'Flow `acme` has no schedule `ofice`, … Did you mean `office`?'
 */
export function unknownFlowName(ref: Pick<FlowNameRef, 'kind' | 'name' | 'key'>, flow: CompiledFlow, names = flowNames(flow)): { message: string; hint: string } | undefined {
  const known = names[ref.kind];
  if (known.has(ref.name)) return undefined;
  const list = [...known];
  const shown = list.slice(0, HINT_NAMES).map((n) => `\`${n}\``).join(', ') + (list.length > HINT_NAMES ? ', …' : '');
  return {
    message: `Flow \`${flow.name}\` has no ${ref.kind} \`${ref.name}\`, so ${ref.key.startsWith('expect') ? 'this expectation can never pass' : `this \`${ref.key}\` entry would be ignored`}.${didYouMeanText(ref.name, list)}`,
    hint: list.length ? `Name one of its ${ref.kind === 'data source' ? 'data sources' : `${ref.kind}s`}: ${shown}.` : `The flow has no ${ref.kind === 'data source' ? 'data sources' : `${ref.kind}s`}; remove this ${ref.kind}.`,
  };
}

/** `scenario-unknown-name` diagnostics for the names of a scenario file that the flow under test does not define. */
export function checkFlowNames(parsed: ScenarioFile, flow: CompiledFlow): Diagnostic[] {
  const names = flowNames(flow);
  return parsed.names.flatMap((ref) => {
    const problem = unknownFlowName(ref, flow, names);
    return problem ? [{ code: 'scenario-unknown-name', severity: 'error' as const, ...problem, file: parsed.file, range: ref.range }] : [];
  });
}
