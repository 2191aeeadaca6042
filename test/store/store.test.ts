import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { VirtualClock } from '../../src/runtime/clock.js';
import { openStore, type Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { Logger } from '../../src/runtime/services.js';
import { createHoursService } from '../../src/data/hours.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'touchtone-store-'));
  dirs.push(dir);
  return join(dir, 'sub', 'touchtone.db');
}

function capturingLogger() {
  const lines: { level: string; msg?: string; obj: object }[] = [];
  const log = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, ...(msg ? { msg } : {}) });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  return { logger, lines };
}

const T0 = Date.parse('2026-12-07T10:00:00Z');

function open(options: Partial<Parameters<typeof openStore>[0]> = {}) {
  const clock = new VirtualClock(T0);
  const store = openStore({ path: tempDb(), clock, flushIntervalMs: 50, writer: 'inline', ...options });
  stores.push(store);
  return { store, clock };
}

function simulateCall(store: Store, id: string, at: number, opts: { flow?: string; outcome?: 'hungup' | 'queued'; step?: string; timeouts?: number; invalid?: number } = {}) {
  const r = store.records;
  r.callStarted({ callId: id, channel: `PJSIP/x-${id}`, caller: '+4930123', dialled: '100', flow: opts.flow ?? 'acme-hotline', version: '3', startedAt: at });
  r.event(id, { at, type: 'step', step: 'main', kind: 'menu' });
  for (let i = 0; i < (opts.timeouts ?? 0); i++) r.event(id, { at: at + 1, type: 'timer', step: 'main', timer: 'noInput' });
  for (let i = 0; i < (opts.invalid ?? 0); i++) r.event(id, { at: at + 2, type: 'match', step: 'main', entry: '9', result: 'noMatch' });
  r.event(id, { at: at + 3, type: 'key', step: 'main', digit: '1' });
  r.event(id, { at: at + 4, type: 'var', step: 'pin', name: 'pin', value: '****' });
  const step = opts.step ?? 'main';
  r.callEnded(id, opts.outcome === 'queued' ? { kind: 'queued', step, queue: 'support' } : { kind: 'hungup', step }, at + 30_000);
}

describe('store: batched call records', () => {
  it('writes nothing on the call path and everything after the flush interval', async () => {
    const { store, clock } = open();
    simulateCall(store, 'c1', T0);
    expect(store.metrics().backlog).toBe(5);
    expect(store.recentCalls()).toEqual([]);
    await clock.advance(49);
    expect(store.metrics().written).toBe(0);
    await clock.advance(1);
    expect(store.metrics()).toMatchObject({ backlog: 0, written: 5, retried: 0, lost: 0, flushes: 1 });
    const [call] = store.recentCalls();
    expect(call).toMatchObject({ id: 'c1', flow: 'acme-hotline', version: '3', outcome: 'hungup', lastStep: 'main', durationMs: 30_000 });
  });

  it('keeps the trace in order with inputs masked', async () => {
    const { store } = open();
    simulateCall(store, 'c1', T0, { timeouts: 1 });
    await store.flush();
    const trace = store.callTrace('c1')!;
    expect(trace.events.map((e) => e.type)).toEqual(['step', 'timer', 'key', 'var']);
    expect(trace.inputs).toEqual([{ at: T0 + 4, step: 'pin', name: 'pin', value: '****' }]);
    expect(store.callTrace('nope')).toBeUndefined();
  });

  it('writes in bounded batches and continues on the next turn', async () => {
    const { store, clock } = open({ maxBatchRows: 3 });
    simulateCall(store, 'c1', T0);
    await clock.advance(50);
    expect(store.metrics().flushes).toBe(2);
    expect(store.metrics().written).toBe(5);
  });

  it('records an end even when the start row was lost', async () => {
    const { store } = open();
    store.records.callEnded('orphan', { kind: 'completed', step: 'bye' }, T0);
    await store.flush();
    expect(store.callTrace('orphan')!.call).toMatchObject({ outcome: 'completed', startedAt: T0, durationMs: 0 });
  });

  it('files voicemail and callback requests', async () => {
    const { store } = open();
    store.records.recording!('c1', { purpose: 'voicemail', name: 'vm-c1', durationMs: 12_000, at: T0, caller: '+4930', vars: { account: '1234' } });
    await store.flush();
    const [rec] = store.recordings.list({ purpose: 'voicemail' });
    expect(rec).toMatchObject({ callId: 'c1', name: 'vm-c1', vars: { account: '1234' }, handledAt: null });
    expect(store.recordings.markHandled(rec!.id, T0 + 1)).toBe(true);
    expect(store.recordings.list({ unhandledOnly: true })).toEqual([]);
  });
});

