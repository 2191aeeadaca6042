/**
 * What every meaning check shares: the flow, its step graph, the variables it defines, and a report function.
 * Built once per validation so each check stays small.
 */
import { parse as parseCel } from '@marcbachmann/cel-js';
import { KEY_ACTIONS, stepKind, type FlowDoc, type PlayItem, type PromptList, type StepDef, type StepKind } from '../types.js';
import { pointer, type Diagnostic, type Severity } from '../diagnostics.js';
import { parseTemplate } from '../template.js';
import { didYouMeanText } from '../did-you-mean.js';
import { stepDefinitions } from '../../steps/definitions.js';
import type { CheckContext, NameTable } from '../../steps/definition.js';
import type { StepEdge } from '../../steps/step-module.js';

/** Call facts templates and conditions may read as `call.<fact>` (the engine's `callFacts()` fills them). Documented in the README (language). */
export const CALL_FACTS = ['caller', 'callerName', 'dialled', 'language', 'id', 'channel', 'args', 'hour', 'minute', 'weekday', 'date'] as const;

export type Finding = Omit<Diagnostic, 'severity'> & { severity?: Severity };

export interface GraphStep {
  name: string;
  kind: StepKind;
  step: StepDef;
  edges: StepEdge[];
}

const TABLE_CODES: Record<NameTable, { code: string; what: string }> = {
  prompts: { code: 'unknown-prompt', what: 'Prompt' },
  departments: { code: 'unknown-department', what: 'Department' },
  hours: { code: 'unknown-schedule', what: 'Schedule' },
  data: { code: 'unknown-data-source', what: 'Data source' },
  queues: { code: 'unknown-queue', what: 'Queue' },
  languages: { code: 'unknown-language', what: 'Language' },
};

const MACROS = new Set(['exists', 'all', 'exists_one', 'map', 'filter']);

/** The shared state of one validation run. */
export class FlowContext {
  readonly findings: Finding[] = [];
  readonly steps = new Map<string, GraphStep>();
  readonly variables = new Set<string>(['call']);
  readonly secrets = new Set<string>();
  readonly languages: string[];

  constructor(readonly flow: FlowDoc) {
    this.languages = flow.languages ?? [flow.language];
    for (const name of Object.keys(flow.variables ?? {})) this.variables.add(name);
    for (const name of Object.keys(flow.params ?? {})) this.variables.add(name);
    for (const [name, step] of Object.entries(flow.steps)) {
      const kind = stepKind(step)!;
      this.steps.set(name, { name, kind, step, edges: stepDefinitions[kind].edges(step) });
      for (const v of definedBy(step)) this.variables.add(v);
      if ('input' in step && step.input.secret) this.secrets.add(step.input.into);
    }
  }

  report(finding: Finding): void {
    this.findings.push(finding);
  }

  /** Whether a name is a step. */
  isStep(name: string): boolean {
    return this.steps.has(name);
  }

  /** Whether a target is a key action (`back`, `top`, `repeat`) rather than a step. */
  static isAction(target: string): boolean {
    return (KEY_ACTIONS as readonly string[]).includes(target);
  }

  table(table: NameTable): string[] {
    return table === 'languages' ? this.languages : Object.keys(this.flow[table] ?? {});
  }

  checkName(table: NameTable, name: string, at: string): boolean {
    const names = this.table(table);
    if (names.includes(name)) return true;
    const { code, what } = TABLE_CODES[table];
    const where = table === 'languages' ? (this.flow.languages ? '`languages`' : '`language` (add `languages` to use more than one)') : `\`${table}\``;
    this.report({ code, pointer: at, message: `${what} \`${name}\` is not defined in ${where}.${didYouMeanText(name, names)}` });
    return false;
  }

  checkTemplate(value: unknown, at: string, opts: { allowSecret?: boolean; where?: string; extra?: readonly string[] } = {}): void {
    if (typeof value !== 'string' || !value.includes('${')) return;
    const { parts, errors } = parseTemplate(value);
    for (const error of errors) this.report({ code: 'invalid-template', pointer: at, message: `\`${value}\`: ${error.message}.` });
    for (const part of parts) if ('path' in part) this.checkPath(part.path, at, opts);
  }

  checkCondition(expr: string, at: string, opts: { allowSecret?: boolean; where?: string } = {}): void {
    let ast: unknown;
    try {
      ast = parseCel(expr).ast;
    } catch (error) {
      const first = String((error as Error).message).split('\n')[0];
      this.report({ code: 'invalid-condition', pointer: at, message: `\`${expr}\` is not a valid CEL expression: ${first}.` });
      return;
    }
    for (const path of celPaths(ast)) this.checkPath(path, at, opts);
  }

