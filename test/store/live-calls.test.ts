/**
 * `store.liveCalls`: the saved state of calls in progress. Saves are coalesced per call (latest wins), written with
 * the store's flush interval, removed when a call ends, kept across close and reopen, and a failing disk never
 * reaches the call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { VirtualClock } from '../../src/runtime/clock.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { Logger } from '../../src/runtime/services.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.parse('2026-12-07T10:00:00Z');

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'touchtone-live-'));
  dirs.push(dir);
  return join(dir, 'touchtone.db');
}

function open(options: Partial<Parameters<typeof openStore>[0]> = {}) {
  const clock = new VirtualClock(T0);
  const path = options.path ?? tempDb();
  const store = openStore({ path, clock, flushIntervalMs: 50, writer: 'inline', ...options });
  stores.push(store);
  return { store, clock, path };
}

/** What is on disk, read by a second connection (as a restarted process would). */
function onDisk(path: string): Array<{ id: string; snapshot: string; updated_at: number }> {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT id, snapshot, updated_at FROM live_calls ORDER BY id').all() as Array<{ id: string; snapshot: string; updated_at: number }>;
  } finally {
    db.close();
  }
}

function warnings(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = (obj: object, msg?: string) => void lines.push(`${msg ?? ''} ${JSON.stringify(obj)}`);
  return { logger: { debug: () => undefined, info: () => undefined, warn: log, error: log }, lines };
}

