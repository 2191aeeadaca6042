/**
 * Reads a scenario file (`*.test.yaml`) into scenarios, keeping the line of every scenario and step so a failure
 * can point at it. Problems come back as diagnostics with positions; nothing here throws on bad input.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { dirname, basename, join, resolve } from 'node:path';
import type { Diagnostic, Range } from '../flow/diagnostics.js';
import { parseDuration } from '../flow/duration.js';
import { didYouMeanText } from '../flow/did-you-mean.js';
import type {
  CallSetup,
  DepartmentFake,
  FlowNameKind,
  HoursFake,
  LookupFake,
  PromptMatcher,
  QueueFake,
  Scenario,
  ScenarioFile,
  ScenarioStep,
  SourceSpot,
} from './scenario-types.js';

const KEYS = /^[0-9*#A-D]+$/;
const SETUP_KEYS = ['now', 'caller', 'callerName', 'dialled', 'language', 'args', 'data', 'lookups', 'hours', 'queues', 'departments', 'talkTime', 'recording', 'missingSounds', 'callbacks'];
const STEP_KEYS = ['press', 'wait', 'hangup', 'expect prompt', 'expect step', 'expect variable', 'expect outcome'];
const DEPARTMENT_FAKES: DepartmentFake[] = ['answered', 'busy', 'noAnswer', 'failed'];
const HOURS_FAKES: HoursFake[] = ['open', 'closed', 'holiday'];
const QUEUE_FAKES = ['free', 'busy', 'none', 'unknown'];
/** The fields of each outcome kind, as `CallOutcome` has them. */
const OUTCOME_FIELDS: Record<string, string[]> = {
  completed: ['kind', 'step'],
  hungup: ['kind', 'step'],
  transferred: ['kind', 'step', 'department'],
  queued: ['kind', 'step', 'queue'],
  failed: ['kind', 'step', 'code', 'reason'],
};
const ALL_OUTCOME_FIELDS = [...new Set(Object.values(OUTCOME_FIELDS).flat())];

/** The path a scenario file tests by default: `acme.test.yaml` → `acme.yaml`. */
export function defaultFlowPath(scenarioPath: string): string {
  return join(dirname(scenarioPath), basename(scenarioPath).replace(/\.test\.ya?ml$/, '.yaml'));
}

/**
 * Parses scenario text. `file` is used for positions and to resolve the `flow:` path.
 * @example parseScenarioText('scenarios: [{ name: hi, steps: [{ press: "1" }] }]', 'flows/a.test.yaml')
 */
