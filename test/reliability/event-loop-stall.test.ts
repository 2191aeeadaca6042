/**
 * Fault: a heavy store flush while 1,000 calls send events. Asterisk drops an app whose websocket reader stalls
 * for about 100 ms (`websocket_write_timeout`), so the adapter must keep reading while the store writes.
 *
 * 1,000 calls sit in Stasis on the fake ARI (127.0.0.1); every key event becomes call records in a real SQLite
 * store in a temp folder (write thread, as in production). Before each burst of keys, 20,000 extra rows are queued
 * so that a large flush runs while the keys arrive. Measured: the time from the fake writing each key to the
 * websocket to the adapter handing it to the call, and how long the store held the event loop.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { openStore } from '../../src/store/index.js';
import { startRig, waitFor } from '../ari/harness.js';

const CALLS = 1000;
const ROUNDS = 3;
const EXTRA_ROWS = 20_000;
const STALL_MS = 100;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('event-loop stall pressure', () => {
  it(`the adapter keeps reading events (no ${STALL_MS} ms stall) during heavy store flushes at ${CALLS} calls`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-stall-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = openStore({ path: join(dir, 'stall.db'), flushIntervalMs: 50 });
    cleanups.push(() => store.close());
    const sentAt = new Map<string, number>(); // call id → when its key was written
    const delays: number[] = [];
    const rig = await startRig({
      fake: { playbackMs: Infinity },
      onCall: ({ port }) => {
        const id = port.facts.callId;
        store.records.callStarted({ callId: id, channel: port.facts.channel, caller: port.facts.caller, dialled: port.facts.dialled, flow: 'stall', version: '1', startedAt: Date.now() });
        port.onEvent((event) => {
          if (event.type !== 'key') return;
          const t0 = sentAt.get(id);
          if (t0 !== undefined) delays.push(performance.now() - t0);
          sentAt.delete(id);
          store.records.event(id, { at: Date.now(), type: 'key', step: 'main', digit: event.digit });
          store.records.event(id, { at: Date.now(), type: 'step', step: 'next', kind: 'menu' });
        });
        port.answer();
      },
    });
    cleanups.push(() => rig.close());
    rig.fake.logRequests = false;

    const ids = Array.from({ length: CALLS }, (_, i) => rig.fake.placeCall({ caller: `555${i}`, args: ['stall'] }).id);
    await waitFor(() => rig.calls.length === CALLS, `${CALLS} calls in Stasis`, 15_000);

    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const startedAt = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      // A heavy flush: rows of calls that just ended, queued at once, written while the keys below arrive.
      for (let i = 0; i < EXTRA_ROWS; i++) store.records.event(ids[i % CALLS]!, { at: Date.now(), type: 'step', step: `filler-${round}`, kind: 'play' });
      for (const id of ids) {
        sentAt.set(id, performance.now());
        rig.fake.pressKey(id, '1');
        // Keys arrive spread over about a second, as 1,000 callers would press them.
        if (ids.indexOf(id) % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await waitFor(() => sentAt.size === 0, `round ${round}: every key delivered`, 10_000);
    }
    await store.flush();
    loop.disable();
    const m = store.metrics();
    delays.sort((a, b) => a - b);
    const p99 = delays[Math.floor(delays.length * 0.99)]!;
    const max = delays[delays.length - 1]!;
    process.stdout.write(
      `event-loop stall: ${delays.length} keys over ${((performance.now() - startedAt) / 1000).toFixed(1)} s with ${m.written} rows written; ` +
        `key delivery p50 ${delays[Math.floor(delays.length / 2)]!.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms; ` +
        `event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms; store held the loop at most ${m.longestHoldMs} ms\n`,
    );

    expect(delays).toHaveLength(CALLS * ROUNDS);
    expect(m.lost).toBe(0);
    expect(m.written).toBeGreaterThanOrEqual(CALLS * ROUNDS * 2 + EXTRA_ROWS * ROUNDS);
    // The store's own share of the loop stays far below the stall Asterisk punishes.
    expect(m.longestHoldMs).toBeLessThan(STALL_MS / 2);
    // No key waited a stall's length to be read. (Max includes GC and the machine; p99 is the steady state.)
    expect(p99).toBeLessThan(STALL_MS);
    expect(max).toBeLessThan(STALL_MS * 2);
    // The adapter never lost its socket to a stall.
    expect(rig.ari.status().reconnects).toBe(0);
  }, 60_000);
});