  private checkPath(path: string, at: string, opts: { allowSecret?: boolean; where?: string; extra?: readonly string[] }): void {
    const [root, field] = path.split('.');
    if (opts.extra?.includes(root!)) return;
    if (!this.variables.has(root!)) {
      const names = [...this.variables, ...(opts.extra ?? [])];
      this.report({ code: 'undefined-variable', pointer: at, message: `Variable \`${root}\` is never set.${didYouMeanText(root!, names)}` });
      return;
    }
    if (root === 'call' && field !== undefined && !(CALL_FACTS as readonly string[]).includes(field)) {
      this.report({ code: 'undefined-variable', pointer: at, message: `\`call.${field}\` is not a call fact.${didYouMeanText(field, CALL_FACTS)}`, hint: `Call facts: ${CALL_FACTS.map((f) => `\`call.${f}\``).join(', ')}.` });
      return;
    }
    if (this.secrets.has(root!) && !opts.allowSecret) {
      this.report({ code: 'secret-leak', pointer: at, message: `Secret input \`${root}\` is used in ${opts.where ?? 'a prompt, which is spoken and traced'}.` });
    }
  }

  checkPrompts(list: PromptList | undefined, at: string): void {
    if (list === undefined) return;
    const items = Array.isArray(list) ? list : [list];
    items.forEach((item, i) => this.checkPlayItem(item, Array.isArray(list) ? `${at}/${i}` : at));
  }

  private checkPlayItem(item: PlayItem, at: string): void {
    if (typeof item === 'string') {
      this.checkName('prompts', item, at);
      return;
    }
    if ('prompt' in item) this.checkName('prompts', item.prompt, `${at}/prompt`);
    else if ('opening' in item) this.checkName('hours', item.opening, `${at}/opening`);
    else {
      for (const [key, value] of Object.entries(item)) if (key !== 'sound' && key !== 'currency') this.checkTemplate(value, `${at}/${key}`);
    }
  }

  /** The context a step kind's `check` sees: pointers relative to the step. */
  forStep(name: string): CheckContext {
    const base = pointer('steps', name);
    return {
      flow: this.flow,
      name,
      report: (code, rel, message, opts) => this.report({ code, pointer: base + rel, message, ...opts }),
      checkPrompts: (list, rel) => this.checkPrompts(list, base + rel),
      checkTemplate: (value, rel, opts) => this.checkTemplate(value, base + rel, opts),
      checkCondition: (expr, rel, opts) => this.checkCondition(expr, base + rel, opts),
      checkName: (table, value, rel) => this.checkName(table, value, base + rel),
    };
  }
}

/** The variables a step sets. */
function definedBy(step: StepDef): string[] {
  if ('input' in step) return [step.input.into];
  if ('lookup' in step) return [step.lookup.into];
  if ('record' in step) return step.record.into ? [step.record.into] : [];
  if ('subflow' in step) return step.subflow.into ? [step.subflow.into] : [];
  if ('set' in step) return Object.keys(step.set);
  if ('menu' in step) return Object.values(step.menu.patterns ?? {}).flatMap((p) => (p.into ? [p.into] : []));
  return [];
}

interface CelNode {
  op: string;
  args: unknown;
}

function isNode(x: unknown): x is CelNode {
  return typeof x === 'object' && x !== null && 'op' in x;
}

/** The variable paths a CEL expression reads (`call.hour`, `acct`), leaving out macro-bound names. */
export function celPaths(ast: unknown): string[] {
  const paths: string[] = [];
  const walk = (node: unknown, bound: ReadonlySet<string>): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, bound));
    if (!isNode(node)) return;
    if (node.op === 'id') {
      if (!bound.has(String(node.args))) paths.push(String(node.args));
      return;
    }
    if (node.op === '.' && Array.isArray(node.args) && isNode(node.args[0]) && node.args[0].op === 'id') {
      const root = String(node.args[0].args);
      if (!bound.has(root)) paths.push(`${root}.${String(node.args[1])}`);
      return;
    }
    if (node.op === 'rcall' && Array.isArray(node.args) && MACROS.has(String(node.args[0]))) {
      const [, target, callArgs] = node.args as [string, unknown, unknown[]];
      walk(target, bound);
      const first = callArgs?.[0];
      const inner = new Set(bound);
      if (isNode(first) && first.op === 'id') inner.add(String(first.args));
      callArgs?.slice(1).forEach((n) => walk(n, inner));
      return;
    }
    walk(node.args, bound);
  };
  walk(ast, new Set());
  return paths;
}
