/**
 * Renders a flow as a Mermaid flowchart: one node per step (shaped by kind), one arrow per edge, labelled as
 * callers experience it: the key, `timeout`, `invalid`, `found`, `busy` …, plus the flow-wide error route.
 */
import type { FlowDoc, StepKind } from '../flow/types.js';
import { flowGraph, type GraphStep } from './flow-graph.js';

const ACTIONS = new Set(['back', 'top', 'repeat']);

/** How authors read an edge label in a diagram. */
function displayLabel(label: string, step: GraphStep): string {
  if (label.startsWith('option ')) return label.slice('option '.length);
  if (label === 'noInput') return 'timeout';
  if (label === 'noMatch') return 'invalid';
  if (label === 'exhausted') {
    const named = new Set(step.edges.map((e) => e.label));
    const falls = [named.has('noInput') ? undefined : 'timeout', named.has('noMatch') ? undefined : 'invalid'].filter(Boolean);
    return falls.length ? falls.join(' / ') : 'exhausted';
  }
  return label;
}

function shape(kind: StepKind | undefined, text: string): string {
  const q = `"${text}"`;
  switch (kind) {
    case 'menu':
    case 'input':
      return `{{${q}}}`;
    case 'branch':
    case 'hours':
    case 'lookup':
      return `{${q}}`;
    case 'transfer':
    case 'queue':
    case 'subflow':
      return `[[${q}]]`;
    case 'hangup':
    case 'return':
      return `([${q}])`;
    default:
      return `[${q}]`;
  }
}

function escapeText(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;'));
}

/**
 * The Mermaid source of a flow's diagram, stable for a given flow (steps in file order).
 * @example mermaid(doc).startsWith('flowchart TD')
 */
export function mermaid(flow: FlowDoc): string {
  const graph = flowGraph(flow);
  const ids = new Map<string, string>();
  const id = (name: string): string => {
    let value = ids.get(name);
    if (!value) {
      const base = `${ACTIONS.has(name) && !graph.steps.some((s) => s.name === name) ? 'a' : 's'}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
      const taken = new Set(ids.values());
      value = base;
      for (let n = 2; taken.has(value); n++) value = `${base}_${n}`;
      ids.set(name, value);
    }
    return value;
  };
  const lines = ['flowchart TD', `  start(("${escapeText(graph.flow)}")) --> ${id(graph.start)}`];
  for (const step of graph.steps) lines.push(`  ${id(step.name)}${shape(step.kind, `${escapeText(step.name)}<br/><small>${step.kind ?? '?'}</small>`)}`);
  const actions = new Set<string>();
  const outcomes = new Set<string>();
  for (const step of graph.steps) {
    // One arrow per target, so `busy` and `noAnswer` to the same step read as one route.
    const byTarget = new Map<string, string[]>();
    for (const e of step.edges) {
      if (ACTIONS.has(e.target) && !graph.steps.some((s) => s.name === e.target)) actions.add(e.target);
      byTarget.set(e.target, [...(byTarget.get(e.target) ?? []), displayLabel(e.label, step)]);
    }
    for (const [target, labels] of byTarget) {
      const text = labels.filter((l) => l !== 'next').join(', ');
      lines.push(text ? `  ${id(step.name)} -- "${escapeText(text)}" --> ${id(target)}` : `  ${id(step.name)} --> ${id(target)}`);
    }
    const ends = endLabel(step);
    if (ends) {
      outcomes.add(ends.outcome);
      lines.push(`  ${id(step.name)} -- "${ends.label}" --> o_${ends.outcome}(((${ends.outcome})))`);
    }
  }
  for (const action of actions) lines.push(`  ${id(action)}(("${action}"))`);
  if (graph.keys.length) {
    lines.push('  keys[/"any menu or input"/]');
    for (const k of graph.keys) lines.push(`  keys -. "${escapeText(k.label)}" .-> ${id(k.target)}`);
    for (const k of graph.keys) if (ACTIONS.has(k.target) && !actions.has(k.target) && !graph.steps.some((s) => s.name === k.target)) lines.push(`  ${id(k.target)}(("${k.target}"))`), actions.add(k.target);
  }
  if (graph.error) lines.push(`  error[/"any step on error"/] -. "error" .-> ${id(graph.error)}`);
  return lines.join('\n') + '\n';
}

/** Steps that leave the flow without naming a next step get an arrow to their outcome. */
function endLabel(step: GraphStep): { label: string; outcome: string } | undefined {
  if (step.kind === 'transfer' && !step.edges.some((e) => e.label === 'answered')) return { label: 'answered', outcome: 'transferred' };
  if (step.kind === 'queue') return { label: 'agents', outcome: 'queued' };
  return undefined;
}
