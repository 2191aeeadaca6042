/**
 * `touchtone simulate flow.yaml`: a phone in the terminal. Interactive, it runs the call in real time (a
 * virtual clock advanced with the wall clock), prints prompts as text, the step and the next timer, and reads keys
 * as they are typed, raw from a terminal (tmux too) or from a pipe. With `--script "1, wait 6s, 2#"` it runs on
 * the virtual clock at once, without a terminal.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { EXIT, type CliIO } from './io.js';
import type { RegisterCommand } from './commands.js';
import { parseDuration } from '../flow/duration.js';
import { VirtualClock } from '../runtime/clock.js';
import { parseScenarioText } from '../testing/scenario-parse.js';
import type { CallSetup, FlowNameRef } from '../testing/scenario-types.js';
import { simulateCall, DEFAULT_NOW, type SimulatedCall } from '../testing/simulate-call.js';
import { CallLog } from '../testing/call-log.js';
import { compileFlowFile, FlowLoadError } from '../testing/load-flow.js';
import { unknownFlowName } from '../testing/flow-names.js';
import type { CompiledFlow } from '../compile/compile-flow.js';
import { createDataSourceFactory } from '../data/index.js';
import { isDigit, isKeys } from '../flow/types.js';

interface SimulateOptions {
  script?: string;
  now?: string;
  caller?: string;
  dialled?: string;
  language?: string;
  data?: string;
  hours: string[];
  queue: string[];
  department: string[];
  lookup: string[];
}

/** One action of a `--script`. */
export type ScriptAction = { kind: 'press'; keys: string } | { kind: 'wait'; ms: number } | { kind: 'hangup' };

/**
 * Parses a script: comma-separated keys (`1`, `12345#`), `wait 6s` and `hangup`.
 * @example parseScript('1, wait 6s, 2#') // [{ kind: 'press', keys: '1' }, { kind: 'wait', ms: 6000 }, { kind: 'press', keys: '2#' }]
 */
export function parseScript(script: string): { actions: ScriptAction[]; error?: string } {
  const actions: ScriptAction[] = [];
  for (const raw of script.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    if (isKeys(part)) actions.push({ kind: 'press', keys: part });
    else if (part === 'hangup') actions.push({ kind: 'hangup' });
    else if (/^wait\s+/.test(part)) {
      const ms = parseDuration(part.replace(/^wait\s+/, ''));
      if (ms === undefined) return { actions, error: `\`${part}\` needs a duration such as \`wait 6s\` or \`wait 500ms\`` };
      actions.push({ kind: 'wait', ms });
    } else return { actions, error: `\`${part}\` is not a script action; use keys (\`1\`, \`123#\`), \`wait 6s\` or \`hangup\`` };
  }
  return { actions };
}

function pairs(list: string[], flag: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const item of list) {
    const m = /^([^=]+)=(.+)$/.exec(item);
    if (!m) return `\`--${flag} ${item}\` must be \`name=value\``;
    out[m[1]!.trim()] = m[2]!.trim();
  }
  return out;
}

/** The option that sets each map of fakes (and `data`), for messages about the names in them. */
const FLAGS: Record<string, string> = { hours: '--hours', queues: '--queue', departments: '--department', lookups: '--lookup', data: '--data' };

/** Builds the call's world from the options, validated like a scenario file's `defaults`. */
async function setupFrom(options: SimulateOptions, io: CliIO): Promise<{ setup: CallSetup; names: FlowNameRef[] } | string> {
  const setup: Record<string, unknown> = {};
  for (const key of ['now', 'caller', 'dialled', 'language'] as const) if (options[key] !== undefined) setup[key] = options[key];
  for (const [flag, key] of [['hours', 'hours'], ['queue', 'queues'], ['department', 'departments'], ['lookup', 'lookups']] as const) {
    if (!options[flag].length) continue;
    const map = pairs(options[flag], flag);
    if (typeof map === 'string') return map;
    setup[key] = map;
  }
  if (options.data) {
    try {
      setup['data'] = parseYaml(await readFile(resolve(io.cwd, options.data), 'utf8'));
    } catch (error) {
      return `\`--data ${options.data}\` cannot be read: ${(error as Error).message}`;
    }
  }
  const parsed = parseScenarioText(`defaults: ${JSON.stringify(setup)}\nscenarios: [{ name: cli, steps: [hangup] }]\n`, '<options>');
  if (parsed.diagnostics.length) return parsed.diagnostics.map((d) => `${d.message}${d.hint ? ` ${d.hint}` : ''}`).join('\n');
  return { setup: parsed.scenarios[0]!.setup, names: parsed.names };
}

/** Names in the options that the flow does not define, one line each (a fake for them would do nothing). */
function unknownNames(names: readonly FlowNameRef[], flow: CompiledFlow): string[] {
  return names.flatMap((ref) => {
    const flag = FLAGS[ref.key] ?? ref.key;
    const problem = unknownFlowName({ ...ref, key: flag }, flow);
    return problem ? [`${problem.message} ${problem.hint}`] : [];
  });
}