describe('store: write failures never reach the call', () => {
  it('keeps rows and retries with backoff when the disk is full', async () => {
    let full = true;
    const { logger, lines } = capturingLogger();
    const { store, clock } = open({
      logger,
      beforeWrite: () => {
        if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      },
    });
    simulateCall(store, 'c1', T0);
    await clock.advance(50);
    expect(store.metrics()).toMatchObject({ backlog: 5, written: 0, retried: 1, lastError: 'database or disk is full' });
    await clock.advance(100); // backoff 100 ms
    expect(store.metrics().retried).toBe(2);
    expect(store.recentCalls()).toEqual([]); // the failed transaction rolled back: no half batches
    full = false;
    await clock.advance(200);
    expect(store.metrics()).toMatchObject({ backlog: 0, written: 5, lost: 0 });
    expect(store.metrics().lastError).toBeUndefined();
    expect(lines.some((l) => l.level === 'warn' && l.msg?.includes('will retry'))).toBe(true);
    expect(lines.some((l) => l.msg === 'call record writes recovered')).toBe(true);
  });

  it('bounds the backlog, refuses new rows and counts them', async () => {
    const { logger, lines } = capturingLogger();
    const { store, clock } = open({ logger, maxBacklog: 10, beforeWrite: () => { throw new Error('disk I/O error'); } });
    for (let i = 0; i < 3; i++) simulateCall(store, `c${i}`, T0 + i);
    expect(store.metrics()).toMatchObject({ backlog: 10, lost: 5 });
    await clock.advance(50);
    expect(lines.some((l) => l.level === 'error' && (l.obj as { lost?: number }).lost === 5)).toBe(true);
  });

  it('counts writes to a read-only store as retried, then lost at close', async () => {
    const path = tempDb();
    const seed = openStore({ path });
    await seed.close();
    const clock = new VirtualClock(T0);
    const store = openStore({ path, readonly: true, clock });
    simulateCall(store, 'c1', T0);
    await clock.advance(50);
    expect(store.metrics()).toMatchObject({ backlog: 5, retried: 1 });
    expect(store.metrics().lastError).toMatch(/readonly/i);
    await store.close();
    expect(store.metrics().lost).toBe(5);
  });

  it('does not wait for a locked database, and writes once the lock is gone', async () => {
    const { store, clock } = open();
    await store.flush();
    // Take the write lock from a second connection on the same file.
    const file = dirs.at(-1)! + '/sub/touchtone.db';
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    simulateCall(store, 'c1', T0);
    const started = performance.now();
    await clock.advance(50);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(store.metrics()).toMatchObject({ backlog: 5, retried: 1 });
    expect(store.metrics().lastError).toMatch(/locked|busy/i);
    other.exec('COMMIT');
    other.close();
    await clock.advance(100);
    expect(store.metrics()).toMatchObject({ backlog: 0, written: 5 });
  });

  it('keeps the calls going on a corrupt file, in the write thread too', async () => {
    const path = tempDb();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'this is not a database'.repeat(200));
    const { logger, lines } = capturingLogger();
    const clock = new VirtualClock(T0);
    const store = openStore({ path, clock, logger });
    stores.push(store);
    simulateCall(store, 'c1', T0);
    await clock.advance(50);
    await store.flush();
    expect(store.metrics()).toMatchObject({ backlog: 5, written: 0 });
    expect(store.metrics().retried).toBeGreaterThanOrEqual(1);
    expect(store.metrics().lastError).toMatch(/not a database/);
    expect(lines.some((l) => l.level === 'error' && l.msg?.includes('cannot be prepared'))).toBe(true);
  });

  it('counts records that arrive after close as lost', async () => {
    const { store } = open();
    await store.close();
    store.records.event('late', { at: T0, type: 'note', step: 's', code: 'x', message: 'y' });
    expect(store.metrics().lost).toBe(1);
  });
});

