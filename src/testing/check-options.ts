/**
 * Checks what a TypeScript (or plain JavaScript) test hands the testing API: `simulateCall` options, durations
 * and keys. Without a type checker a wrong value would reach the engine and fail far away (`NaN` clocks, a lookup
 * fake read as a result); here it fails at once, with the same codes as a scenario file.
 */
import type { CompiledFlow } from '../compile/compile-flow.js';
import { didYouMeanText } from '../flow/did-you-mean.js';
import { parseDuration } from '../flow/duration.js';
import { VirtualClock } from '../runtime/clock.js';
import { flowNames, unknownFlowName } from './flow-names.js';
import type { FlowNameKind } from './scenario-types.js';
import { isKeys } from '../flow/types.js';

/** A wrong value given to the testing API. `code` is the one a scenario file gets for the same mistake. */
export class SimulationInputError extends Error {
  override name = 'SimulationInputError';
  constructor(
    /** Stable: `scenario-invalid-value`, `scenario-unknown-key` or `scenario-unknown-name`. */
    readonly code: 'scenario-invalid-value' | 'scenario-unknown-key' | 'scenario-unknown-name',
    message: string,
    /** How to fix it (also the message's last sentence). */
    readonly hint: string,
  ) {
    super(`${message} ${hint}`);
  }
}

const DURATION_HINT = 'Write a string with a unit (`\'500ms\'`, `\'6s\'`, `\'1.5s\'`, `\'2m\'`) or a number of milliseconds, 0 or more.';

const show = (value: unknown): string =>
  typeof value === 'string' ? `'${value}'` : typeof value === 'function' ? 'a function' : typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));

const invalid = (message: string, hint: string) => new SimulationInputError('scenario-invalid-value', message, hint);

/**
 * Milliseconds from a duration a test gives (`'6s'`, `'500ms'` or a number); `what` names the argument.
 * @example durationArg('wait', '6s') // 6000
 */
export function durationArg(what: string, value: unknown): number {
  const ms = typeof value === 'number' ? (Number.isFinite(value) && value >= 0 ? value : undefined) : typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) throw invalid(`\`${what}\` needs a duration such as \`'6s'\` or \`'500ms'\`, not \`${show(value)}\`.`, DURATION_HINT);
  return ms;
}

/** Checks the keys of `press`, as a scenario's `press` step does. */
export function keysArg(keys: unknown, times: unknown): void {
  if (typeof keys !== 'string' || !isKeys(keys)) {
    throw invalid(`\`press\` needs keys from \`0-9 * # A-D\`, not \`${show(keys)}\`.`, 'Pass the keys as a string, like `press(\'1234#\')`.');
  }
  if (times !== undefined && (!Number.isInteger(times) || (times as number) < 1 || (times as number) > 10_000)) {
    throw invalid(`\`times\` must be a whole number from 1 to 10000, not \`${show(times)}\`.`, 'Leave it out to press the keys once.');
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function oneOf(path: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw invalid(`\`${path}\` must be one of ${allowed.map((a) => `\`'${a}'\``).join(', ')}, not \`${show(value)}\`.`, 'See "From TypeScript (vitest)" in the README for the option types.');
  }
}

function lookupFake(path: string, value: unknown): void {
  if (typeof value === 'function') return;
  const kind = isRecord(value) ? value['kind'] : undefined;
  const ok =
    (kind === 'notFound' || kind === 'locked') ||
    (kind === 'error' && ['code', 'message'].every((k) => isRecord(value) && (value[k] === undefined || typeof value[k] === 'string'))) ||
    (kind === 'slow' && isRecord(value) && typeof value['delayMs'] === 'number' && Number.isFinite(value['delayMs']) && value['delayMs'] >= 0);
  if (!ok) {
    throw invalid(
      `\`${path}\` is not a lookup fake: \`${show(value)}\`.`,
      "In TypeScript write `{ kind: 'error' }` (optionally with `code`), `{ kind: 'notFound' }`, `{ kind: 'locked' }`, `{ kind: 'slow', delayMs: 5000 }`, or a function `(key) => LookupResult`.",
    );
  }
}

function queueFake(path: string, value: unknown): void {
  if (typeof value === 'string' && ['free', 'busy', 'none', 'unknown'].includes(value)) return;
  const counts = isRecord(value) && ['loggedIn', 'free'].every((k) => typeof value[k] === 'number') && ['waiting', 'holdTimeSec'].every((k) => value[k] === undefined || typeof value[k] === 'number');
  if (!counts) throw invalid(`\`${path}\` is not a queue fake: \`${show(value)}\`.`, "Write `'free'`, `'busy'`, `'none'`, `'unknown'` or `{ loggedIn: 2, free: 0, waiting: 3, holdTimeSec: 120 }`.");
}

function stringOption(path: string, value: unknown): void {
  if (typeof value !== 'string') throw invalid(`\`${path}\` must be a string, not \`${show(value)}\`.`, 'Quote it, for example `\'+4930123456\'`.');
}

