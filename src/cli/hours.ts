/**
 * `touchtone hours`: manual overrides of opening hours, stored in the database so they survive restarts and
 * reach every running server within a second.
 *
 *   touchtone hours override office closed --reason storm --until 2026-12-08T08:00
 *   touchtone hours list
 *   touchtone hours clear office
 *   touchtone hours show flows/acme-hotline.yaml office --at 2026-12-24T10:00
 */
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { openStore } from '../store/index.js';
import type { HoursOverride } from '../data/hours-overrides.js';
import { resolve } from 'node:path';
import { loadFlowFile } from '../flow/load.js';
import { createHoursService } from '../data/hours.js';
import { mediaText, sayOpening } from '../say/index.js';
import { EXIT, storePathFor, type CliIO } from './io.js';
import { table } from './calls.js';
import type { RegisterCommand } from './commands.js';

interface CommonOptions {
  db?: string;
  format?: string;
}

interface OverrideOptions extends CommonOptions {
  reason: string;
  until?: string;
  tz?: string;
  by?: string;
}

const NAME = /^[A-Za-z0-9_-]+$/;

function withStore<T>(opts: CommonOptions, io: CliIO, fn: (store: ReturnType<typeof openStore>) => T): T {
  // Inline writer: the CLI writes no call records, so it needs no write thread; closing finishes in microtasks.
  const store = openStore({ path: storePathFor(io, opts.db), writer: 'inline' });
  try {
    return fn(store);
  } finally {
    void store.close();
  }
}

function describe(o: HoursOverride, zone: string): string[] {
  const until = o.until === undefined ? 'until cleared' : DateTime.fromMillis(o.until, { zone }).toISO({ suppressMilliseconds: true })!;
  return [o.hours, o.state, o.reason, until, DateTime.fromMillis(o.setAt, { zone }).toISO({ suppressMilliseconds: true })!, o.setBy ?? '-'];
}

function override(name: string, state: string, opts: OverrideOptions, io: CliIO): number {
  if (!NAME.test(name)) {
    io.err(`touchtone hours: \`${name}\` is not a schedule name; use the name from the flow's \`hours:\` map, such as \`office\`.`);
    return EXIT.usage;
  }
  if (state !== 'open' && state !== 'closed') {
    io.err(`touchtone hours: \`${state}\` is not a state; write \`open\` or \`closed\`.`);
    return EXIT.usage;
  }
  const zone = opts.tz ?? 'local';
  let until: number | undefined;
  if (opts.until !== undefined) {
    const dt = DateTime.fromISO(opts.until, { zone });
    if (!dt.isValid) {
      io.err(`touchtone hours: \`--until ${opts.until}\` is not a date and time; write for example \`2026-12-08T08:00\`.`);
      return EXIT.usage;
    }
    until = dt.toMillis();
    if (until <= Date.now()) {
      io.err(`touchtone hours: \`--until ${opts.until}\` is in the past; give a later time or leave \`--until\` out.`);
      return EXIT.usage;
    }
  }
  const entry: HoursOverride = {
    hours: name,
    state,
    reason: opts.reason,
    setAt: Date.now(),
    ...(until !== undefined ? { until } : {}),
    setBy: opts.by ?? io.env.USER ?? 'cli',
  };
  withStore(opts, io, (store) => store.hoursOverrides.set(entry));
  io.out(`✓ \`${name}\` is ${state} (${opts.reason}) ${until === undefined ? 'until cleared' : 'until ' + DateTime.fromMillis(until, { zone }).toISO({ suppressMilliseconds: true })}.`);
  return EXIT.ok;
}

function list(opts: CommonOptions & { tz?: string; all?: boolean }, io: CliIO): number {
  const zone = opts.tz ?? 'local';
  const rows = withStore(opts, io, (store) => store.hoursOverrides.list(opts.all ? undefined : Date.now()));
  if (opts.format === 'json') io.out(JSON.stringify(rows, null, 2));
  else if (!rows.length) io.out('No hours overrides in force.');
  else io.out(table(['hours', 'state', 'reason', 'until', 'set at', 'set by'], rows.map((o) => describe(o, zone))));
  return EXIT.ok;
}

function clear(name: string, opts: CommonOptions, io: CliIO): number {
  const removed = withStore(opts, io, (store) => store.hoursOverrides.clear(name));
  if (!removed) {
    io.err(`touchtone hours: \`${name}\` has no override; run \`touchtone hours list\` to see the overrides in force.`);
    return EXIT.failed;
  }
  io.out(`✓ \`${name}\` follows its schedule again.`);
  return EXIT.ok;
}