describe('store.liveCalls', () => {
  it('writes nothing on save, then the newest state of each call after one flush interval', async () => {
    const { store, clock, path } = open();
    for (let step = 1; step <= 5; step++) store.liveCalls.save('c1', 'demo', '3', { step });
    store.liveCalls.save('c2', 'demo', '3', { step: 1 });
    expect(onDisk(path)).toEqual([]);
    // Read back before the flush: the pending state is the truth.
    expect(store.liveCalls.get('c1')).toMatchObject({ flow: 'demo', version: '3', snapshot: { step: 5 } });
    await clock.advance(49);
    expect(onDisk(path)).toEqual([]);
    await clock.advance(1);
    await store.liveCalls.flush();
    const rows = onDisk(path);
    expect(rows.map((r) => [r.id, JSON.parse(r.snapshot)])).toEqual([
      ['c1', { step: 5 }],
      ['c2', { step: 1 }],
    ]);
    // Five saves of one call and one of another are two rows.
    expect(store.liveCalls.metrics().written).toBe(2);
  });

  it('reads a snapshot given as a function at flush time, once, for the newest save only', async () => {
    const { store, clock, path } = open();
    let reads = 0;
    let state = 'main';
    store.liveCalls.save('c1', 'demo', '1', () => {
      reads++;
      return { step: 'old' };
    });
    store.liveCalls.save('c1', 'demo', '1', () => {
      reads++;
      return { step: state };
    });
    state = 'pin';
    await clock.advance(50);
    await store.liveCalls.flush();
    expect(reads).toBe(1);
    expect(JSON.parse(onDisk(path)[0]!.snapshot)).toEqual({ step: 'pin' });
  });

  it('removes a call when it ends; a removal after a pending save wins', async () => {
    const { store, clock, path } = open();
    store.liveCalls.save('c1', 'demo', '1', { step: 'main' });
    store.liveCalls.save('c2', 'demo', '1', { step: 'main' });
    await clock.advance(50);
    await store.liveCalls.flush();
    expect(onDisk(path).map((r) => r.id)).toEqual(['c1', 'c2']);
    store.liveCalls.remove('c1');
    store.liveCalls.save('c2', 'demo', '1', { step: 'pin' });
    store.liveCalls.remove('c2');
    expect(store.liveCalls.get('c1')).toBeUndefined();
    await clock.advance(50);
    await store.liveCalls.flush();
    expect(onDisk(path)).toEqual([]);
    expect(store.liveCalls.all()).toEqual([]);
  });

  it('keeps saved calls across close and reopen, with their flow, version and time', async () => {
    const { store, clock, path } = open();
    store.liveCalls.save('c1', 'acme-hotline', '7', { actor: { value: 'main' }, vars: { account: '123456' } });
    await clock.advance(10);
    store.liveCalls.save('c2', 'demo', '2', { actor: { value: 'bye' } });
    await store.close();
    const again = open({ path }).store;
    expect(again.liveCalls.all()).toEqual([
      { id: 'c2', flow: 'demo', version: '2', snapshot: { actor: { value: 'bye' } }, updatedAt: T0 + 10 },
      { id: 'c1', flow: 'acme-hotline', version: '7', snapshot: { actor: { value: 'main' }, vars: { account: '123456' } }, updatedAt: T0 },
    ]);
    expect(again.liveCalls.get('c1')?.version).toBe('7');
    expect(again.liveCalls.get('nope')).toBeUndefined();
  });

  it('is on disk within one flush interval through the write thread, without close (what a kill -9 keeps)', async () => {
    const path = tempDb();
    const store = openStore({ path, flushIntervalMs: 50, writer: 'thread' });
    stores.push(store);
    store.liveCalls.save('c1', 'demo', '1', { step: 'main' });
    const started = Date.now();
    // Real time here: the write thread commits on its own; a second connection sees the row, no close needed.
    for (;;) {
      if (onDisk(path).length === 1) break;
      if (Date.now() - started > 2000) throw new Error('the saved call state did not reach the file within 2 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a failing disk never reaches the call: saves return, rows are kept, newer saves replace them, written once the disk is back', async () => {
    let full = true;
    const { logger, lines } = warnings();
    const { store, clock, path } = open({
      logger,
      beforeWrite: () => {
        if (full) throw new Error('SQLITE_FULL: database or disk is full');
      },
    });
    expect(() => store.liveCalls.save('c1', 'demo', '1', { step: 'main' })).not.toThrow();
    await clock.advance(50);
    await store.liveCalls.flush();
    expect(store.liveCalls.metrics()).toMatchObject({ pending: 1, retried: 2, written: 0, lastError: expect.stringContaining('SQLITE_FULL') });
    expect(lines.some((l) => l.includes('call state write failed'))).toBe(true);
    store.liveCalls.save('c1', 'demo', '1', { step: 'pin' });
    expect(store.liveCalls.get('c1')?.snapshot).toEqual({ step: 'pin' });
    full = false;
    await clock.advance(5_000);
    await store.liveCalls.flush();
    expect(onDisk(path).map((r) => JSON.parse(r.snapshot))).toEqual([{ step: 'pin' }]);
    expect(store.liveCalls.metrics()).toMatchObject({ pending: 0 });
    expect(store.liveCalls.metrics().lastError).toBeUndefined();
  });

  it('a snapshot that cannot be read or serialised is dropped and logged, the others are written', async () => {
    const { logger, lines } = warnings();
    const { store, clock, path } = open({ logger });
    store.liveCalls.save('bad', 'demo', '1', () => {
      throw new Error('actor stopped');
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    store.liveCalls.save('cyclic', 'demo', '1', cyclic);
    store.liveCalls.save('good', 'demo', '1', { step: 'main' });
    await clock.advance(50);
    await store.liveCalls.flush();
    expect(onDisk(path).map((r) => r.id)).toEqual(['good']);
    expect(store.liveCalls.metrics().dropped).toBe(2);
    expect(lines.filter((l) => l.includes('call state not saved'))).toHaveLength(2);
  });

  it('writes a burst of calls in bounded batches (100 calls a transaction), all of them in the end', async () => {
    const batches: number[] = [];
    const { store, clock, path } = open({ beforeWrite: (rows) => void batches.push(rows) });
    for (let n = 0; n < 250; n++) store.liveCalls.save(`c${n}`, 'demo', '1', { n });
    await clock.advance(50);
    await store.liveCalls.flush();
    expect(batches).toEqual([100, 100, 50]);
    expect(onDisk(path)).toHaveLength(250);
  });

  it('saves after close are counted, never thrown', async () => {
    const { store } = open();
    await store.close();
    expect(() => store.liveCalls.save('late', 'demo', '1', {})).not.toThrow();
    expect(store.liveCalls.metrics().dropped).toBe(1);
  });
});
