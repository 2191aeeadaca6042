/**
 * What every meaning check shares: the flow, its step graph, the variables it defines, and a report function.
 * Built once per validation so each check stays small.
 */
import { parse as parseCel, type Environment } from '@marcbachmann/cel-js';
import { KEY_ACTIONS, STEP_KINDS, type FlowDoc, type PromptList, type StepDef, type StepKind } from '../types.js';
import { pointer, type Diagnostic, type Severity } from '../diagnostics.js';
import { parseTemplate, templatePaths } from '../template.js';
import { didYouMeanText } from '../did-you-mean.js';
import { stepDefinitions } from '../../steps/definitions.js';
import type { CheckContext, NameTable } from '../../steps/definition.js';
import type { StepEdge } from '../../steps/step-module.js';
import { isMap, ShapeDamage } from './damage.js';
import { celEnvironment, celTypeProblem } from './cel-types.js';

/** Call facts templates and conditions may read as `call.<fact>` (the engine's `callFacts()` fills them). Documented in the README (language). */
export const CALL_FACTS = ['caller', 'callerName', 'dialled', 'language', 'id', 'channel', 'args', 'hour', 'minute', 'weekday', 'date'] as const;

/** Call facts the caller chooses (caller ID is set by the calling side): like keyed digits, never a file name. */
export const CALLER_FACTS: readonly string[] = ['call.caller', 'call.callerName'];

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

/** The step kinds that set variables, and the part of the step that says which. */
const VARIABLE_PARTS: Partial<Record<StepKind, string>> = { input: 'input', lookup: 'lookup', record: 'record', subflow: 'subflow', set: 'set', menu: 'menu/patterns' };

/** The one kind of a step map, or undefined when it has none, two, or is no map at all. */
function soleKind(step: unknown): StepKind | undefined {
  if (!isMap(step)) return undefined;
  const kinds = STEP_KINDS.filter((k) => Object.hasOwn(step, k));
  return kinds.length === 1 ? kinds[0] : undefined;
}

/**
 * The shared state of one validation run. The flow may have failed the shape pass: every reader here takes
 * values as `unknown` in spirit and skips what has the wrong type, because the shape pass already said so.
 */
export class FlowContext {
  readonly findings: Finding[] = [];
  /** Steps with exactly one kind, whose edges are known (those of uncertain steps only in part). */
  readonly steps = new Map<string, GraphStep>();
  /** Every step name, whatever its value: references to a broken step still resolve. */
  readonly names: Set<string>;
  /** Steps the shape pass found fault with (any kind, or none): their edges and kind may be incomplete. */
  readonly uncertain = new Set<string>();
  readonly variables = new Set<string>(['call']);
  readonly secrets = new Set<string>();
  /** Variables that hold what the caller keyed (input, menu patterns), also through `set` copies: never a file name. */
  readonly callerInput = new Set<string>();
  readonly languages: string[];
  /** False when some variable may be set by a part the shape pass rejected: `undefined-variable` stays quiet. */
  readonly variablesKnown: boolean;
  /** False when `languages`/`language` failed the shape pass: language checks stay quiet. */
  readonly languagesKnown: boolean;
  /** The flow as the step kinds' checks see it (see `stepView`). */
  private readonly stepView: FlowDoc;
  /** Built on the first condition: most flows have none. */
  private celEnv?: Environment;

  constructor(
    readonly flow: FlowDoc,
    readonly damage: ShapeDamage = new ShapeDamage(),
  ) {
    const { languages, language } = flow as { languages?: unknown; language?: unknown };
    this.languagesKnown =
      !damage.unsure('/languages', languages) &&
      (languages === undefined ? typeof language === 'string' && !damage.unsure('/language', language) : Array.isArray(languages) && languages.every((l) => typeof l === 'string'));
    this.languages = !this.languagesKnown ? [] : ((languages as string[] | undefined) ?? [language as string]);
    let variablesKnown = !damage.namesUnsure('/variables', flow.variables) && !damage.namesUnsure('/params', flow.params);
    for (const table of [flow.variables, flow.params]) if (isMap(table)) for (const name of Object.keys(table)) this.variables.add(name);
    this.names = new Set(Object.keys(flow.steps));
    for (const [name, step] of Object.entries(flow.steps as Record<string, unknown>)) {
      const kind = soleKind(step);
      const damaged = kind === undefined || damage.steps.has(name);
      if (damaged) this.uncertain.add(name);
      if (kind === undefined) {
        variablesKnown = false;
        continue;
      }
      const part = VARIABLE_PARTS[kind];
      if (damaged && part !== undefined && damage.unsure(`${pointer('steps', name)}/${part}`, valueAt(step, part))) variablesKnown = false;
      const def = step as StepDef;
      this.steps.set(name, { name, kind, step: def, edges: damaged ? this.damagedEdges(kind, def) : stepDefinitions[kind].edges(def) });
      for (const v of definedBy(def)) this.variables.add(v);
      const input = (def as { input?: unknown }).input;
      if (isMap(input) && input.secret === true && typeof input.into === 'string') this.secrets.add(input.into);
      if (kind === 'input' || kind === 'menu') for (const v of definedBy(def)) this.callerInput.add(v);
    }
    spreadCallerInput(this.steps, this.callerInput);
    this.variablesKnown = variablesKnown;
    this.stepView = stepView(flow, damage);
  }

