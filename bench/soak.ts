/**
 * Soak run: many simultaneous callers with random keys on every flow in flows/ and examples/, on the real clock,
 * writing call records to a real SQLite store in a temp folder. Prints a table per minute and a verdict.
 *
 *   npm run soak                                  100 simultaneous calls for 1 minute
 *   npm run soak -- --calls 1000 --minutes 10     1,000 simultaneous calls for 10 minutes
 *   options: --seed N (the callers' random choices), --keep (keep the database and print its path)
 *
 * Each caller presses random keys at random gaps (sometimes a flood of 40 keys at once), and hangs up after a
 * random 3–90 s unless the flow ended the call first; an ended call is replaced at once, so `--calls` stay live
 * until the last minute ends. Then no new call starts, the callers still on the line hang up, and the run checks:
 *   - heap flat: heap after GC at the end of the last minute is within noise of the end of the first minute
 *     (growth at most 10% or 4 MiB, whichever is larger), and after the calls end it is back near the start;
 *   - no stuck call: every call has ended within 2 s of its caller hanging up, and none is live at the end;
 *   - one outcome per call: the store holds exactly the calls that started, each with an outcome, none lost,
 *     and the engine reported each end once.
 * Exit status 1 when a check fails. Needs `--expose-gc` for the heap figures (`npm run soak` passes it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { CompiledFlow } from '../src/compile/compile-flow.js';
import { systemClock } from '../src/runtime/clock.js';
import { Engine } from '../src/runtime/engine.js';
import { createInMemoryServices, type MemorySource } from '../src/runtime/in-memory-services.js';
import type { CallRecordSink } from '../src/runtime/services.js';
import { openStore } from '../src/store/index.js';
import { SimulatedPhone } from '../src/telephony/simulator/simulated-phone.js';
import type { TransferOutcome } from '../src/telephony/port.js';
import { compileFlowFile } from '../src/testing/load-flow.js';
import { findTestFiles } from '../src/testing/run-scenarios.js';
import { mulberry32 } from './lib/random.js';

const args = process.argv.slice(2);
const num = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`\`${name}\` needs a positive number, got \`${args[i + 1]}\``);
  return value;
};
const CALLS = Math.floor(num('--calls', 100));
const MINUTES = num('--minutes', 1);
const SEED = Math.floor(num('--seed', 20261124));
const KEEP = args.includes('--keep');
const STUCK_AFTER_MS = 2000;

const gc = (globalThis as { gc?: () => void }).gc;
const random = mulberry32(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo));
const KEYS = '0123456789*#';
const TRANSFER_OUTCOMES: readonly TransferOutcome[] = ['answered', 'busy', 'noAnswer', 'failed'];
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

function heapAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

// ---- the world ---------------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'touchtone-soak-'));
const store = openStore({ path: join(dir, 'soak.db') });

/** Counts starts and ends as the engine reports them; holds only live ids, so it does not grow with the run. */
const counted = { started: 0, ended: 0, endedTwice: 0 };
const openIds = new Set<string>();
const sink: CallRecordSink = {
  callStarted(record) {
    counted.started++;
    openIds.add(record.callId);
    store.records.callStarted(record);
  },
  event(callId, event) {
    store.records.event(callId, event);
  },
  callEnded(callId, outcome, endedAt) {
    if (!openIds.delete(callId)) counted.endedTwice++;
    else counted.ended++;
    store.records.callEnded(callId, outcome, endedAt);
  },
  recording(callId, entry) {
    store.records.recording?.(callId, entry);
  },
};

const { flows: files } = await findTestFiles(['flows', 'examples']);
const flows: CompiledFlow[] = [];
for (const file of files) flows.push(await compileFlowFile(file));
// Lookups answer after 300 ms with nothing found, or fail: both branches run, on the real clock.
const data: Record<string, MemorySource> = {};
for (const flow of flows) for (const name of Object.keys(flow.doc.data ?? {})) data[name] = name.length % 2 ? { records: [], delay: 300 } : { error: 'soak: source down', delay: 150 };
// The in-memory sink keeps the last 10,000 calls; the store's sink replaces it so that memory is the engine's own.
const services = { ...createInMemoryServices({ clock: systemClock, data }), records: sink };
const engine = new Engine(services);
for (const flow of flows) engine.publish(flow);

// ---- callers -----------------------------------------------------------------------------------------------------

let running = true;
let seq = 0;
let stuck = 0;
const stuckExamples: string[] = [];
const timers = new Set<NodeJS.Timeout>();
const later = (ms: number, fn: () => void): void => {
  const t = setTimeout(() => {
    timers.delete(t);
    fn();
  }, ms);
  timers.add(t);
};
const perMinute = { started: 0, ended: 0, keys: 0, hangups: 0, outcomes: new Map<string, number>() };

function startCaller(): void {
  const flow = pick(flows);
  const outcome = pick(TRANSFER_OUTCOMES);
  const departments = new Proxy({} as Record<string, TransferOutcome>, { get: () => outcome });
  const phone = new SimulatedPhone(systemClock, { callId: `soak-${++seq}`, caller: `+49301${between(100000, 999999)}`, dialled: '100', args: {} }, { departments, ringMs: 1500 });
  const session = engine.startCall(phone, flow.doc.flow);
  perMinute.started++;
  const hangUpAt = performance.now() + between(3_000, 90_000);
  void session.done.then((result) => {
    perMinute.ended++;
    perMinute.outcomes.set(result.kind, (perMinute.outcomes.get(result.kind) ?? 0) + 1);
    if (running) startCaller();
  });
  const act = (): void => {
    if (session.ended) return;
    if (performance.now() >= hangUpAt || !running) {
      phone.hangupByCaller();
      perMinute.hangups++;
      later(STUCK_AFTER_MS, () => {
        if (session.ended) return;
        stuck++;
        if (stuckExamples.length < 5) stuckExamples.push(`${session.id} at step \`${session.step}\` of ${flow.doc.flow}`);
      });
      return;
    }
    const flood = random() < 0.03;
    const keys = flood ? Array.from({ length: 40 }, () => pick([...KEYS])).join('') : pick([...KEYS]) + (random() < 0.3 ? pick([...KEYS]) : '');
    phone.press(keys);
    perMinute.keys += keys.length;
    later(between(300, 4_000), act);
  };
  later(between(200, 3_000), act);
}