/** A map of fakes: each entry checked by `check`, each name checked against the flow. */
function fakes(key: string, value: unknown, check: (path: string, fake: unknown) => void): string[] {
  if (!isRecord(value)) throw invalid(`\`${key}\` must map names to fakes, not \`${show(value)}\`.`, `Write \`${key}: { <name>: … }\`.`);
  for (const [name, fake] of Object.entries(value)) check(`${key}.${name}`, fake);
  return Object.keys(value);
}

type Check = (value: unknown) => { kind: FlowNameKind; key: string; names: string[] } | void;

/** Each option and how to check it; those naming things of the flow return the names. */
const CHECKS: Record<string, Check> = {
  now: (v) => {
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw invalid(`\`now\` must be an ISO 8601 date and time, not \`${show(v)}\`.`, 'Write it like `\'2026-12-07T10:00:00+01:00\'`.');
  },
  caller: (v) => stringOption('caller', v),
  callerName: (v) => stringOption('callerName', v),
  dialled: (v) => stringOption('dialled', v),
  language: (v) => stringOption('language', v),
  args: (v) => {
    if (!isRecord(v) || !Object.values(v).every((a) => typeof a === 'string')) throw invalid(`\`args\` must map names to strings, not \`${show(v)}\`.`, "Write it like `{ lang: 'de' }`.");
  },
  data: (v) => {
    if (!isRecord(v) || !Object.values(v).every((records) => Array.isArray(records) && records.every(isRecord))) {
      throw invalid(`\`data\` must map each data source to a list of records, not \`${show(v)}\`.`, "Write it like `{ accounts: [{ number: '123', balance: 5 }] }`.");
    }
    return { kind: 'data source', key: 'data', names: Object.keys(v) };
  },
  lookups: (v) => ({ kind: 'data source', key: 'lookups', names: fakes('lookups', v, lookupFake) }),
  hours: (v) => ({ kind: 'schedule', key: 'hours', names: fakes('hours', v, (p, f) => oneOf(p, f, ['open', 'closed', 'holiday'])) }),
  queues: (v) => ({ kind: 'queue', key: 'queues', names: fakes('queues', v, queueFake) }),
  departments: (v) => ({ kind: 'department', key: 'departments', names: fakes('departments', v, (p, f) => oneOf(p, f, ['answered', 'busy', 'noAnswer', 'failed'])) }),
  talkMs: (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw invalid(`\`talkMs\` must be a number of milliseconds, 0 or more, not \`${show(v)}\`.`, 'Write `talkMs: 120_000` for two minutes.');
  },
  recording: (v) => oneOf('recording', v, ['finished', 'failed']),
  missingSounds: (v) => {
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s !== '')) throw invalid(`\`missingSounds\` must list prompt names or sound files, not \`${show(v)}\`.`, "Write it like `['welcome', 'acme/main-menu']`.");
  },
  callbacks: (v) => oneOf('callbacks', v, ['book', 'refuse']),
  services: (v) => {
    if (!isRecord(v)) throw invalid(`\`services\` must be a map of services, not \`${show(v)}\`.`, 'Pass the services to replace, like `{ hours: myHours }`.');
  },
  clock: (v) => {
    if (!(v instanceof VirtualClock)) throw invalid(`\`clock\` must be a \`VirtualClock\`, not \`${show(v)}\`.`, 'Pass `new VirtualClock(Date.parse(…))`, or leave it out.');
  },
};

/** The names scenario files use for options TypeScript spells differently. */
const YAML_NAMES: Record<string, string> = { talkTime: 'talkMs' };

/**
 * Checks `simulateCall` options against their types, and the names in the fakes against the flow. Throws a
 * `SimulationInputError` for the first problem.
 */
export function checkSimulateOptions(options: object, flow: CompiledFlow): void {
  if (!isRecord(options)) throw invalid(`The options of \`simulateCall\` must be a map, not \`${show(options)}\`.`, "Write them like `{ now: '2026-12-07T10:00:00+01:00' }`.");
  let known: ReturnType<typeof flowNames> | undefined;
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const check = CHECKS[key];
    if (!check) {
      const ts = YAML_NAMES[key];
      throw new SimulationInputError(
        'scenario-unknown-key',
        `\`${key}\` is not an option of \`simulateCall\`.${ts ? ` In TypeScript it is \`${ts}\`.` : didYouMeanText(key, Object.keys(CHECKS))}`,
        `Use ${Object.keys(CHECKS).map((k) => `\`${k}\``).join(', ')}.`,
      );
    }
    const named = check(value);
    for (const name of named ? named.names : []) {
      const problem = unknownFlowName({ kind: named!.kind, name, key: named!.key }, flow, (known ??= flowNames(flow)));
      if (problem) throw new SimulationInputError('scenario-unknown-name', problem.message, problem.hint);
    }
  }
}
