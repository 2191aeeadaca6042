/**
 * `touchtone stats`: outcomes per flow, where callers hang up, invalid-key and timeout rates per menu, and time
 * to an agent, from the call record store.
 */
import type { Command } from 'commander';
import { openStoreReadonly, type FlowStats } from '../store/index.js';
import { EXIT, storePathFor, type CliIO } from './io.js';
import { table } from './calls.js';
import type { RegisterCommand } from './commands.js';

interface StatsOptions {
  db?: string;
  flow?: string;
  since?: string;
  format: string;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `7d`, `24h`, `2w` (before now) or an ISO date/time. @example parseSince('7d', now) // now - 7 days */
export function parseSince(text: string, now: number): number | undefined {
  const relative = /^(\d+)([hdw])$/.exec(text.trim());
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]!]!;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

function flowText(f: FlowStats): string {
  const lines = [`${f.flow}: ${f.calls} call${f.calls === 1 ? '' : 's'}`];
  lines.push('  outcomes: ' + Object.entries(f.outcomes).map(([k, n]) => `${k} ${n} (${percent(n / f.calls)})`).join(', '));
  if (f.dropOff.length) lines.push('  hung up at: ' + f.dropOff.slice(0, 5).map((d) => `${d.step} ${d.calls}`).join(', '));
  if (f.timeToAgent) lines.push(`  time to agent: average ${f.timeToAgent.averageSec}s, median ${f.timeToAgent.medianSec}s over ${f.timeToAgent.calls} call${f.timeToAgent.calls === 1 ? '' : 's'}`);
  if (f.menus.length) {
    const rows = f.menus.map((m) => ['  ' + m.step, m.kind, String(m.entries), String(m.attempts), percent(m.invalidRate), percent(m.timeoutRate)]);
    lines.push('', table(['  step', 'kind', 'entries', 'attempts', 'invalid', 'timeout'], rows));
  }
  return lines.join('\n');
}

function run(opts: StatsOptions, io: CliIO): number {
  if (opts.format !== 'text' && opts.format !== 'json') {
    io.err(`touchtone stats: \`--format ${opts.format}\` is not a format; use \`text\` or \`json\`.`);
    return EXIT.usage;
  }
  const since = opts.since === undefined ? undefined : parseSince(opts.since, Date.now());
  if (opts.since !== undefined && since === undefined) {
    io.err(`touchtone stats: \`--since ${opts.since}\` is neither a date nor an age; write \`2026-12-01\` or \`7d\`.`);
    return EXIT.usage;
  }
  const path = storePathFor(io, opts.db);
  const store = openStoreReadonly(path);
  if (!store) {
    io.err(`touchtone stats: no call records at \`${path}\`; pass \`--db <file>\`, or run it where \`touchtone serve\` runs, with the same \`TOUCHTONE_STORE_PATH\` or \`touchtone.yaml\`.`);
    return EXIT.failed;
  }
  try {
    const stats = store.stats({ ...(opts.flow ? { flow: opts.flow } : {}), ...(since !== undefined ? { since } : {}) });
    if (opts.format === 'json') io.out(JSON.stringify(stats, null, 2));
    else io.out(stats.length ? stats.map(flowText).join('\n\n') : 'No calls recorded in that period.');
    return EXIT.ok;
  } finally {
    void store.close();
  }
}

/** Registers `touchtone stats`. */
export const registerStats: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('stats')
    .description('Outcomes per flow, drop-off, invalid and timeout rates per menu, and time to an agent.')
    .option('--db <file>', 'the database (default: $TOUCHTONE_DB, else the server\'s store.path / $TOUCHTONE_STORE_PATH)')
    .option('--flow <name>', 'only this flow')
    .option('--since <when>', 'only calls since a date (`2026-12-01`) or an age (`7d`, `24h`)')
    .option('--format <format>', 'text or json', 'text')
    .action((opts: StatsOptions) => {
      setExit(run(opts, io));
    });
};