interface ShowOptions extends CommonOptions {
  at?: string;
  lang?: string;
}

/** The state of a flow's schedules at an instant (now by default), with overrides, and how a caller hears it. */
async function show(file: string, name: string | undefined, opts: ShowOptions, io: CliIO): Promise<number> {
  const loaded = await loadFlowFile(resolve(io.cwd, file));
  if (!loaded.flow) {
    io.err(`touchtone hours: \`${file}\` has errors; run \`touchtone validate ${file}\` to see them.`);
    return EXIT.failed;
  }
  const flow = loaded.flow;
  const names = name === undefined ? Object.keys(flow.hours ?? {}) : [name];
  if (name !== undefined && !flow.hours?.[name]) {
    const known = Object.keys(flow.hours ?? {}).map((n) => `\`${n}\``).join(', ') || 'none';
    io.err(`touchtone hours: \`${file}\` has no schedule \`${name}\`; its schedules: ${known}.`);
    return EXIT.usage;
  }
  const at = opts.at === undefined ? Date.now() : DateTime.fromISO(opts.at, { zone: flow.hours?.[names[0] ?? '']?.timezone ?? 'UTC' }).toMillis();
  if (Number.isNaN(at)) {
    io.err(`touchtone hours: \`--at ${opts.at}\` is not a date and time; write for example \`2026-12-24T10:00\`.`);
    return EXIT.usage;
  }
  const results = withStore(opts, io, (store) => {
    const hours = createHoursService(store.hoursOverrides);
    return names.map((n) => {
      const def = flow.hours![n]!;
      const state = hours.evaluate(n, def, at);
      return { hours: n, timezone: def.timezone, at: DateTime.fromMillis(at, { zone: def.timezone }).toISO({ suppressMilliseconds: true }), ...state, says: mediaText(sayOpening(state, opts.lang ?? flow.language, def.timezone, at)) };
    });
  });
  if (opts.format === 'json') io.out(JSON.stringify(results, null, 2));
  else {
    for (const r of results) {
      const why = r.override ? ` (override: ${r.override.reason})` : r.holiday ? ` (${r.holiday === 'closed' ? 'closed date' : r.holiday})` : '';
      io.out(`${r.hours}: ${r.open ? 'open' : 'closed'}${why} at ${r.at}`);
      io.out(`  callers hear: "${r.says}"`);
    }
  }
  return EXIT.ok;
}

/** Registers `touchtone hours` with `override`, `list`, `clear` and `show`. */
export const registerHours: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  const hours = program.command('hours').description('Switch opening hours by hand: override, list and clear overrides.');
  const db = ['--db <file>', 'the database (default: $TOUCHTONE_DB, else the server\'s store.path / $TOUCHTONE_STORE_PATH)'] as const;
  hours
    .command('override')
    .description('Open or close a schedule now, optionally until a time (`--until 2026-12-08T08:00`).')
    .argument('<name>', "the schedule's name in the flow's `hours:` map")
    .argument('<state>', '`open` or `closed`')
    .requiredOption('--reason <text>', 'why (shown in `hours list` and the call trace)')
    .option('--until <time>', 'when the override ends (ISO date and time)')
    .option('--tz <zone>', 'time zone of `--until` when it has no offset (default: this machine)')
    .option('--by <who>', 'who set it (default: $USER)')
    .option(...db)
    .action((name: string, state: string, opts: OverrideOptions) => setExit(override(name, state, opts, io)));
  hours
    .command('list')
    .description('List the overrides in force.')
    .option('--all', 'include expired overrides')
    .option('--tz <zone>', 'time zone to show times in')
    .option('--format <format>', 'text or json', 'text')
    .option(...db)
    .action((opts: CommonOptions & { tz?: string; all?: boolean }) => setExit(list(opts, io)));
  hours
    .command('clear')
    .description("Remove a schedule's override, so it follows its weekly hours again.")
    .argument('<name>', "the schedule's name")
    .option(...db)
    .action((name: string, opts: CommonOptions) => setExit(clear(name, opts, io)));
  hours
    .command('show')
    .description("Show whether a flow's schedules are open (now or `--at`), overrides included, and what callers hear.")
    .argument('<flow>', 'the flow file')
    .argument('[name]', 'one schedule (default: all)')
    .option('--at <time>', 'the instant to check (ISO; in the schedule\'s time zone when it has no offset)')
    .option('--lang <language>', 'the language to speak (default: the flow\'s)')
    .option('--format <format>', 'text or json', 'text')
    .option(...db)
    .action(async (file: string, name: string | undefined, opts: ShowOptions) => setExit(await show(file, name, opts, io)));
};