export function parseScenarioText(text: string, file: string): ScenarioFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const diagnostics: Diagnostic[] = [];
  const spot = (node: Node | null | undefined): SourceSpot => {
    const offset = node?.range?.[0] ?? 0;
    const pos = lines.linePos(offset);
    return { file, line: pos.line, col: pos.col };
  };
  const rangeOf = (node: Node | null | undefined): Range => {
    const start = node?.range?.[0] ?? 0;
    const end = node?.range?.[1] ?? start;
    const a = lines.linePos(start);
    const b = lines.linePos(end);
    return { start: { line: a.line, col: a.col, offset: start }, end: { line: b.line, col: b.col, offset: end } };
  };
  const report = (code: string, node: Node | null | undefined, message: string, hint?: string) => {
    diagnostics.push({ code, severity: 'error', message, ...(hint ? { hint } : {}), file, range: rangeOf(node) });
  };
  const result: ScenarioFile = { file, scenarios: [], diagnostics, names: [] };
  const name = (kind: FlowNameKind, key: string, value: string, node: Node | null | undefined) => {
    result.names.push({ kind, name: value, key, range: rangeOf(node) });
  };
  for (const error of doc.errors) {
    const pos = error.linePos?.[0] ?? { line: 1, col: 1 };
    diagnostics.push({
      code: 'scenario-yaml',
      severity: 'error',
      message: `The scenario file is not valid YAML: ${error.message.split('\n')[0]}.`,
      hint: 'Fix the YAML syntax at this position.',
      file,
      range: { start: { ...pos, offset: error.pos[0] }, end: { ...pos, offset: error.pos[1] } },
    });
  }
  if (doc.errors.length) return result;
  const root = doc.contents as Node | null;
  if (!isMap(root)) {
    report('scenario-shape', root, 'A scenario file must be a map with `scenarios:` (and optionally `flow:` and `defaults:`).', 'Start the file with `scenarios:` followed by a list.');
    return result;
  }

  const ctx: Ctx = { report, spot, name };
  let defaults: CallSetup = {};
  let scenariosNode: Node | undefined;
  result.flowPath = defaultFlowPath(file);
  for (const pair of root.items as Pair<Node, Node>[]) {
    const key = keyOf(pair);
    if (key === 'flow') {
      const flow = scalarString(pair.value);
      if (flow === undefined) report('scenario-invalid-value', pair.value, '`flow` must be the path of a flow file, relative to the scenario file.');
      else {
        result.flowPath = resolve(dirname(file), flow);
        result.flowRange = rangeOf(pair.value);
      }
    } else if (key === 'defaults') {
      defaults = readSetup(pair.value, ctx, 'defaults', []);
    } else if (key === 'scenarios') {
      scenariosNode = pair.value ?? undefined;
    } else {
      unknownKey(ctx, pair, key, ['flow', 'defaults', 'scenarios'], 'at the top of a scenario file');
    }
  }
  if (!scenariosNode || !isSeq(scenariosNode) || scenariosNode.items.length === 0) {
    report('scenario-missing-key', scenariosNode ?? root, 'A scenario file needs `scenarios:` with at least one scenario.', 'Add `scenarios:` with a list of `{ name, steps }` maps.');
    return result;
  }
  const names = new Set<string>();
  for (const item of scenariosNode.items as Node[]) {
    const scenario = readScenario(item, ctx, defaults);
    if (!scenario) continue;
    if (names.has(scenario.name)) report('scenario-duplicate-name', item, `Scenario name \`${scenario.name}\` is used twice in this file.`, 'Give every scenario its own name.');
    names.add(scenario.name);
    result.scenarios.push(scenario);
  }
  return result;
}

interface Ctx {
  report(code: string, node: Node | null | undefined, message: string, hint?: string): void;
  spot(node: Node | null | undefined): SourceSpot;
  /** Notes a name of the flow (a schedule, a step …) that the file uses, checked once the flow is loaded. */
  name(kind: FlowNameKind, key: string, name: string, node: Node | null | undefined): void;
}

function keyOf(pair: Pair<unknown, unknown>): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function scalarSource(node: unknown): string | undefined {
  return isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
}

function scalarString(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

function unknownKey(ctx: Ctx, pair: Pair<unknown, unknown>, key: string, allowed: string[], where: string): void {
  ctx.report('scenario-unknown-key', pair.key as Node, `Unknown key \`${key}\` ${where}.`, `Use one of ${allowed.map((k) => `\`${k}\``).join(', ')}.`);
}

function readScenario(node: Node, ctx: Ctx, defaults: CallSetup): Scenario | undefined {
  if (!isMap(node)) {
    ctx.report('scenario-shape', node, 'Each scenario must be a map with `name` and `steps`.', 'Write `- name: …` followed by `steps:`.');
    return undefined;
  }
  let name: string | undefined;
  let stepsNode: Node | undefined;
  const setupPairs: Pair<Node, Node>[] = [];
  for (const pair of node.items as Pair<Node, Node>[]) {
    const key = keyOf(pair);
    if (key === 'name') name = scalarString(pair.value);
    else if (key === 'steps') stepsNode = pair.value ?? undefined;
    else if (key === 'description') continue;
    else setupPairs.push(pair);
  }
  const setup = readSetupPairs(setupPairs, ctx, 'in a scenario', ['name', 'description', 'steps']);
  if (!name) {
    ctx.report('scenario-missing-key', node, 'This scenario has no `name`.', 'Add `name: <what the caller does>`.');
    return undefined;
  }
  if (!stepsNode || !isSeq(stepsNode) || stepsNode.items.length === 0) {
    ctx.report('scenario-missing-key', stepsNode ?? node, `Scenario \`${name}\` has no \`steps\`.`, 'Add `steps:` with a list such as `- press: "1"`.');
    return undefined;
  }
  const steps: ScenarioStep[] = [];
  for (const item of stepsNode.items as Node[]) {
    const step = readStep(item, ctx);
    if (step) steps.push(step);
  }
  return { name, at: ctx.spot(node), setup: mergeSetup(defaults, setup), steps };
}

