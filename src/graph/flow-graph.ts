/**
 * A flow as a graph of steps and labelled edges, built from the step definitions' `edges()`: the one source
 * of truth for what leads where. The Mermaid printer, path coverage and scenario skeletons all read it.
 */
import type { FlowDoc, StepDef, StepKind } from '../flow/types.js';
import { stepKind } from '../flow/types.js';
import { stepDefinitions } from '../steps/definitions.js';
import type { StepEdge } from '../steps/step-module.js';

export interface GraphStep {
  name: string;
  kind: StepKind | undefined;
  description?: string;
  edges: StepEdge[];
}

export interface FlowGraph {
  flow: string;
  start: string;
  steps: GraphStep[];
  /** The flow-wide error destination (`defaults.error`), if any. */
  error?: string;
  /** Flow-wide keys (`keys:`), as edges from "any menu or input". */
  keys: StepEdge[];
}

/** Builds the step graph of a (shape-valid) flow. @example flowGraph(doc).steps.map((s) => s.name) */
export function flowGraph(flow: FlowDoc): FlowGraph {
  const steps: GraphStep[] = Object.entries(flow.steps ?? {}).map(([name, def]) => {
    const kind = def && typeof def === 'object' ? stepKind(def) : undefined;
    const edges = kind ? stepDefinitions[kind].edges(def as StepDef) : [];
    return { name, kind, ...(def?.description ? { description: def.description } : {}), edges };
  });
  const keys = Object.entries(flow.keys ?? {}).map(([key, target]) => ({ label: `key ${key}`, target, pointer: `/keys/${key}` }));
  return { flow: flow.flow, start: flow.start, steps, ...(flow.defaults?.error ? { error: flow.defaults.error } : {}), keys };
}

/** Whether an edge label is a retry-exhaustion or retry branch (`noInput`, `noMatch`, `exhausted`). */
export function isRetryLabel(label: string): boolean {
  return label === 'noInput' || label === 'noMatch' || label === 'exhausted';
}
