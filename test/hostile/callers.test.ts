/**
 * Hostile callers: random key and timing sequences across every flow in flows/ and examples/, on the virtual
 * clock, with random worlds (transfer outcomes, queue states, failing lookups). No exception, no stuck call, no
 * internal error, one outcome per call, nothing left pending. Long digit floods and keys after a hangup are
 * ignored safely.
 *
 * How many calls: TOUCHTONE_HOSTILE_RUNS (default 1,000 in CI; `TOUCHTONE_HOSTILE_RUNS=100000` for the full run
 * recorded in RELIABILITY.md). The seed is TOUCHTONE_HOSTILE_SEED (default fixed); a failure names the call number
 * and seed that reproduce it.
 */
import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import type { CompiledFlow } from '../../src/compile/compile-flow.js';
import { VirtualClock, settle } from '../../src/runtime/clock.js';
import { Engine } from '../../src/runtime/engine.js';
import { createInMemoryServices } from '../../src/runtime/in-memory-services.js';
import type { CallOutcome } from '../../src/runtime/services.js';
import type { CallFacts, CallPort, PortEvent, PortEventListener } from '../../src/telephony/port.js';
import { compileFlowFile } from '../../src/testing/load-flow.js';
import { findTestFiles } from '../../src/testing/run-scenarios.js';
import { simulateCall } from '../../src/testing/simulate-call.js';
import { mulberry32 } from '../../bench/lib/random.js';

const RUNS = Number(process.env.TOUCHTONE_HOSTILE_RUNS ?? 1000);
const SEED = Number(process.env.TOUCHTONE_HOSTILE_SEED ?? 20261124);
const KINDS: CallOutcome['kind'][] = ['completed', 'hungup', 'transferred', 'queued', 'failed'];
const KEYS = '0123456789*#';

const { flows: files } = await findTestFiles(['flows', 'examples']);
const flows: CompiledFlow[] = [];
for (const file of files) flows.push(await compileFlowFile(file));

/** One random caller; throws (with what happened) when a rule breaks. */
async function oneCaller(random: () => number): Promise<{ keys: number }> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const flow = pick(flows);
  const doc = flow.doc;
  const department = pick(['answered', 'busy', 'noAnswer', 'failed'] as const);
  const queue = pick(['free', 'busy', 'none', 'unknown'] as const);
  const lookup = pick([undefined, 'error', 'notFound', 'slow'] as const);
  const day = Math.floor(random() * 7);
  const hour = Math.floor(random() * 24);
  const call = await simulateCall(flow, {
    now: new Date(Date.UTC(2026, 11, 6 + day, hour, 17)).toISOString(),
    departments: Object.fromEntries(Object.keys(doc.departments ?? {}).map((d) => [d, department])) as Record<string, 'busy'>,
    queues: Object.fromEntries(Object.keys(doc.queues ?? {}).map((q) => [q, queue])) as Record<string, 'free'>,
    ...(lookup === undefined
      ? {}
      : { lookups: Object.fromEntries(Object.keys(doc.data ?? {}).map((s) => [s, lookup === 'slow' ? { kind: 'slow' as const, delayMs: 60_000 } : { kind: lookup }])) }),
    caller: pick(['+4930123456', '', 'anonymous', '123&Local/x', '${env.HOME}', '1;DROP TABLE calls', '\r\nX: y', 'x'.repeat(10_240)]),
  });
  let keys = 0;
  const steps = 1 + Math.floor(random() * 30);
  let hungUp = false;
  for (let i = 0; i < steps && !call.ended; i++) {
    const r = random();
    if (r < 0.45) {
      const n = 1 + Math.floor(random() * 6);
      let k = '';
      for (let j = 0; j < n; j++) k += pick([...KEYS]);
      await call.press(k);
      keys += n;
    } else if (r < 0.47) {
      // A digit flood: a hundred keys and more at once.
      const n = 100 + Math.floor(random() * 200);
      await call.press(Array.from({ length: n }, () => pick([...KEYS])).join(''));
      keys += n;
    } else if (r < 0.95) {
      await call.wait(Math.floor(random() * 12_000));
    } else {
      await call.hangup();
      hungUp = true;
      // Keys after the hangup: ignored.
      await call.press('123#');
    }
    if (!call.ended) expect(call.clock.pending, `stuck at step \`${call.step}\` of ${doc.flow}: nothing pending`).toBeGreaterThan(0);
  }
  if (!call.ended) await call.runUntilEnd({ within: '180m' });
  if (!call.ended) {
    // A caller who stays on the line for ever is a caller; hanging up must still end the call at once.
    await call.hangup();
    hungUp = true;
  }
  expect(call.ended, `the call did not end; it is at step \`${call.step}\` of ${doc.flow}`).toBe(true);
  expect(KINDS).toContain(call.outcome!.kind);
  if (hungUp && call.outcome!.kind !== 'hungup') expect(['completed', 'transferred', 'queued', 'failed']).toContain(call.outcome!.kind);
  await settle();
  expect(call.clock.pending, `a finished call in ${doc.flow} left timers behind`).toBe(0);
  expect(call.engine.liveCalls.size).toBe(0);
  const errors = call.trace.filter((e) => e.type === 'note' && e.code === 'internal-error');
  expect(errors, `an implementation threw in ${doc.flow}`).toEqual([]);
  return { keys };
}