describe('store: schema, stats and retention', () => {
  it('migrates once and uses WAL', async () => {
    const path = tempDb();
    const a = openStore({ path });
    expect(a.metrics().schemaVersion).toBe(MIGRATIONS.length);
    await a.close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    const b = openStore({ path });
    expect(b.metrics().schemaVersion).toBe(MIGRATIONS.length);
    await b.close();
  });

  it('migrates a version-1 file forward and keeps its rows', async () => {
    const path = tempDb();
    mkdirSync(dirname(path), { recursive: true });
    const v1 = new Database(path);
    v1.exec(MIGRATIONS[0]!);
    v1.pragma('user_version = 1');
    v1.prepare("INSERT INTO flow_versions (flow, version, source, hash, published_at) VALUES ('acme', '1', 'x', 'h', 5)").run();
    v1.close();
    const store = openStore({ path, writer: 'inline' });
    stores.push(store);
    expect(store.metrics().schemaVersion).toBe(MIGRATIONS.length);
    expect(store.flowVersions.get('acme', '1')).toMatchObject({ source: 'x', file: '' });
    store.flowVersions.save({ flow: 'acme', version: '2', source: 'y', publishedAt: 6, file: 'flows/acme.yaml' });
    expect(store.flowVersions.latest('acme')).toMatchObject({ version: '2', file: 'flows/acme.yaml' });
  });

  it('reports outcomes, drop-off, menu rates and time to agent per flow', async () => {
    const { store } = open();
    simulateCall(store, 'a', T0, { timeouts: 1, outcome: 'hungup', step: 'main' });
    simulateCall(store, 'b', T0 + 1, { invalid: 2, outcome: 'queued', step: 'agent' });
    simulateCall(store, 'c', T0 + 2, { outcome: 'queued', step: 'agent' });
    simulateCall(store, 'd', T0 + 3, { flow: 'shop', outcome: 'hungup', step: 'prices' });
    await store.flush();
    const [acme, shop] = store.stats();
    expect(acme).toEqual({
      flow: 'acme-hotline',
      calls: 3,
      outcomes: { queued: 2, hungup: 1 },
      dropOff: [{ step: 'main', calls: 1 }],
      menus: [{ step: 'main', kind: 'menu', entries: 3, attempts: 3, timeouts: 1, invalid: 2, timeoutRate: 0.333, invalidRate: 0.667 }],
      timeToAgent: { calls: 2, averageSec: 30, medianSec: 30 },
    });
    expect(shop!.flow).toBe('shop');
    expect(store.stats({ flow: 'shop' }).map((s) => s.flow)).toEqual(['shop']);
    expect(store.stats({ since: T0 + 2 }).map((s) => s.calls)).toEqual([1, 1]);
    expect(store.recentCalls({ limit: 2 }).map((c) => c.id)).toEqual(['d', 'c']);
    expect(store.recentCalls({ flow: 'shop' }).map((c) => c.id)).toEqual(['d']);
  });

  it('deletes old calls in small batches and keeps recent ones', async () => {
    const { store, clock } = open();
    for (let i = 0; i < 7; i++) simulateCall(store, `old${i}`, T0 - 40 * 86_400_000);
    simulateCall(store, 'new', T0);
    store.records.recording!('old0', { purpose: 'callback', name: 'cb', durationMs: 1, at: T0 - 40 * 86_400_000, caller: '', vars: {} });
    await store.flush();
    await clock.advance(0);
    expect(await store.retention(30, 3)).toEqual({ calls: 7, recordings: 1 });
    expect(store.recentCalls().map((c) => c.id)).toEqual(['new']);
    expect(store.callTrace('old1')).toBeUndefined();
  });
});