  /** The edges of a step the shape pass found fault with: those its kind could read (rejected values are pruned). */
  private damagedEdges(kind: StepKind, step: StepDef): StepEdge[] {
    let edges: StepEdge[];
    try {
      edges = stepDefinitions[kind].edges(step);
    } catch {
      return []; // the step kind reads the step as shape-valid; what it could not read, the shape pass reported
    }
    return edges.filter((e) => typeof e.target === 'string');
  }

  /** Whether the shape pass found fault with the step, so graph checks must not judge it. */
  isUncertain(name: string): boolean {
    return this.uncertain.has(name);
  }

  /** Runs a step kind's own check; for a rejected step, whatever it cannot read is skipped silently. */
  checkStep(s: GraphStep): void {
    const check = stepDefinitions[s.kind].check;
    if (!check) return;
    if (!this.uncertain.has(s.name)) return check(s.step, this.forStep(s.name));
    try {
      check(s.step, this.forStep(s.name));
    } catch {
      // The step kind's check assumes a shape-valid step; what it reported before stopping stands.
    }
  }

  /** Reports a finding, unless the shape pass already reported the value it is about. */
  report(finding: Finding): void {
    if (this.damage.any && this.damage.covers(finding.pointer)) return;
    this.findings.push(finding);
  }

  /** Whether a name is a step (of any kind, or none). */
  isStep(name: unknown): name is string {
    return typeof name === 'string' && this.names.has(name);
  }

  /** Whether a target is a key action (`back`, `top`, `repeat`) rather than a step. */
  static isAction(target: string): boolean {
    return (KEY_ACTIONS as readonly string[]).includes(target);
  }

  /** The names a table declares, or undefined when the shape pass leaves them unknowable (so no name can be judged). */
  table(table: NameTable): string[] | undefined {
    if (table === 'languages') return this.languagesKnown ? this.languages : undefined;
    const value: unknown = this.flow[table];
    if (this.damage.namesUnsure(`/${table}`, value)) return undefined;
    return isMap(value) ? Object.keys(value) : [];
  }

  checkName(table: NameTable, name: string, at: string): boolean {
    if (typeof name !== 'string') return true;
    const names = this.table(table);
    if (names === undefined) return true;
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
    if (typeof expr !== 'string') return;
    let ast: unknown;
    try {
      ast = parseCel(expr).ast;
    } catch (error) {
      const first = String((error as Error).message).split('\n')[0];
      this.report({ code: 'invalid-condition', pointer: at, message: `\`${expr}\` is not a valid CEL expression: ${first}.` });
      return;
    }
    const before = this.findings.length;
    for (const path of celPaths(ast)) this.checkPath(path, at, opts);
    // Types are only judged when every variable's setter is known and the names are right.
    if (!this.variablesKnown || this.findings.length > before) return;
    this.celEnv ??= celEnvironment(this.flow, [...this.steps.values()].map((s) => s.step));
    const problem = celTypeProblem(this.celEnv, expr);
    if (!problem) return;
    const effect = at.endsWith('/expr') ? ' The variable then keeps its value.' : ' The case then counts as false.';
    this.report({ code: 'condition-type', pointer: at, message: problem.message + effect, hint: problem.hint });
  }

