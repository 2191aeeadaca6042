/**
 * Turns ajv's errors into one plain sentence per problem (never a dump of `anyOf` branches), with a stable
 * code and a JSON pointer. For an `anyOf`, the branch the value was meant for is picked from its shape and
 * validated alone, so the author hears about that branch only.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { STEP_KINDS } from './types.js';
import { pointer, pointerSegments, type Diagnostic } from './diagnostics.js';
import { didYouMean, didYouMeanText } from './did-you-mean.js';
import { buildFlowSchema } from './flow-schema.js';
import { DIAL_PATTERN, KEY_PATTERN, LANGUAGE_PATTERN, type JsonSchema } from './schema-parts.js';

type Shape = Omit<Diagnostic, 'severity'> & { severity?: Diagnostic['severity']; suggestion?: string; missing?: string };
type Report = (d: Shape) => void;

function parentPointer(ptr: string): string {
  return ptr.slice(0, ptr.lastIndexOf('/'));
}

let rootDefs: Record<string, JsonSchema> | undefined;
let branchAjv: Ajv2020 | undefined;
const branchValidators = new WeakMap<object, ValidateFunction>();

function defs(): Record<string, JsonSchema> {
  rootDefs ??= buildFlowSchema().$defs as Record<string, JsonSchema>;
  return rootDefs;
}

function resolve(schema: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) s = defs()[(s.$ref as string).replace('#/$defs/', '')] ?? {};
  return s;
}

function branchValidator(branch: JsonSchema): ValidateFunction {
  let v = branchValidators.get(branch);
  if (!v) {
    branchAjv ??= new Ajv2020({ allErrors: true, strict: false, verbose: true });
    v = branchAjv.compile({ ...branch, $defs: defs() });
    branchValidators.set(branch, v);
  }
  return v;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeFits(schemaType: unknown, value: unknown): boolean {
  if (schemaType === undefined) return true;
  const types = Array.isArray(schemaType) ? schemaType : [schemaType];
  const t = typeOf(value);
  return types.some((x) => x === t || (x === 'number' && t === 'integer'));
}

/** Whether a branch of an `anyOf` is the one the value was meant for (by type, const and first required key). */
function branchFits(branch: JsonSchema, value: unknown, depth = 0): boolean {
  const s = resolve(branch);
  if (depth > 5) return true;
  if ('const' in s) return s.const === value;
  if (Array.isArray(s.anyOf)) return s.anyOf.some((b) => branchFits(b as JsonSchema, value, depth + 1));
  if (!typeFits(s.type, value)) return false;
  if (Array.isArray(s.required) && s.required.length && typeOf(value) === 'object') return (s.required[0] as string) in (value as object);
  return true;
}

/** Short, readable rendering of a user value. */
export function showValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? String(value));
  return text.length > 40 ? text.slice(0, 37) + '…' : text;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a text',
  number: 'a number',
  integer: 'a whole number',
  boolean: '`true` or `false`',
  object: 'a map',
  array: 'a list',
  null: 'empty',
};

function typeName(t: unknown): string {
  const types = Array.isArray(t) ? t : [t];
  return types.map((x) => TYPE_NAMES[String(x)] ?? String(x)).join(' or ');
}

/** How a message names the thing a pointer points at: `timeout` in step `main`, `retries` in `defaults`. */
function what(ptr: string, root: unknown): string {
  const segs = pointerSegments(ptr);
  if (segs.length === 0) return 'The flow';
  if (segs.length === 2 && segs[0] === 'steps') return `Step \`${segs[1]}\``;
  const last = segs[segs.length - 1]!;
  const parent = segs.slice(0, -1);
  // A digit is a list index only in a list: in `keys` or `options` it is the key `5`.
  const inList = Array.isArray(valueAt(root, parentPointer(ptr)));
  const thing = inList ? `Item ${Number(last) + 1} of \`${parent.pop()}\`` : `\`${last}\``;
  if (segs[0] === 'steps' && segs.length > 2) return `${thing} in step \`${segs[1]}\``;
  return parent.length ? `${thing} in \`${parent.join('.')}\`` : thing;
}

function inStep(ptr: string): boolean {
  return ptr.startsWith('/steps/') && pointerSegments(ptr).length >= 2;
}