/** Runs `touchtone simulate` and resolves to its exit code. */
export async function runSimulateCommand(file: string, options: SimulateOptions, io: CliIO): Promise<number> {
  const script = options.script === undefined ? undefined : parseScript(options.script);
  if (script?.error) {
    io.err(`touchtone simulate: ${script.error}.`);
    return EXIT.usage;
  }
  const world = await setupFrom(options, io);
  if (typeof world === 'string') {
    io.err(`touchtone simulate: ${world}`);
    return EXIT.usage;
  }
  const { setup } = world;
  const path = resolve(io.cwd, file);
  let flow: CompiledFlow;
  try {
    flow = await compileFlowFile(path);
  } catch (error) {
    if (error instanceof FlowLoadError) {
      io.err(error.message);
      return EXIT.failed;
    }
    throw error;
  }
  const unknown = unknownNames(world.names, flow);
  if (unknown.length) {
    for (const line of unknown) io.err(`touchtone simulate: ${line}`);
    return EXIT.usage;
  }
  const interactive = !script;
  // Interactive calls start at the real time unless `--now` says otherwise, so the office hours are today's.
  const clock = new VirtualClock(Date.parse(setup.now ?? (interactive ? new Date().toISOString() : DEFAULT_NOW)));
  // Without `--data`, lookups go to the flow's real sources (its SQLite seed, CSV files, HTTP APIs), so the
  // default hotline answers with its demo data exactly as `touchtone serve` would.
  const realData = options.data ? {} : { services: { data: createDataSourceFactory({ clock, env: io.env }) } };
  const call: SimulatedCall = await simulateCall(flow, { ...setup, clock, ...realData });
  const log = new CallLog(call);
  const flush = () => {
    for (const line of log.take()) io.out(line);
  };
  flush();
  if (script) await runScript(call, script.actions, io, flush);
  else await runInteractive(call, io, flush, log);
  flush();
  io.out(log.outcome() ?? `the call did not end (at step ${call.step})`);
  return EXIT.ok;
}

async function runScript(call: SimulatedCall, actions: ScriptAction[], io: CliIO, flush: () => void): Promise<void> {
  for (const action of actions) {
    if (call.ended) break;
    if (action.kind === 'press') await call.press(action.keys);
    else if (action.kind === 'wait') await call.wait(action.ms);
    else await call.hangup();
    flush();
  }
  if (!call.ended) {
    io.out('  (end of script: the call runs on to its end)');
    await call.runUntilEnd({ within: '60m' });
  }
}

const TICK_MS = 50;

/** Real time: the virtual clock follows the wall clock; keys come from stdin as they are typed. */
function runInteractive(call: SimulatedCall, io: CliIO, flush: () => void, log: CallLog): Promise<void> {
  return new Promise((done) => {
    const stdin = io.stdin as (NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (on: boolean) => void }) | undefined;
    const raw = Boolean(stdin?.isTTY && stdin.setRawMode);
    io.out(`Keys: 0-9 * # A-D.${raw ? ' Press q or Ctrl-C to hang up.' : ' Reading keys from stdin.'}`);
    const realStart = Date.now();
    const virtualStart = call.clock.now();
    let busy = false;
    let lastStatus = '';
    const showStatus = () => {
      // The countdown changes every tick; print the status when the step changes or a new timer is set.
      const key = `${call.step}@${call.clock.nextDue() ?? ''}`;
      if (!call.ended && key !== lastStatus) io.out(log.status());
      lastStatus = key;
    };
    const finish = () => {
      clearInterval(ticker);
      stdin?.removeListener('data', onData);
      if (raw) stdin!.setRawMode!(false);
      stdin?.pause();
      done();
    };
    const ticker = setInterval(() => {
      if (busy) return;
      busy = true;
      void call.clock.advanceTo(virtualStart + (Date.now() - realStart)).then(() => {
        busy = false;
        flush();
        showStatus();
        if (call.ended) finish();
      });
    }, TICK_MS);
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\u0003' || ch === 'q' || ch === '\u0004') void call.hangup();
        else if (isDigit(ch)) void call.press(ch);
      }
    };
    if (stdin) {
      if (raw) stdin.setRawMode!(true);
      stdin.on('data', onData);
      stdin.resume();
    }
    showStatus();
  });
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Registers `touchtone simulate`. */
export const registerSimulate: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('simulate')
    .description('Call a flow from the terminal: prompts as text, keys as you type them (or --script).')
    .argument('<flow>', 'the flow file')
    .option('--script <actions>', 'run without a terminal on the virtual clock: "1, wait 6s, 12345#, hangup"')
    .option('--now <iso>', 'when the call happens, e.g. 2026-12-06T11:00:00+01:00 (default: now; with --script a Monday 09:00 UTC)')
    .option('--caller <number>', 'the caller number')
    .option('--dialled <number>', 'the dialled number')
    .option('--language <code>', 'the channel language')
    .option('--data <file>', 'YAML or JSON map of data source to records, used instead of the flow\'s real data sources')
    .option('--hours <name=state>', 'force a schedule open, closed or holiday (repeatable)', collect, [])
    .option('--queue <name=state>', 'queue state: free, busy, none or unknown (repeatable)', collect, [])
    .option('--department <name=answer>', 'answered, busy, noAnswer or failed (repeatable)', collect, [])
    .option('--lookup <source=fake>', 'error, notFound or locked (repeatable)', collect, [])
    .action(async (file: string, options: SimulateOptions) => {
      setExit(await runSimulateCommand(file, options, io));
    });
};
