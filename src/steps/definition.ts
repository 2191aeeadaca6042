/**
 * The language half of a step kind: its schema part, its edges to other steps and its own meaning checks.
 * Validation imports only definitions (see `registry.ts`), never the compile half.
 */
import type { StepDef, StepKind, PromptList } from '../flow/types.js';
import type { Severity } from '../flow/diagnostics.js';
import type { StepEdge } from './step-module.js';
import { obj, type JsonSchema } from '../flow/schema-parts.js';

export type { JsonSchema } from '../flow/schema-parts.js';

/** What a kind-specific check may ask and report. Pointers are relative to the step (`/menu/options/1`). */
export interface CheckContext {
  /** The whole flow (already shape-valid). */
  readonly flow: import('../flow/types.js').FlowDoc;
  /** The step's name. */
  readonly name: string;
  /** Reports a problem at a pointer relative to the step. Severity defaults to the catalogue's. */
  report(code: string, pointer: string, message: string, opts?: { hint?: string; atKey?: boolean; severity?: Severity }): void;
  /** Checks that every prompt named in a prompt list exists and its templates read defined variables. */
  checkPrompts(list: PromptList | undefined, pointer: string): void;
  /** Checks a template: syntax, defined variables, and (unless `allowSecret`) that it reads no secret input. */
  checkTemplate(value: unknown, pointer: string, opts?: { allowSecret?: boolean; where?: string }): void;
  /** Checks a CEL expression: syntax and defined variables. */
  checkCondition(expr: string, pointer: string, opts?: { allowSecret?: boolean; where?: string }): void;
  /** Checks that a name exists in one of the flow's tables; reports `unknown-<table>` with did-you-mean if not. */
  checkName(table: NameTable, name: string, pointer: string): boolean;
}

/** The tables of names a flow declares, and the code reported for a name missing from each. */
export type NameTable = 'prompts' | 'departments' | 'hours' | 'data' | 'queues' | 'languages';

export interface StepDefinition<S extends StepDef = StepDef> {
  kind: StepKind;
  /** One line for the docs. */
  summary: string;
  /** JSON Schema for the whole step map of this kind (kind key, branch keys, common keys). */
  schema: JsonSchema;
  /** Every reference to another step, with the label authors know it by. */
  edges(step: S): StepEdge[];
  /** May end the call or leave the flow without a next. */
  terminal: boolean;
  /** Waits for the caller (breaks an input-free loop). */
  waitsForInput: boolean;
  /** Kind-specific meaning checks. */
  check?(step: S, ctx: CheckContext): void;
}

/** The keys every step may have besides its kind and branches. */
export const commonStepProperties: Record<string, JsonSchema> = {
  description: { type: 'string', description: 'A note for readers of the flow; shown in graphs and traces.' },
  flush: { type: 'boolean', description: 'Clear keys the caller typed ahead when this step starts (for example before a PIN).' },
};

/**
 * Builds the schema of a step map: the kind key, its branch keys and the common keys, nothing else.
 * @example stepSchema('play', { $ref: '#/$defs/promptList' }, { next: ref('stepRef', 'After playing.') }, ['next'])
 */
export function stepSchema(kind: StepKind, kindSchema: JsonSchema, branches: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return obj({ [kind]: kindSchema, ...branches, ...commonStepProperties }, [kind, ...required]);
}

/** Edge helper: adds an edge when the target is a string. */
export function edge(edges: StepEdge[], label: string, target: unknown, pointer: string): void {
  if (typeof target === 'string') edges.push({ label, target, pointer });
}

/** Edges of a retry policy pair (`noInput`, `noMatch`) plus `exhausted`. */
export function retryEdges(edges: StepEdge[], spec: { noInput?: { next?: string }; noMatch?: { next?: string } }, base: string, exhausted: unknown): void {
  edge(edges, 'noInput', spec.noInput?.next, `${base}/noInput/next`);
  edge(edges, 'noMatch', spec.noMatch?.next, `${base}/noMatch/next`);
  edge(edges, 'exhausted', exhausted, '/exhausted');
}

/** Edges of per-step key overrides (`null` switches a key off and is no edge). */
export function keyEdges(edges: StepEdge[], keys: Record<string, string | null> | undefined, base: string): void {
  for (const [key, target] of Object.entries(keys ?? {})) edge(edges, `key ${key}`, target, `${base}/keys/${escape(key)}`);
}

/** Escapes one JSON pointer segment. */
export function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Checks the prompts and templates of a retry policy pair. */
export function checkRetryPrompts(spec: { noInput?: { prompt?: PromptList }; noMatch?: { prompt?: PromptList } }, base: string, ctx: CheckContext): void {
  ctx.checkPrompts(spec.noInput?.prompt, `${base}/noInput/prompt`);
  ctx.checkPrompts(spec.noMatch?.prompt, `${base}/noMatch/prompt`);
}

/** The edges of a step whose only way on is `next`. */
export function nextEdges(step: { next?: string }): StepEdge[] {
  const edges: StepEdge[] = [];
  edge(edges, 'next', step.next, '/next');
  return edges;
}