function valueAt(root: unknown, ptr: string): unknown {
  let v = root;
  for (const seg of pointerSegments(ptr)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

function isDuration(e: ErrorObject): boolean {
  return e.schemaPath.includes('/$defs/duration/') || (e.parentSchema as JsonSchema | undefined)?.pattern === defs().duration?.pattern;
}

let knownBranchKeys: Set<string> | undefined;

/** Every key some step kind allows besides its kind (`next`, `found` …): never a misspelled kind. */
function branchKeys(): Set<string> {
  if (!knownBranchKeys) {
    knownBranchKeys = new Set();
    for (const kind of STEP_KINDS) for (const key of Object.keys((defs()[`step-${kind}`]?.properties ?? {}) as object)) if (key !== kind) knownBranchKeys.add(key);
  }
  return knownBranchKeys;
}

/** Finds steps whose kind is missing or doubled, reports them, and returns their pointers (their other errors are noise). */
function checkStepKinds(value: unknown, report: Report): Set<string> {
  const bad = new Set<string>();
  const steps = (value as { steps?: unknown } | null)?.steps;
  if (!steps || typeof steps !== 'object' || Array.isArray(steps)) return bad;
  for (const [name, step] of Object.entries(steps)) {
    if (!step || typeof step !== 'object' || Array.isArray(step)) continue;
    const at = pointer('steps', name);
    const keys = Object.keys(step);
    const kinds = keys.filter((k) => (STEP_KINDS as readonly string[]).includes(k));
    if (kinds.length === 1) continue;
    bad.add(at);
    if (kinds.length > 1) {
      report({
        code: 'multiple-step-kinds',
        pointer: pointer('steps', name, kinds[1]!),
        atKey: true,
        message: `Step \`${name}\` has two kinds, \`${kinds[0]}\` and \`${kinds[1]}\`: a step does exactly one thing.`,
      });
      continue;
    }
    const typo = keys.filter((k) => !branchKeys().has(k)).map((k) => ({ k, m: didYouMean(k, STEP_KINDS) })).find((x) => x.m);
    report({
      code: 'unknown-step-kind',
      pointer: typo ? pointer('steps', name, typo.k) : at,
      atKey: true,
      message: typo
        ? `\`${typo.k}\` is not a step kind. Did you mean \`${typo.m}\`?`
        : `Step \`${name}\` has no kind: it needs one of ${STEP_KINDS.map((k) => `\`${k}\``).join(', ')}.`,
    });
  }
  return bad;
}

/**
 * Translates ajv errors for `value` into diagnostics.
 * @example shapeDiagnostics(flowValidator().errors ?? [], value)
 */
export function shapeDiagnostics(errors: readonly ErrorObject[], value: unknown): Omit<Diagnostic, 'severity'>[] {
  const out: Shape[] = [];
  const seen = new Set<string>();
  const report: Report = (d) => {
    const key = `${d.code}|${d.pointer}|${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(d);
  };
  const badSteps = checkStepKinds(value, report);
  translate(errors, value, '', report, badSteps);
  // A misspelled required property shows up twice (unknown `promt`, missing `prompt`): keep the did-you-mean.
  const suggested = new Set(out.flatMap((d) => (d.code === 'unknown-option' || d.code === 'unknown-property') && d.suggestion ? [`${parentPointer(d.pointer!)}|${d.suggestion}`] : []));
  return out.filter((d) => !(d.code === 'missing-property' && d.missing !== undefined && suggested.has(`${d.pointer}|${d.missing}`))).map(({ suggestion: _s, missing: _m, ...d }) => d);
}

function translate(errors: readonly ErrorObject[], root: unknown, base: string, report: Report, skip: Set<string>): void {
  const isSkipped = (p: string) => skip.size > 0 && [...skip].some((s) => p === s || p.startsWith(s + '/'));
  const list = errors
    .map((e, order) => ({ ...e, instancePath: base + e.instancePath, order }))
    .filter((e) => !isSkipped(e.instancePath) && e.keyword !== 'if');
  // Outermost anyOf first: it replaces every error beneath it with those of the branch that fits. At the same
  // path, ajv lists an inner anyOf (reached through a branch) before the outer one.
  const anyOfs = list
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => a.instancePath.length - b.instancePath.length || b.order - a.order);
  const handled = new Set<string>();
  for (const e of anyOfs) {
    const at = e.instancePath;
    if ([...handled].some((h) => at === h || at.startsWith(h + '/'))) continue;
    handled.add(at);
    const value = valueAt(root, at);
    const branches = e.schema as JsonSchema[];
    const fit = branches.find((b) => branchFits(b, value));
    if (!fit) {
      report(noBranchFits(at, root, value, branches, e.parentSchema as JsonSchema));
      continue;
    }
    const v = branchValidator(resolve(fit));
    if (!v(value)) translate(v.errors ?? [], root, at, report, new Set());
  }
  for (const e of list) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    if ([...handled].some((h) => e.instancePath === h || e.instancePath.startsWith(h + '/'))) continue;
    plain(e, root, report);
  }
}

/** The keys that tell the object branches of an `anyOf` apart (each branch's first required key). */
function discriminators(branches: JsonSchema[], depth = 0): string[] {
  return branches.flatMap((b) => {
    const s = resolve(b);
    if (Array.isArray(s.anyOf) && depth < 5) return discriminators(s.anyOf as JsonSchema[], depth + 1);
    if (Array.isArray(s.type) || s.type === 'array') return [];
    return Array.isArray(s.required) && s.required.length ? [String(s.required[0])] : [];
  });
}

function noBranchFits(at: string, root: unknown, value: unknown, branches: JsonSchema[], parent: JsonSchema): Shape {
  const keys = discriminators(branches);
  if (typeOf(value) === 'object' && keys.length) {
    const own = Object.keys(value as object);
    const typo = own.map((k) => ({ k, m: didYouMean(k, keys) })).find((x) => x.m);
    if (typo) return { code: inStep(at) ? 'unknown-option' : 'unknown-property', pointer: at + pointer(typo.k), atKey: true, message: `${what(at, root)} has no property \`${typo.k}\`. Did you mean \`${typo.m}\`?` };
    return { code: 'missing-property', pointer: at, message: `${what(at, root)} needs one of ${keys.map((k) => `\`${k}\``).join(', ')}.` };
  }
  if (branches.some((b) => quotedKeyWanted(resolve(b), value))) return quoteKey(at, root, value);
  const description = String(parent.description ?? 'something else');
  return { code: 'invalid-value', pointer: at, message: `${what(at, root)} has the wrong form (\`${showValue(value)}\`): expected ${lowerFirst(description)}` };
}

function lowerFirst(text: string): string {
  const t = text.replace(/\.$/, '') + '.';
  return t[0]!.toLowerCase() + t.slice(1);
}

function plain(e: ErrorObject, root: unknown, report: Report): void {
  const at = e.instancePath;
  const parent = (e.parentSchema ?? {}) as JsonSchema;
  const value = valueAt(root, at);
  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = String(e.params.additionalProperty);
      const allowed = Object.keys((parent.properties ?? {}) as object);
      report({
        code: inStep(at) ? 'unknown-option' : 'unknown-property',
        pointer: at + pointer(prop),
        atKey: true,
        message: `${what(at, root)} has no property \`${prop}\`.${didYouMeanText(prop, allowed)}`,
        suggestion: didYouMean(prop, allowed),
        hint: allowed.length ? `Allowed here: ${allowed.map((a) => `\`${a}\``).join(', ')}.` : undefined,
      });
      return;
    }
    case 'required': {
      const prop = String(e.params.missingProperty);
      const description = ((parent.properties as Record<string, JsonSchema> | undefined)?.[prop]?.description as string | undefined) ?? '';
      report({ code: 'missing-property', pointer: at, atKey: true, missing: prop, message: `${what(at, root)} is missing \`${prop}\`.`, hint: description ? `\`${prop}\`: ${description}` : undefined });
      return;
    }
    case 'type':
      if (isDuration(e)) return durationError(at, value, report);
      if (value === null && /^\/keys\/[^/]+$/.test(at)) {
        const key = pointerSegments(at)[1]!;
        report({ code: 'wrong-type', pointer: at, message: `Key \`${key}\` in the flow-wide \`keys\` is \`null\`: \`null\` switches a key off only in a menu's or input's own \`keys\`; here, name a step or remove the key.` });
        return;
      }
      if (quotedKeyWanted(parent, value)) return report(quoteKey(at, root, value));
      report({ code: 'wrong-type', pointer: at, message: `${what(at, root)} must be ${typeName(e.params.type)}, not ${valueName(value)}.` });
      return;
    case 'enum': {
      if (quotedKeyWanted(parent, value)) return report(quoteKey(at, root, value));
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      report({ code: 'invalid-value', pointer: at, message: `\`${showValue(value)}\` is not one of ${allowed.map((a) => `\`${a}\``).join(', ')}.${didYouMeanText(String(value), allowed)}` });
      return;
    }
    case 'const':
      report({ code: 'invalid-value', pointer: at, message: `${what(at, root)} must be \`${showValue(e.params.allowedValue)}\`.` });
      return;
    case 'pattern':
      if (isDuration(e)) return durationError(at, value, report);
      if (e.propertyName !== undefined) return;
      report({ code: 'invalid-value', pointer: at, message: `\`${showValue(value)}\` is not valid for ${what(at, root)}: expected ${lowerFirst(String(parent.description ?? `text matching \`${e.params.pattern}\``))}` });
      return;
    case 'propertyNames': {
      const name = String(e.params.propertyName);
      const names = String((parent.propertyNames as JsonSchema | undefined)?.pattern ?? '');
      report({ ...badKey(name, names), pointer: at + pointer(name), atKey: true });
      return;
    }
    case 'minimum':
    case 'maximum':
      if (isDuration(e)) return durationError(at, value, report);
      report({ code: 'out-of-range', pointer: at, message: `${what(at, root)} is \`${showValue(value)}\`; it must be ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${String(e.params.limit)}.` });
      return;
    case 'minProperties':
    case 'minItems':
      report({ code: 'out-of-range', pointer: at, message: `${what(at, root)} is empty: it needs at least ${String(e.params.limit)} ${e.keyword === 'minItems' ? 'item' : 'entry'}.` });
      return;
    case 'uniqueItems': {
      const repeated = Array.isArray(value) ? value[Number(e.params.j)] : undefined;
      report({ code: 'invalid-value', pointer: at, message: `${what(at, root)} lists \`${showValue(repeated)}\` more than once: keep one.`, hint: 'Remove the repeated item.' });
      return;
    }
    default:
      report({ code: 'invalid-value', pointer: at, message: `${what(at, root)} ${e.message ?? 'is not valid'}.` });
  }
}