/** Scenario values win over file defaults; maps of fakes and data merge per source. */
function mergeSetup(base: CallSetup, over: CallSetup): CallSetup {
  const merged: CallSetup = { ...base, ...over };
  for (const key of ['args', 'data', 'lookups', 'hours', 'queues', 'departments'] as const) {
    if (base[key] || over[key]) (merged as Record<string, unknown>)[key] = { ...base[key], ...over[key] };
  }
  return merged;
}

function readSetup(node: Node | null | undefined, ctx: Ctx, where: string, extra: string[]): CallSetup {
  if (!isMap(node)) {
    ctx.report('scenario-shape', node, `\`${where}\` must be a map of call settings.`, `Use keys such as ${SETUP_KEYS.slice(0, 3).map((k) => `\`${k}\``).join(', ')}.`);
    return {};
  }
  return readSetupPairs(node.items as Pair<Node, Node>[], ctx, `in \`${where}\``, extra);
}

function readSetupPairs(pairs: Pair<Node, Node>[], ctx: Ctx, where: string, extra: string[]): CallSetup {
  const setup: CallSetup = {};
  for (const pair of pairs) {
    const key = keyOf(pair);
    const value = pair.value;
    const json = (value as Node | null)?.toJSON?.() as unknown;
    switch (key) {
      case 'now': {
        const text = json instanceof Date ? json.toISOString() : typeof json === 'string' ? json : undefined;
        if (text === undefined || Number.isNaN(Date.parse(text))) {
          ctx.report('scenario-invalid-value', value, `\`now\` must be an ISO 8601 date and time, not \`${String(json)}\`.`, 'Write it like `2026-12-07T10:00:00+01:00`.');
        } else setup.now = text;
        break;
      }
      case 'caller':
      case 'callerName':
      case 'dialled':
      case 'language': {
        const text = scalarString(value);
        if (text === undefined) ctx.report('scenario-invalid-value', value, `\`${key}\` must be a string.`, 'Quote it, for example `"+4930123456"`.');
        else setup[key] = text;
        break;
      }
      case 'recording':
        if (json !== 'finished' && json !== 'failed') ctx.report('scenario-invalid-value', value, `\`recording\` must be \`finished\` or \`failed\`, not \`${String(json)}\`.`);
        else setup.recording = json;
        break;
      case 'missingSounds':
        if (!Array.isArray(json) || json.length === 0 || !json.every((v) => typeof v === 'string' && v !== '')) {
          ctx.report('scenario-invalid-value', value, `\`missingSounds\` must list prompt names or sound files, like \`[welcome, acme/main-menu]\`.`);
        } else setup.missingSounds = json;
        break;
      case 'callbacks':
        if (json !== 'book' && json !== 'refuse') ctx.report('scenario-invalid-value', value, `\`callbacks\` must be \`book\` or \`refuse\`, not \`${String(json)}\`.`);
        else setup.callbacks = json;
        break;
      case 'args':
        if (!isPlainRecord(json) || !Object.values(json).every((v) => typeof v === 'string' || typeof v === 'number')) {
          ctx.report('scenario-invalid-value', value, '`args` must map names to strings, like `{ lang: de }`.');
        } else setup.args = Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)]));
        break;
      case 'data':
        if (!isPlainRecord(json) || !Object.values(json).every((v) => Array.isArray(v) && v.every(isPlainRecord))) {
          ctx.report('scenario-invalid-value', value, '`data` must map each data source to a list of records, like `{ accounts: [{ number: "123", balance: 5 }] }`.');
        } else {
          setup.data = json as Record<string, Record<string, unknown>[]>;
          nameKeys(value, ctx, 'data source', 'data');
        }
        break;
      case 'lookups':
        setup.lookups = readFakes(value, ctx, 'lookups', 'data source', readLookupFake);
        break;
      case 'hours':
        setup.hours = readFakes(value, ctx, 'hours', 'schedule', (v, n, c) => oneOf(v, n, c, 'an hours fake', HOURS_FAKES));
        break;
      case 'queues':
        setup.queues = readFakes(value, ctx, 'queues', 'queue', readQueueFake);
        break;
      case 'departments':
        setup.departments = readFakes(value, ctx, 'departments', 'department', (v, n, c) => oneOf(v, n, c, 'a department answer', DEPARTMENT_FAKES));
        break;
      case 'talkTime': {
        const ms = typeof json === 'string' ? parseDuration(json) : undefined;
        if (ms === undefined) ctx.report('scenario-invalid-value', value, `\`talkTime\` needs a duration such as \`2m\` or \`45s\`, not \`${String(json)}\`.`);
        else setup.talkMs = ms;
        break;
      }
      default:
        unknownKey(ctx, pair, key, [...extra, ...SETUP_KEYS], where);
    }
  }
  return setup;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function oneOf<T extends string>(value: unknown, node: Node, ctx: Ctx, what: string, allowed: readonly T[]): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  ctx.report('scenario-invalid-value', node, `\`${String(value)}\` is not ${what}.`, `Use one of ${allowed.map((a) => `\`${a}\``).join(', ')}.`);
  return undefined;
}

function readFakes<T>(
  node: Node | null | undefined,
  ctx: Ctx,
  key: string,
  kind: FlowNameKind,
  read: (value: unknown, node: Node, ctx: Ctx) => T | undefined,
): Record<string, T> {
  const out: Record<string, T> = {};
  if (!isMap(node)) {
    ctx.report('scenario-invalid-value', node, `\`${key}\` must map names to fakes, like \`${key}: { name: … }\`.`);
    return out;
  }
  nameKeys(node, ctx, kind, key);
  for (const pair of node.items as Pair<Node, Node>[]) {
    const valueNode = (pair.value ?? pair.key) as Node;
    const fake = read(valueNode?.toJSON?.() as unknown, valueNode, ctx);
    if (fake !== undefined) out[keyOf(pair)] = fake;
  }
  return out;
}