/** A port whose events the test sends by hand, in any order (the simulator refuses keys after a hangup itself). */
class RawPort implements CallPort {
  listener: PortEventListener | undefined;
  readonly commands: string[] = [];
  constructor(readonly facts: CallFacts) {}
  onEvent(listener: PortEventListener): void {
    this.listener = listener;
  }
  send(event: PortEvent): void {
    this.listener?.(event);
  }
  answer(): void {
    this.commands.push('answer');
  }
  play(): void {
    this.commands.push('play');
  }
  stopPlayback(): void {
    this.commands.push('stopPlayback');
  }
  startMusicOnHold(): void {}
  stopMusicOnHold(): void {}
  setVariables(): void {
    this.commands.push('setVariables');
  }
  transfer(): void {
    this.commands.push('transfer');
  }
  enqueue(): void {
    this.commands.push('enqueue');
  }
  record(): void {}
  hangup(): void {
    this.commands.push('hangup');
  }
}

describe('hostile callers', () => {
  it(`${RUNS.toLocaleString('en')} random key and timing sequences across all flows: no exception, no stuck call`, async () => {
    const random = mulberry32(SEED);
    const started = performance.now();
    let keys = 0;
    for (let i = 0; i < RUNS; i++) {
      try {
        keys += (await oneCaller(random)).keys;
      } catch (error) {
        throw new Error(`caller ${i} of seed ${SEED} (TOUCHTONE_HOSTILE_SEED=${SEED}): ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    process.stdout.write(`hostile callers: ${RUNS} calls on ${flows.length} flows, ${keys} keys, in ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${SEED})\n`);
  }, Math.max(120_000, RUNS * 120));

  it('keys, playback ends and transfer results after a hangup are ignored; the call ends once', async () => {
    for (const flow of flows) {
      const clock = new VirtualClock(Date.parse('2026-12-07T10:00:00Z'));
      const services = createInMemoryServices({ clock });
      const engine = new Engine(services);
      engine.publish(flow);
      const ended: string[] = [];
      engine.onCallEnded((s) => ended.push(s.id));
      const port = new RawPort({ callId: `raw-${flow.doc.flow}`, channel: 'Raw/1', caller: '1', dialled: '2', args: {} });
      const session = engine.startCall(port, flow.doc.flow);
      await settle();
      port.send({ type: 'hangup', cause: 'caller' } as PortEvent);
      const before = port.commands.length;
      for (let i = 0; i < 1000; i++) port.send({ type: 'key', digit: KEYS[i % KEYS.length] } as PortEvent);
      port.send({ type: 'playback.finished', playbackId: 'x', outcome: 'finished' } as PortEvent);
      port.send({ type: 'transfer.result', outcome: 'answered' } as PortEvent);
      port.send({ type: 'hangup', cause: 'caller' } as PortEvent);
      await clock.advance(600_000);
      await settle();
      expect((await session.done).kind).toBe('hungup');
      expect(ended).toEqual([session.id]);
      expect(port.commands.slice(before), `${flow.doc.flow} sent commands after the hangup`).toEqual([]);
      expect(services.sink.calls.get(session.id)?.outcome?.kind).toBe('hungup');
      expect(engine.liveCalls.size).toBe(0);
      expect(clock.pending).toBe(0);
    }
  });

  it('a 10,000-key flood on the first menu costs no more than the keys it can use, and the call still works', async () => {
    for (const flow of flows) {
      const call = await simulateCall(flow, { now: '2026-12-07T10:00:00+01:00' });
      const started = performance.now();
      await call.press('1'.repeat(5000) + '#'.repeat(5000));
      const ms = performance.now() - started;
      expect(ms, `${flow.doc.flow}: a flood of 10,000 keys took ${ms.toFixed(0)} ms`).toBeLessThan(5000);
      await call.runUntilEnd({ within: '180m' });
      if (!call.ended) await call.hangup();
      expect(call.ended).toBe(true);
      expect(call.trace.filter((e) => e.type === 'note' && e.code === 'internal-error')).toEqual([]);
    }
  });
});