// ---- the run -----------------------------------------------------------------------------------------------------

const baseline = heapAfterGc();
process.stdout.write(
  [
    `soak: ${CALLS} simultaneous calls for ${MINUTES} min on ${flows.length} flows (${flows.map((f) => f.doc.flow).join(', ')}), seed ${SEED}`,
    `node ${process.version}; store ${join(dir, 'soak.db')}; heap before calls ${mib(baseline)} MiB${gc ? '' : ' (no --expose-gc: heap figures include garbage)'}`,
    '',
    'minute  started  ended  live  keys     hangups  outcomes                                      heap MiB  rss MiB  loop p99/max ms',
  ].join('\n') + '\n',
);

const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
for (let i = 0; i < CALLS; i++) startCaller();
const heaps: number[] = [];
const totalMinutes = Math.ceil(MINUTES);
for (let minute = 1; minute <= totalMinutes; minute++) {
  const ms = Math.min(1, MINUTES - (minute - 1)) * 60_000;
  await new Promise((resolve) => setTimeout(resolve, ms));
  const heap = heapAfterGc();
  heaps.push(heap);
  const outcomes = [...perMinute.outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  process.stdout.write(
    `${String(minute).padStart(6)}  ${String(perMinute.started).padStart(7)}  ${String(perMinute.ended).padStart(5)}  ${String(engine.liveCalls.size).padStart(4)}  ${String(perMinute.keys).padStart(7)}  ${String(perMinute.hangups).padStart(7)}  ${outcomes.padEnd(44)}  ${mib(heap).padStart(8)}  ${mib(process.memoryUsage().rss).padStart(7)}  ${(loop.percentile(99) / 1e6).toFixed(0)}/${(loop.max / 1e6).toFixed(0)}\n`,
  );
  loop.reset();
  perMinute.started = perMinute.ended = perMinute.keys = perMinute.hangups = 0;
  perMinute.outcomes.clear();
}

// Wind down: no new calls; every caller still on the line hangs up at its next action (within 4 s).
running = false;
const windDownStart = performance.now();
while (engine.liveCalls.size > 0 && performance.now() - windDownStart < 15_000) await new Promise((resolve) => setTimeout(resolve, 50));
const leftLive = engine.liveCalls.size;
// Let the stuck checks of the last hang-ups run, then stop every pending caller timer.
await new Promise((resolve) => setTimeout(resolve, STUCK_AFTER_MS + 100));
for (const t of timers) clearTimeout(t);
loop.disable();
await store.flush();
const heapAfter = heapAfterGc();
const stats = store.stats();
const metrics = store.metrics();
const inStore = stats.reduce((n, f) => n + f.calls, 0);
const withoutOutcome = stats.reduce((n, f) => n + (f.outcomes['in-progress'] ?? 0), 0);
const outcomeTotal = stats.reduce((n, f) => n + Object.values(f.outcomes).reduce((a, b) => a + b, 0), 0);
await store.close();
if (KEEP) process.stdout.write(`database kept: ${join(dir, 'soak.db')}\n`);
else rmSync(dir, { recursive: true, force: true });

// ---- verdict -----------------------------------------------------------------------------------------------------

const first = heaps[0]!;
const last = heaps[heaps.length - 1]!;
const allowed = Math.max(first * 0.1, 4 * 2 ** 20);
const checks: Array<[string, boolean, string]> = [
  [
    'heap flat under load (first → last minute)',
    heaps.length < 2 || last - first <= allowed,
    `${mib(first)} → ${mib(last)} MiB (${last >= first ? '+' : ''}${mib(last - first)}; allowed +${mib(allowed)})`,
  ],
  ['heap back near the start after the calls ended', heapAfter - baseline <= allowed, `${mib(baseline)} MiB before, ${mib(heapAfter)} MiB after`],
  ['no stuck call (each ended within 2 s of its hang-up)', stuck === 0, `${stuck} stuck${stuckExamples.length ? ': ' + stuckExamples.join('; ') : ''}`],
  ['no call live at the end', leftLive === 0, `${leftLive} live ${((performance.now() - windDownStart) / 1000).toFixed(1)} s into the wind-down`],
  ['the engine reported each end once', counted.endedTwice === 0 && counted.ended === counted.started, `${counted.started} started, ${counted.ended} ended, ${counted.endedTwice} ended twice`],
  [
    'store: every call once, each with one outcome, none lost',
    inStore === counted.started && withoutOutcome === 0 && outcomeTotal === inStore && metrics.lost === 0,
    `${inStore} calls in the store, ${withoutOutcome} without an outcome, ${metrics.lost} rows lost, ${metrics.retried} retried`,
  ],
];
process.stdout.write('\n');
for (const [what, ok, detail] of checks) process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${what}: ${detail}\n`);
const passed = checks.every(([, ok]) => ok);
process.stdout.write(`\nverdict: ${passed ? 'PASS' : 'FAIL'} (${counted.started} calls in ${MINUTES} min)\n`);
process.exit(passed ? 0 : 1);