/** The keys of a map of fakes or data name things of the flow: schedules, data sources, queues, departments. */
function nameKeys(node: Node | null | undefined, ctx: Ctx, kind: FlowNameKind, key: string): void {
  if (!isMap(node)) return;
  for (const pair of node.items as Pair<Node, Node>[]) ctx.name(kind, key, keyOf(pair), pair.key);
}

function readLookupFake(value: unknown, node: Node, ctx: Ctx): LookupFake | undefined {
  if (value === 'error' || value === 'notFound' || value === 'locked') return { kind: value };
  if (isPlainRecord(value) && typeof value['slow'] === 'string') {
    const delayMs = parseDuration(value['slow']);
    if (delayMs !== undefined) return { kind: 'slow', delayMs };
  }
  if (isPlainRecord(value) && typeof value['error'] === 'string') return { kind: 'error', code: value['error'] };
  ctx.report('scenario-invalid-value', node, `\`${JSON.stringify(value)}\` is not a lookup fake.`, 'Use `error`, `notFound`, `locked`, `{ slow: 5s }` or `{ error: <code> }`.');
  return undefined;
}

function readQueueFake(value: unknown, node: Node, ctx: Ctx): QueueFake | undefined {
  if (typeof value === 'string' && QUEUE_FAKES.includes(value)) return value as QueueFake;
  if (isPlainRecord(value) && typeof value['loggedIn'] === 'number' && typeof value['free'] === 'number') {
    return { loggedIn: value['loggedIn'], free: value['free'], waiting: Number(value['waiting'] ?? 0), holdTimeSec: Number(value['holdTimeSec'] ?? 0) };
  }
  ctx.report('scenario-invalid-value', node, `\`${JSON.stringify(value)}\` is not a queue fake.`, 'Use `free`, `busy`, `none`, `unknown` or `{ loggedIn: 2, free: 1, holdTimeSec: 60 }`.');
  return undefined;
}

