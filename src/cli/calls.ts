/**
 * `touchtone calls [id]`: the most recent calls, or one call's trace (steps, keys, timers, lookups), from the
 * call record store. Secrets were masked before they were stored.
 */
import type { Command } from 'commander';
import { openStoreReadonly, type CallRow, type CallTrace } from '../store/index.js';
import type { TraceEntry } from '../runtime/services.js';
import { EXIT, storePathFor, type CliIO } from './io.js';
import type { RegisterCommand } from './commands.js';

interface CallsOptions {
  db?: string;
  limit: string;
  flow?: string;
  format: string;
}

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));
const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)}s`);

/** Lays out rows in columns padded to the widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function outcomeText(call: CallRow): string {
  if (!call.outcome) return 'in progress';
  return call.outcomeDetail ? `${call.outcome} (${call.outcomeDetail})` : call.outcome;
}

function eventText(e: TraceEntry): string {
  switch (e.type) {
    case 'step':
      return `step ${e.step} (${e.kind})`;
    case 'key':
      return `key ${e.digit} in ${e.step}`;
    case 'prompt':
      return `prompt ${e.prompts.join(', ')}`;
    case 'timer':
      return `timer ${e.timer} in ${e.step}`;
    case 'match':
      return `${e.step}: \`${e.entry}\` → ${e.result}`;
    case 'lookup':
      return `lookup ${e.source} → ${e.result} in ${e.ms} ms`;
    case 'var':
      return `set ${e.name} = ${e.value}`;
    case 'note':
      return `${e.code}: ${e.message}`;
  }
}

function traceText(trace: CallTrace): string {
  const c = trace.call;
  const head = [
    `call ${c.id}  ${c.flow}@${c.version}  from ${c.caller || 'unknown'} to ${c.dialled || '-'}  (${c.channel || '-'})`,
    `started ${iso(c.startedAt)}  ended ${iso(c.endedAt)}  ${seconds(c.durationMs)}  ${outcomeText(c)} at ${c.lastStep ?? '-'}`,
  ];
  const events = trace.events.map((e) => `  +${((e.at - c.startedAt) / 1000).toFixed(3).padStart(8)}s  ${eventText(e)}`);
  return [...head, '', ...(events.length ? events : ['  (no trace)'])].join('\n');
}

function run(id: string | undefined, opts: CallsOptions, io: CliIO): number {
  if (opts.format !== 'text' && opts.format !== 'json') {
    io.err(`touchtone calls: \`--format ${opts.format}\` is not a format; use \`text\` or \`json\`.`);
    return EXIT.usage;
  }
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    io.err(`touchtone calls: \`--limit ${opts.limit}\` is not a positive whole number; write for example \`--limit 50\`.`);
    return EXIT.usage;
  }
  const path = storePathFor(io, opts.db);
  const store = openStoreReadonly(path);
  if (!store) {
    io.err(`touchtone calls: no call records at \`${path}\`; pass \`--db <file>\`, or run it where \`touchtone serve\` runs, with the same \`TOUCHTONE_STORE_PATH\` or \`touchtone.yaml\`.`);
    return EXIT.failed;
  }
  try {
    if (id !== undefined) {
      const trace = store.callTrace(id);
      if (!trace) {
        io.err(`touchtone calls: no call with id \`${id}\` in \`${path}\`; run \`touchtone calls\` to list recent calls.`);
        return EXIT.failed;
      }
      io.out(opts.format === 'json' ? JSON.stringify(trace, null, 2) : traceText(trace));
      return EXIT.ok;
    }
    const calls = store.recentCalls({ limit, ...(opts.flow ? { flow: opts.flow } : {}) });
    if (opts.format === 'json') io.out(JSON.stringify(calls, null, 2));
    else if (!calls.length) io.out('No calls recorded yet.');
    else {
      const rows = calls.map((c) => [iso(c.startedAt), c.id, `${c.flow}@${c.version}`, c.caller || '-', outcomeText(c), c.lastStep ?? '-', seconds(c.durationMs)]);
      io.out(table(['started', 'id', 'flow', 'caller', 'outcome', 'last step', 'duration'], rows));
    }
    return EXIT.ok;
  } finally {
    void store.close();
  }
}

/** Registers `touchtone calls`. */
export const registerCalls: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('calls')
    .description('List recent calls, or show one call\'s trace (`touchtone calls <id>`), from the call record store.')
    .argument('[id]', 'a call id: show its trace')
    .option('--db <file>', 'the database (default: $TOUCHTONE_DB, else the server\'s store.path / $TOUCHTONE_STORE_PATH)')
    .option('--limit <n>', 'how many calls to list', '20')
    .option('--flow <name>', 'only calls of this flow')
    .option('--format <format>', 'text or json', 'text')
    .action((id: string | undefined, opts: CallsOptions) => {
      setExit(run(id, opts, io));
    });
};
