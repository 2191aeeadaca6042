/**
 * Type checks for CEL conditions and expressions. CEL never converts between text and numbers, so `count > 5`
 * on what the caller keyed fails every time it runs (a `branch` case then counts as false). The flow tells
 * the type of many variables: caller input, recordings and text with a template inside are text, literals have their
 * own type. What a lookup, a sub-flow or an expression stores is `dyn`, and so is a value that is one whole template
 * (`"${item.price}"` keeps the type of what it names, see `renderTemplate`): those are not judged here.
 */
import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import type { FlowDoc, StepDef } from '../types.js';
import { isMap } from './damage.js';

/** The CEL type of each call fact (see `callFacts()` in `src/compile/cel.ts`). */
const CALL_FACT_TYPES = {
  caller: 'string',
  callerName: 'string',
  dialled: 'string',
  language: 'string',
  id: 'string',
  channel: 'string',
  args: 'map<string, string>',
  hour: 'int',
  minute: 'int',
  weekday: 'string',
  date: 'string',
};

/** A value that is nothing but one `${…}`: rendering keeps the type of the value it names. */
const WHOLE_TEMPLATE = /^\$\{[^{}]+\}$/;

/** The CEL type a literal gets at run time (integral numbers are passed as `int`, see `toCel`). */
function literalType(value: unknown): string {
  if (typeof value === 'string') return WHOLE_TEMPLATE.test(value) ? 'dyn' : 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  return 'dyn';
}

/** The variables one step sets, with the CEL type of what it stores. */
function stepTypes(step: StepDef): [string, string][] {
  const into = (part: unknown, type: string): [string, string][] => (isMap(part) && typeof part.into === 'string' ? [[part.into, type]] : []);
  const s = step as unknown as Record<string, unknown>;
  if ('input' in s) return into(s.input, 'string');
  if ('record' in s) return into(s.record, 'string');
  if ('lookup' in s) return into(s.lookup, 'dyn');
  if ('subflow' in s) return into(s.subflow, 'dyn');
  if ('set' in s && isMap(s.set)) return Object.entries(s.set).map(([name, v]) => [name, isMap(v) ? 'dyn' : literalType(v)]);
  if ('menu' in s && isMap(s.menu) && isMap(s.menu.patterns)) return Object.values(s.menu.patterns).flatMap((p) => into(p, 'string'));
  return [];
}

/**
 * A CEL environment that knows the type of each variable the flow sets, when every place that sets it agrees;
 * variables it cannot type (or that nobody sets: `undefined-variable` says so) are `dyn`.
 */
export function celEnvironment(flow: FlowDoc, steps: Iterable<StepDef>): Environment {
  const types = new Map<string, string>();
  const add = (name: string, type: string) => types.set(name, types.has(name) && types.get(name) !== type ? 'dyn' : type);
  if (isMap(flow.variables)) for (const [name, value] of Object.entries(flow.variables)) add(name, literalType(value));
  // A parameter's default may be replaced by whatever the calling flow passes.
  if (isMap(flow.params)) for (const name of Object.keys(flow.params)) add(name, 'dyn');
  for (const step of steps) for (const [name, type] of stepTypes(step)) add(name, type);
  const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });
  types.delete('call');
  // A variable named like a CEL type (`double`, `int`) is left `dyn`: the library already knows the name.
  for (const [name, type] of types) if (!env.hasVariable(name)) env.registerVariable(name, type);
  return env.registerVariable('call', { schema: CALL_FACT_TYPES });
}

export interface CelTypeProblem {
  message: string;
  hint: string;
}

const NUMBER_TYPES = new Set(['int', 'uint', 'double']);

/** The checked type of a node (set by the type checker on the nodes it visited). */
function typeOf(node: ASTNode): string | undefined {
  const type = (node as unknown as { checkedType?: unknown }).checkedType;
  return type === undefined ? undefined : String(type);
}

/**
 * Why an expression that parses cannot run, judged by its types, or undefined when it may run. Only missing
 * operator overloads are judged (`string > int`); unknown names are `undefined-variable`'s business.
 * @example celTypeProblem(env, 'count > 5')?.hint // 'Convert the text first: `int(count) > 5` …'
 */
export function celTypeProblem(env: Environment, expr: string): CelTypeProblem | undefined {
  const result = env.check(expr);
  const error = result.error as (Error & { code?: string; node?: ASTNode }) | undefined;
  if (result.valid || error?.code !== 'no_such_overload') return undefined;
  const summary = String((error as { summary?: string }).summary ?? error.message.split('\n')[0]).replace(/^no such overload: /, '');
  const node = error.node as (ASTNode & { start: number; end: number; args: unknown }) | undefined;
  const operands = node && Array.isArray(node.args) && node.args.length === 2 ? (node.args as (ASTNode & { start: number; end: number })[]) : [];
  const text = operands.find((o) => typeOf(o) === 'string');
  const number = operands.find((o) => NUMBER_TYPES.has(typeOf(o) ?? ''));
  if (!node || !text || !number) {
    return {
      message: `\`${expr}\` mixes values of different types (\`${summary}\`): CEL never converts them, so it fails whenever it runs.`,
      hint: 'Convert one side: `int(…)` or `double(…)` turns text into a number, `string(…)` a number into text.',
    };
  }
  const source = (o: { start: number; end: number }) => expr.slice(o.start, o.end);
  const convert = typeOf(number) === 'double' ? 'double' : 'int';
  const fixed = expr.slice(node.start, text.start) + `${convert}(${source(text)})` + expr.slice(text.end, node.end);
  return {
    message: `In \`${source(node)}\`, \`${source(text)}\` is text and \`${source(number)}\` a number: CEL never converts between them, so this fails whenever it runs.`,
    hint: `Convert the text first: \`${fixed}\`${convert === 'int' ? ' (`double(…)` for decimals)' : ''}. What the caller keys, recordings and text with a template inside are always text.`,
  };
}