function readStep(node: Node, ctx: Ctx): ScenarioStep | undefined {
  const at = ctx.spot(node);
  if (isScalar(node) && node.value === 'hangup') return { at, kind: 'hangup' };
  if (!isMap(node) || node.items.length !== 1) {
    ctx.report('scenario-step-shape', node, 'A scenario step must be a map with exactly one key, like `- press: "1"`.', `Use one of ${STEP_KEYS.map((k) => `\`${k}\``).join(', ')}.`);
    return undefined;
  }
  const pair = node.items[0] as Pair<Node, Node>;
  const key = keyOf(pair);
  const value = pair.value;
  const json = value?.toJSON?.() as unknown;
  switch (key) {
    case 'press':
      return readPress(json, value, ctx, at);
    case 'wait': {
      const ms = typeof json === 'string' ? parseDuration(json) : undefined;
      if (ms === undefined) {
        ctx.report('scenario-invalid-value', value, `\`wait\` needs a duration such as \`6s\` or \`500ms\`, not \`${String(json)}\`.`);
        return undefined;
      }
      return { at, kind: 'wait', ms };
    }
    case 'hangup':
      return { at, kind: 'hangup' };
    case 'expect prompt': {
      const list = Array.isArray(json) ? json : [json];
      const prompts: PromptMatcher[] = [];
      for (const [i, item] of list.entries()) {
        const matcher = typeof item === 'string' ? promptMatcher(item) : undefined;
        if (matcher === undefined) {
          ctx.report('scenario-invalid-value', value, `\`expect prompt\` needs a prompt name or a \`/regular expression/\` over its text, not \`${JSON.stringify(item)}\`.`);
          return undefined;
        }
        if (typeof matcher === 'string') ctx.name('prompt', key, matcher, isSeq(value) ? (value.items[i] as Node) : value);
        prompts.push(matcher);
      }
      return { at, kind: 'expectPrompt', prompts };
    }
    case 'expect step':
      if (typeof json !== 'string') {
        ctx.report('scenario-invalid-value', value, '`expect step` needs the name of a step.');
        return undefined;
      }
      ctx.name('step', key, json, value);
      return { at, kind: 'expectStep', step: json };
    case 'expect variable':
      if (!isPlainRecord(json)) {
        ctx.report('scenario-invalid-value', value, '`expect variable` needs a map of variable names to values, like `{ account: "123456" }`.');
        return undefined;
      }
      return { at, kind: 'expectVariable', values: json };
    case 'expect outcome': {
      const outcome = typeof json === 'string' ? { kind: json } : json;
      if (!isPlainRecord(outcome)) {
        ctx.report('scenario-invalid-value', value, '`expect outcome` needs an outcome kind (`queued`) or a map (`{ kind: queued, queue: support }`).');
        return undefined;
      }
      return readOutcome(outcome, value, ctx) ? { at, kind: 'expectOutcome', outcome } : undefined;
    }
    default:
      ctx.report('scenario-unknown-step', pair.key, `Unknown scenario step \`${key}\`.`, `Use one of ${STEP_KEYS.map((k) => `\`${k}\``).join(', ')}.`);
      return undefined;
  }
}

/** Checks an expected outcome's kind and fields against what `CallOutcome` can hold, so a typo fails before the call runs. */
function readOutcome(outcome: Record<string, unknown>, node: Node | null, ctx: Ctx): boolean {
  const kinds = Object.keys(OUTCOME_FIELDS);
  const kind = outcome['kind'];
  const kindNode = isMap(node) ? (node.get('kind', true) as Node | undefined) : node;
  if (kind !== undefined && (typeof kind !== 'string' || !kinds.includes(kind))) {
    const typo = typeof kind === 'string' ? didYouMeanText(kind, kinds) : '';
    ctx.report('scenario-invalid-value', kindNode, `\`${String(kind)}\` is not an outcome kind.${typo}`, `Use one of ${kinds.map((k) => `\`${k}\``).join(', ')}.`);
    return false;
  }
  const allowed = typeof kind === 'string' ? OUTCOME_FIELDS[kind]! : ALL_OUTCOME_FIELDS;
  let ok = true;
  for (const pair of isMap(node) ? (node.items as Pair<Node, Node>[]) : []) {
    const field = keyOf(pair);
    if (!allowed.includes(field)) {
      const whose = typeof kind === 'string' ? `a \`${kind}\` outcome` : 'an outcome';
      ctx.report('scenario-unknown-key', pair.key as Node, `\`${field}\` is not a field of ${whose}, so it can never match.${didYouMeanText(field, allowed)}`, `Use ${allowed.map((k) => `\`${k}\``).join(', ')}.`);
      ok = false;
    } else if (field === 'step' && typeof outcome['step'] === 'string') ctx.name('step', 'expect outcome', outcome['step'], pair.value);
  }
  return ok;
}

function readPress(json: unknown, node: Node | null, ctx: Ctx, at: SourceSpot): ScenarioStep | undefined {
  let keys: unknown = json;
  let gapMs = 0;
  let times = 1;
  if (isPlainRecord(json)) {
    keys = json['keys'];
    if (json['times'] !== undefined) {
      if (!Number.isInteger(json['times']) || (json['times'] as number) < 1 || (json['times'] as number) > 10_000) {
        ctx.report('scenario-invalid-value', node, `\`times\` must be a whole number from 1 to 10000, not \`${String(json['times'])}\`.`);
        return undefined;
      }
      times = json['times'] as number;
    }
    const gap = json['gap'] === undefined ? 0 : parseDuration(json['gap'] as string);
    if (gap === undefined) {
      ctx.report('scenario-invalid-value', node, `\`gap\` must be a duration such as \`500ms\`, not \`${String(json['gap'])}\`.`);
      return undefined;
    }
    gapMs = gap;
  }
  if (typeof keys === 'number' && isScalar(node) && node.source !== undefined) keys = node.source;
  if (typeof keys === 'number' && isMap(node)) keys = scalarSource(node.get('keys', true)) ?? keys;
  if (typeof keys === 'number') keys = String(keys);
  if (typeof keys !== 'string' || !KEYS.test(keys)) {
    ctx.report('scenario-invalid-value', node, `\`press\` needs keys from \`0-9 * # A-D\`, not \`${JSON.stringify(keys)}\`.`, 'Quote keys that start with 0 or contain `#`, like `press: "0"`.');
    return undefined;
  }
  return { at, kind: 'press', keys, gapMs, times };
}

/** `/text/i` is a regular expression over the prompt's text; anything else is a prompt name. */
export function promptMatcher(text: string): PromptMatcher | undefined {
  const m = /^\/(.+)\/([a-z]*)$/s.exec(text);
  if (!m) return text;
  try {
    return new RegExp(m[1]!, m[2]);
  } catch {
    return undefined;
  }
}
