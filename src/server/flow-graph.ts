/**
 * The diagram data of a flow: its steps as nodes and their references as edges (from each step kind's
 * `edges()`), with the traffic each step saw. The dashboard lays it out; this module only describes it.
 */
import type { FlowDoc, StepDef } from '../flow/types.js';
import { stepKind } from '../flow/types.js';
import { stepDefinitions } from '../steps/definitions.js';
import type { FlowGraph, GraphEdge, GraphNode } from '../http/deps.js';
import type { StepCounts } from './step-traffic.js';

/**
 * Builds the graph of one flow version.
 * @example flowGraph(doc, '3', traffic.of('acme-hotline', '3'))
 */
export function flowGraph(doc: FlowDoc, version: string, counts: ReadonlyMap<string, StepCounts>): FlowGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const [id, step] of Object.entries(doc.steps)) {
    const kind = stepKind(step) ?? 'unknown';
    const def = kind === 'unknown' ? undefined : stepDefinitions[kind];
    const c = counts.get(id);
    nodes.push({ id, kind, label: step.description ?? id, visits: c?.visits ?? 0, dropped: c?.dropped ?? 0, terminal: def?.terminal ?? false });
    for (const e of def?.edges(step as StepDef) ?? []) {
      // Key actions (back, top, repeat) are not steps; they would draw edges to nowhere.
      if (e.target in doc.steps) edges.push({ from: id, to: e.target, label: e.label });
    }
  }
  return { flow: doc.flow, version, start: doc.start, nodes, edges };
}