/** How a message names a value of the wrong type: a number or `true`/`false` as written, others by their type. */
function valueName(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' ? `\`${String(value)}\`` : typeName(typeOf(value));
}

/** A phone key (`"1"`) written without quotes, which YAML reads as a number. */
function quotedKeyWanted(parent: JsonSchema, value: unknown): boolean {
  return typeof value === 'number' && Array.isArray(parent.enum) && parent.enum.includes(String(value));
}

function quoteKey(at: string, root: unknown, value: unknown): Shape {
  return { code: 'wrong-type', pointer: at, message: `${what(at, root)} is the number \`${String(value)}\`; a key is text: quote it, \`"${String(value)}"\`.` };
}

/** Why a map key does not fit the pattern its map's keys follow, by what the keys of that map are. */
function badKey(name: string, names: string): Pick<Shape, 'code' | 'message' | 'hint'> {
  if (names === KEY_PATTERN) return { code: 'invalid-key', message: `\`${name}\` is not a key: use digits \`0-9\`, \`*\`, \`#\` (quoted: \`"#"\`) or \`A-D\`.` };
  if (names === DIAL_PATTERN) {
    return { code: 'invalid-pattern', message: `\`${name}\` is not a dial pattern: use digits, \`*\`, \`#\`, \`X\` (0-9), \`Z\` (1-9), \`N\` (2-9), ranges such as \`[1-4]\` and a final \`.\`.` };
  }
  if (names === LANGUAGE_PATTERN) {
    return { code: 'invalid-name', message: `\`${name}\` is not a language code: write it in lowercase, such as \`en\`, \`de\` or \`fr-CA\`.`, hint: 'Language codes are two or three lowercase letters, with an optional region (`fr-CA`), as in `languages`.' };
  }
  const first = names.startsWith('^[A-Za-z_]') ? 'a letter or `_`' : 'a letter';
  const chars = /\]\*\$$/.test(names) && names.slice(names.lastIndexOf('[')).includes('-]') ? 'letters, digits, `_` and `-`' : 'letters, digits and `_` (no `-`)';
  return { code: 'invalid-name', message: `\`${name}\` is not a valid name here: start with ${first} and use ${chars}.` };
}

function durationError(at: string, value: unknown, report: Report): void {
  report({ code: 'invalid-duration', pointer: at, message: `\`${showValue(value)}\` is not a duration: write \`5s\`, \`500ms\` or \`2m\`.` });
}

/** Every code this module may report (checked against the catalogue by a test). */
export const SHAPE_CODES = ['unknown-step-kind', 'multiple-step-kinds', 'unknown-option', 'unknown-property', 'missing-property', 'wrong-type', 'invalid-value', 'invalid-key', 'invalid-name', 'invalid-pattern', 'out-of-range', 'invalid-duration'] as const;
