/**
 * Scenario skeletons for coverage items no test exercised yet: the shortest route from the flow's start to the
 * item (found with `xstate/graph` over the step graph), written as YAML scenario steps with the fakes the route needs.
 * The author fills in the `TODO`s (digits to enter, records to find) and the expectation.
 */
import { createMachine } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { KEY_ACTIONS, type FlowDoc, type StepDef } from '../flow/types.js';
import { flowGraph, type FlowGraph, type GraphStep } from '../graph/flow-graph.js';
import type { StepEdge } from '../steps/step-module.js';
import type { CoverageItem, FlowCoverage } from './coverage.js';
import { missingItems } from './coverage.js';

interface Hop {
  from: GraphStep;
  edge: StepEdge;
}

/**
 * The shortest list of hops from the start step to `target`, or undefined when it cannot be reached. The step
 * graph becomes a tiny state machine (one state per step, one event per edge) for `xstate/graph`.
 */
function routeTo(graph: FlowGraph, target: string): Hop[] | undefined {
  const steps = new Map(graph.steps.map((s) => [s.name, s]));
  if (!steps.has(graph.start) || !steps.has(target)) return undefined;
  const hops = new Map<string, Hop>();
  const states: Record<string, { on: Record<string, string> }> = {};
  for (const step of graph.steps) {
    const on: Record<string, string> = {};
    step.edges.forEach((edge, i) => {
      if (!steps.has(edge.target)) return; // `back`, `top`, `repeat` go nowhere new
      const type = `${step.name}#${i}`;
      on[type] = edge.target;
      hops.set(type, { from: step, edge });
    });
    states[step.name] = { on };
  }
  const machine = createMachine({ id: 'route', initial: graph.start, states });
  const paths = getShortestPaths(machine, {
    events: (state) => Object.keys(states[String(state.value)]?.on ?? {}).map((type) => ({ type })),
    toState: (state) => state.value === target,
  });
  const path = paths.find((p) => p.state.value === target);
  if (!path) return undefined;
  return path.steps.flatMap((step) => {
    const hop = hops.get(step.event.type);
    return hop ? [hop] : [];
  });
}

/** What a test does to take one edge: scenario steps (YAML lines) and setup lines. */
function take(step: GraphStep, label: string, doc: FlowDoc): { steps: string[]; setup: string[] } {
  const def = doc.steps[step.name] as StepDef & Record<string, unknown>;
  const option = /^(?:option|key) (.+)$/.exec(label);
  if (option) return { steps: [`- press: "${option[1]}"`], setup: [] };
  if (label.startsWith('pattern ')) return { steps: [`- press: "TODO"  # digits matching ${label.slice(8)}`], setup: [] };
  switch (label) {
    case 'noInput':
    case 'exhausted':
      return { steps: ['- wait: 60s  # TODO: let the retries run out (or press invalid keys for no-match)'], setup: [] };
    case 'noMatch':
      return { steps: ['- press: "TODO"  # a key that is not an option, once per attempt'], setup: [] };
    case 'found':
    case 'notFound':
    case 'error':
    case 'locked': {
      const source = (def['lookup'] as { source?: string } | undefined)?.source ?? 'TODO';
      return label === 'found' ? { steps: [], setup: [`data: { ${source}: [{ TODO: record the key finds }] }`] } : { steps: [], setup: [`lookups: { ${source}: ${label} }`] };
    }
    case 'open':
    case 'closed':
    case 'holiday':
      return { steps: [], setup: [`hours: { ${String(def['hours'])}: ${label} }`] };
    case 'answered':
    case 'busy':
    case 'noAnswer':
    case 'failed':
      if (step.kind === 'transfer') return { steps: [], setup: [`departments: { ${String(def['transfer'])}: ${label} }`] };
      return { steps: [], setup: ['recording: failed'] };
    case 'noAgents':
    case 'noFreeAgents': {
      const queue = (def['queue'] as { name?: string } | undefined)?.name ?? 'TODO';
      return { steps: [], setup: [`queues: { ${queue}: ${label === 'noAgents' ? 'none' : 'busy'} }`] };
    }
    case 'callback': {
      const key = (def['queue'] as { callback?: { key?: string } } | undefined)?.callback?.key ?? 'TODO';
      return { steps: [`- press: "${key}"  # during the callback offer`], setup: [] };
    }
    case 'callbackRefused': {
      const key = (def['queue'] as { callback?: { key?: string } } | undefined)?.callback?.key ?? 'TODO';
      return { steps: [`- press: "${key}"  # during the callback offer`], setup: ['callbacks: refuse'] };
    }
    case 'next':
      return step.kind === 'input' ? { steps: ['- press: "TODO#"  # a valid entry'], setup: [] } : { steps: [], setup: [] };
    default:
      return { steps: [`# TODO: take \`${label}\` from \`${step.name}\``], setup: [] };
  }
}

/** A YAML scenario skeleton (indented as an item of `scenarios:`) that exercises one coverage item. */
export function skeletonFor(doc: FlowDoc, item: CoverageItem, graph: FlowGraph = flowGraph(doc)): string {
  const route = routeTo(graph, item.step);
  const lines = [`  - name: "TODO: ${item.text.replace(/[`"]/g, '')}"`];
  if (!route) return [...lines, `    # \`${item.step}\` cannot be reached from \`${graph.start}\`.`, '    steps: []'].join('\n');
  const setup: string[] = [];
  const steps: string[] = [];
  for (const hop of route) {
    const t = take(hop.from, hop.edge.label, doc);
    setup.push(...t.setup);
    steps.push(...t.steps);
  }
  const step = graph.steps.find((s) => s.name === item.step)!;
  if (item.kind === 'step') steps.push(`- expect step: ${item.step}`);
  else if (item.kind === 'event') steps.push(...take(step, item.label, doc).steps, `- expect prompt: TODO  # what the caller hears after ${item.label}`);
  else if (item.kind === 'end') {
    const t = take(step, item.label, doc);
    setup.push(...t.setup);
    steps.push(`- expect outcome: ${item.label === 'queued' ? 'queued' : 'transferred'}`);
  } else {
    const t = take(step, item.label, doc);
    setup.push(...t.setup);
    const action = (KEY_ACTIONS as readonly string[]).includes(item.target ?? '');
    steps.push(...t.steps, action ? `- expect prompt: TODO  # what the caller hears after \`${item.target}\`` : `- expect step: ${item.target}`);
  }
  for (const s of [...new Set(setup)]) lines.push(`    ${s}`);
  lines.push('    steps:', ...steps.map((s) => `      ${s}`));
  return lines.join('\n');
}

/** Skeletons for every missing item of a flow, as one YAML document (`scenarios:` list). */
export function skeletons(doc: FlowDoc, coverage: FlowCoverage): string {
  const graph = flowGraph(doc);
  const missing = missingItems(coverage);
  if (missing.length === 0) return '';
  return [`# Scenario skeletons for \`${doc.flow}\`: ${missing.length} item(s) no test covers yet.`, 'scenarios:', ...missing.map((item) => skeletonFor(doc, item, graph))].join('\n') + '\n';
}