  private checkPath(path: string, at: string, opts: { allowSecret?: boolean; where?: string; extra?: readonly string[] }): void {
    const [root, field] = path.split('.');
    if (opts.extra?.includes(root!)) return;
    if (!this.variables.has(root!)) {
      if (!this.variablesKnown) return;
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

  private checkPlayItem(item: unknown, at: string): void {
    if (typeof item === 'string') {
      this.checkName('prompts', item, at);
      return;
    }
    if (!isMap(item)) return;
    if ('prompt' in item) this.checkName('prompts', item.prompt as string, `${at}/prompt`);
    else if ('opening' in item) this.checkName('hours', item.opening as string, `${at}/opening`);
    else if ('sound' in item) {
      this.checkSoundName(item.sound, `${at}/sound`);
      this.checkTemplate(item.text, `${at}/text`);
    }
    else {
      for (const [key, value] of Object.entries(item)) if (key !== 'sound' && key !== 'currency') this.checkTemplate(value, `${at}/${key}`);
    }
  }

  /**
   * A `sound` may be a template, so a record can name its own sound (`products/${product.sound}`). The file name
   * must come from the flow's data, never from the caller: keyed digits and caller ID are refused, secrets too.
   */
  private checkSoundName(sound: unknown, at: string): void {
    if (typeof sound !== 'string' || !sound.includes('${')) return;
    this.checkTemplate(sound, at, { where: 'a sound file name, which is played and traced' });
    for (const path of templatePaths(sound)) {
      const root = path.split('.')[0]!;
      if (this.secrets.has(root)) continue; // reported as secret-leak
      const fromCaller = this.callerInput.has(root) || CALLER_FACTS.includes(path);
      if (!fromCaller) continue;
      this.report({
        code: 'caller-input-in-sound',
        pointer: at,
        message: `Sound \`${sound}\` is named by \`${path}\`, which ${this.callerInput.has(root) ? 'holds what the caller keyed' : 'the caller controls'}; caller input must never become a file name.`,
        hint: 'Look the value up first and name the sound by a field of the record (`${product.sound}`), or by a `set` value the flow chooses.',
      });
    }
  }

  /** The context a step kind's `check` sees: pointers relative to the step. */
  forStep(name: string): CheckContext {
    const base = pointer('steps', name);
    return {
      flow: this.stepView,
      name,
      report: (code, rel, message, opts) => this.report({ code, pointer: base + rel, message, ...opts }),
      checkPrompts: (list, rel) => this.checkPrompts(list, base + rel),
      checkTemplate: (value, rel, opts) => this.checkTemplate(value, base + rel, opts),
      checkCondition: (expr, rel, opts) => this.checkCondition(expr, base + rel, opts),
      checkName: (table, value, rel) => this.checkName(table, value, base + rel),
    };
  }
}

/**
 * Marks `set` variables that copy caller input (directly or through another copy) as caller input too, so a
 * `set` cannot launder keyed digits into a sound name. Repeats until nothing changes: copies may run in any order.
 */
export function spreadCallerInput(steps: ReadonlyMap<string, GraphStep>, tainted: Set<string>): void {
  const copies: [string, string[]][] = [];
  for (const { kind, step } of steps.values()) {
    if (kind !== 'set') continue;
    const set = (step as { set?: unknown }).set;
    if (!isMap(set)) continue;
    for (const [name, value] of Object.entries(set)) copies.push([name, readsOf(value).map((p) => p.split('.')[0]!)]);
  }
  let changed = tainted.size > 0;
  while (changed) {
    changed = false;
    for (const [name, roots] of copies) {
      if (!tainted.has(name) && roots.some((r) => tainted.has(r))) {
        tainted.add(name);
        changed = true;
      }
    }
  }
}

/** The variable paths a `set` value reads: a template's, or a CEL expression's (none when it does not parse). */
function readsOf(value: unknown): string[] {
  if (typeof value === 'string') return templatePaths(value);
  if (!isMap(value) || typeof value.expr !== 'string') return [];
  try {
    return celPaths(parseCel(value.expr).ast);
  } catch {
    return [];
  }
}

/** The value at a `/`-separated path under a step (undefined where a part is missing or no map). */
function valueAt(root: unknown, path: string): unknown {
  let value = root;
  for (const key of path.split('/')) value = isMap(value) ? value[key] : undefined;
  return value;
}

/**
 * The flow as the step kinds' checks see it. They read `keys` (menus) and `params` (return), trusting the
 * shape: flow-wide keys the shape pass found fault with are left out, and `params` that the shape pass
 * rejected or that may be misspelled counts as declared, so a `return` is not blamed for it.
 */
function stepView(flow: FlowDoc, damage: ShapeDamage): FlowDoc {
  if (!damage.any) return flow;
  const keys = isMap(flow.keys) && !damage.unsure('/keys', flow.keys) ? flow.keys : undefined;
  const params = damage.namesUnsure('/params', flow.params) ? (flow.params ?? {}) : flow.params;
  return { ...flow, keys, params };
}

/** The variables a step sets (those of its parts that have the right type). */
export function definedBy(step: StepDef): string[] {
  const part = (key: string): Record<string, unknown> | undefined => {
    const value: unknown = (step as unknown as Record<string, unknown>)[key];
    return isMap(value) ? value : undefined;
  };
  const into = (key: string): string[] => {
    const value = part(key)?.into;
    return typeof value === 'string' ? [value] : [];
  };
  if ('input' in step) return into('input');
  if ('lookup' in step) return into('lookup');
  if ('record' in step) return into('record');
  if ('subflow' in step) return into('subflow');
  if ('set' in step) return Object.keys(part('set') ?? {});
  if ('menu' in step) {
    const patterns = part('menu')?.patterns;
    return isMap(patterns) ? Object.values(patterns).flatMap((p) => (isMap(p) && typeof p.into === 'string' ? [p.into] : [])) : [];
  }
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
