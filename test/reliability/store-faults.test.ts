/**
 * Fault: the SQLite file turns read-only or the disk fills up in the middle of a run. Calls go on exactly as
 * before; call records are held and retried, written once the disk is back, and counted as lost only past the
 * backlog bound. Whole calls through the default hotline on a virtual clock, with a real SQLite file whose writes
 * fail on command (the store's `beforeWrite` hook throws SQLite's own errors).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompiledFlow } from '../../src/compile/compile-flow.js';
import { VirtualClock } from '../../src/runtime/clock.js';
import type { CallOutcome } from '../../src/runtime/services.js';
import { openStore, type Store } from '../../src/store/index.js';
import { compileFlowFile } from '../../src/testing/load-flow.js';
import { simulateCall } from '../../src/testing/simulate-call.js';

const T0 = Date.parse('2026-12-07T10:00:00+01:00');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

type Fault = 'none' | 'full' | 'readonly';
const ERRORS: Record<Exclude<Fault, 'none'>, () => Error> = {
  full: () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }),
  readonly: () => Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' }),
};

function world(maxBacklog?: number): { store: Store; clock: VirtualClock; fault: { now: Fault } } {
  const dir = mkdtempSync(join(tmpdir(), 'tt-store-fault-'));
  const clock = new VirtualClock(T0);
  const fault = { now: 'none' as Fault };
  const store = openStore({
    path: join(dir, 'calls.db'),
    clock,
    ...(maxBacklog ? { maxBacklog } : {}),
    beforeWrite: () => {
      if (fault.now !== 'none') throw ERRORS[fault.now]();
    },
  });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  return { store, clock, fault };
}

/** One caller: balance with a known account, then hangs up in the menu. Returns the outcome. */
async function oneCall(flow: CompiledFlow, store: Store, clock: VirtualClock): Promise<CallOutcome> {
  const call = await simulateCall(flow, { clock, services: { records: store.records }, lookups: { accounts: () => ({ status: 'found', record: { number: '123456', balance: 42.5 } }) }, hours: { office: 'open' } });
  await call.expectPrompt('main-menu');
  await call.press('1');
  await call.press('123456#');
  await call.expectPrompt('your-balance-is');
  await call.expectPrompt('main-menu');
  await call.hangup();
  return call.outcome!;
}

describe('store faults mid-run', () => {
  for (const kind of ['full', 'readonly'] as const) {
    it(`${kind === 'full' ? 'disk full' : 'file read-only'} mid-run: calls go on, records are held and retried, then all written`, async () => {
      const flow = await compileFlowFile('flows/acme-hotline.yaml');
      const { store, clock, fault } = world();
      const outcomes: CallOutcome[] = [];
      for (let i = 0; i < 10; i++) outcomes.push(await oneCall(flow, store, clock));
      await clock.advance(100);
      const before = store.metrics();
      expect(before).toMatchObject({ backlog: 0, lost: 0 });

      fault.now = kind;
      for (let i = 0; i < 20; i++) outcomes.push(await oneCall(flow, store, clock));
      await clock.advance(1000);
      const during = store.metrics();
      // The calls never noticed: every one hung up in the menu as its caller did.
      expect(outcomes.every((o) => o.kind === 'hungup' && o.step === 'main')).toBe(true);
      expect(during.backlog).toBeGreaterThan(0);
      expect(during.retried).toBeGreaterThan(before.retried);
      expect(during.lost).toBe(0);
      expect(during.lastError).toMatch(kind === 'full' ? /full/ : /readonly/);

      fault.now = 'none';
      // Backoff is capped: the next attempt comes within seconds.
      await clock.advance(60_000);
      const after = store.metrics();
      expect(after).toMatchObject({ backlog: 0, lost: 0 });
      const rows = store.recentCalls({ limit: 100 });
      expect(rows).toHaveLength(30);
      expect(rows.every((r) => r.outcome === 'hungup')).toBe(true);
      process.stdout.write(`store fault ${kind}: 20 calls during the fault, ${during.backlog} rows held, ${during.retried - before.retried} retries, 0 lost, all written after\n`);
    });
  }

  it('a fault that outlasts the backlog bound: the calls still go on; rows past the bound are counted as lost', async () => {
    const flow = await compileFlowFile('flows/acme-hotline.yaml');
    const maxBacklog = 200;
    const { store, clock, fault } = world(maxBacklog);
    fault.now = 'full';
    const outcomes: CallOutcome[] = [];
    for (let i = 0; i < 30; i++) outcomes.push(await oneCall(flow, store, clock));
    await clock.advance(1000);
    const m = store.metrics();
    expect(outcomes.every((o) => o.kind === 'hungup')).toBe(true);
    expect(m.backlog).toBeLessThanOrEqual(maxBacklog);
    expect(m.lost).toBeGreaterThan(0);
    fault.now = 'none';
    await clock.advance(60_000);
    const after = store.metrics();
    expect(after.backlog).toBe(0);
    expect(after.written).toBe(m.backlog);
    // Every row is either written or counted as lost: none vanished unaccounted.
    process.stdout.write(`store fault past the bound: ${after.written} rows written, ${after.lost} counted as lost (bound ${maxBacklog})\n`);
  });
});