describe('store: housekeeping', () => {
  it('runs the retention cleanup on its own, on the clock', async () => {
    const { store, clock } = open({ retentionDays: 30, retentionIntervalMs: 3_600_000 });
    simulateCall(store, 'old', T0 - 31 * 86_400_000);
    await store.flush();
    await clock.advance(60_000); // first run a minute after opening
    expect(store.recentCalls()).toEqual([]);
    simulateCall(store, 'old2', T0 - 40 * 86_400_000);
    await store.flush();
    await clock.advance(3_600_000);
    expect(store.recentCalls()).toEqual([]);
  });

});

describe('store: the write thread', () => {
  it('writes call records and checkpoints the WAL off the event loop', async () => {
    const { store, clock } = open({ writer: 'thread' });
    for (let i = 0; i < 1200; i++) simulateCall(store, `c${i}`, T0 + i);
    await clock.advance(50);
    await store.flush();
    expect(store.metrics()).toMatchObject({ written: 6000, backlog: 0, lost: 0, retried: 0 });
    expect(store.metrics().checkpoints).toBeGreaterThanOrEqual(1);
    expect(store.callTrace('c7')!.events).toHaveLength(3);
    expect(store.recentCalls({ limit: 1 })[0]!.id).toBe('c1199');
  });

  it('keeps and retries rows while another connection holds the lock', async () => {
    const { store, clock } = open({ writer: 'thread' });
    await store.flush();
    const other = new Database(dirs.at(-1)! + '/sub/touchtone.db');
    other.exec('BEGIN IMMEDIATE');
    simulateCall(store, 'c1', T0);
    await clock.advance(50);
    await store.flush();
    expect(store.metrics()).toMatchObject({ backlog: 5, written: 0 });
    expect(store.metrics().lastError).toMatch(/locked|busy/i);
    other.exec('COMMIT');
    other.close();
    await clock.advance(100);
    await store.flush();
    expect(store.metrics()).toMatchObject({ backlog: 0, written: 5 });
  });
});

describe('store: flow versions, overrides, lockouts', () => {
  it('keeps versions immutable', () => {
    const { store } = open();
    const first = store.flowVersions.save({ flow: 'acme', version: '1', source: 'a', publishedAt: T0, publishedBy: 'ops', note: 'first' });
    expect(first).toMatchObject({ ok: true, created: true });
    expect(store.flowVersions.save({ flow: 'acme', version: '1', source: 'a', publishedAt: T0 + 5 })).toMatchObject({ ok: true, created: false });
    expect(store.flowVersions.save({ flow: 'acme', version: '1', source: 'b', publishedAt: T0 })).toMatchObject({ ok: false, code: 'version-exists' });
    store.flowVersions.save({ flow: 'acme', version: '2', source: 'b', publishedAt: T0 + 10 });
    expect(store.flowVersions.list('acme').map((v) => v.version)).toEqual(['1', '2']);
    expect(store.flowVersions.latest('acme')!.source).toBe('b');
    expect(store.flowVersions.get('acme', '1')!.note).toBe('first');
  });

  it('stores hours overrides that survive a restart and drive the hours service', async () => {
    const path = tempDb();
    const a = openStore({ path });
    a.hoursOverrides.set({ hours: 'office', state: 'closed', reason: 'storm', until: T0 + 3600_000, setAt: T0 });
    await a.close();
    const b = openStore({ path });
    stores.push(b);
    expect(b.hoursOverrides.list(T0).map((o) => o.reason)).toEqual(['storm']);
    const hours = createHoursService(b.hoursOverrides);
    const def = { timezone: 'UTC', weekly: { 'mon-sun': '00:00-24:00' } };
    expect(hours.evaluate('office', def, T0)).toMatchObject({ open: false, override: { reason: 'storm' } });
    expect(hours.evaluate('office', def, T0 + 3600_000).open).toBe(true);
    expect(b.hoursOverrides.clear('office')).toBe(true);
    expect(b.hoursOverrides.clear('office')).toBe(false);
  });

  it('persists lockouts', () => {
    const { store } = open();
    store.lockouts.put('s1', { failures: 0, lockouts: 1, lockedUntil: T0 + 1, updatedAt: T0 });
    expect(store.lockouts.get('s1')).toEqual({ failures: 0, lockouts: 1, lockedUntil: T0 + 1, updatedAt: T0 });
    store.lockouts.clear('s1');
    expect(store.lockouts.get('s1')).toBeUndefined();
  });
});
