import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settle, VirtualClock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/services.js';
import { openStore, type Store } from '../../src/store/index.js';
import { CallbackScheduler, resolveCallbackConfig, type CallbackConfig, type CallbackRecord } from '../../src/callbacks/index.js';
import { FakeOriginator, FakeQueues } from '../callbacks/fakes.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.parse('2026-12-07T10:00:00Z');

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'touchtone-callbacks-'));
  dirs.push(dir);
  return join(dir, 'touchtone.db');
}

function open(path: string, clock: VirtualClock): Store {
  const store = openStore({ path, clock, writer: 'inline' });
  stores.push(store);
  return store;
}

const record = (id: string, over: Partial<CallbackRecord> = {}): CallbackRecord => ({
  id,
  callId: `call-${id}`,
  caller: '+4930123456',
  number: '+4930123456',
  queue: 'support',
  position: 3,
  requestedAt: T0,
  vars: { account: '1234' },
  flow: 'acme-hotline',
  state: 'waiting',
  attempts: 0,
  updatedAt: T0,
  ...over,
});

function config(): CallbackConfig {
  const result = resolveCallbackConfig({ endpoint: 'PJSIP/{number}@trunk', maxAttempts: 2, retryDelayMs: 60_000, pollMs: 1000 });
  if (!result.ok) throw new Error(result.message);
  return result.config;
}

describe('SQLite callback store', () => {
  it('keeps requests and attempts: open() returns waiting and calling ones, oldest first, with every field', () => {
    const store = open(tempDb(), new VirtualClock(T0));
    const t = store.callbacks;
    t.add(record('b', { requestedAt: T0 + 5 }));
    t.add(record('a', { at: T0 + 3_600_000 }));
    t.add(record('c', { requestedAt: T0 + 1 }));
    t.update(record('b', { requestedAt: T0 + 5, state: 'calling', attempts: 1, updatedAt: T0 + 10 }));
    t.update(record('c', { requestedAt: T0 + 1, state: 'done', attempts: 1 }));
    t.addAttempt({ requestId: 'b', attempt: 1, startedAt: T0 + 10, endedAt: T0 + 20, ok: false, reason: 'busy' });

    expect(t.open().map((r) => [r.id, r.state])).toEqual([
      ['a', 'waiting'],
      ['b', 'calling'],
    ]);
    expect(t.open()[0]).toEqual(record('a', { at: T0 + 3_600_000 }));
    expect(t.list({ states: ['done'] }).map((r) => r.id)).toEqual(['c']);
    expect(t.list().map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(t.attempts('b')).toEqual([{ requestId: 'b', attempt: 1, startedAt: T0 + 10, endedAt: T0 + 20, ok: false, reason: 'busy' }]);
    const retry = record('b', { requestedAt: T0 + 5, nextAttemptAt: T0 + 60_000, reason: 'busy', attempts: 1 });
    t.update(retry);
    expect(t.open().find((r) => r.id === 'b')).toEqual(retry);
  });

  it('requests survive a restart: the scheduler on a reopened file calls back the one that was waiting', async () => {
    const path = tempDb();
    const clock = new VirtualClock(T0);
    const queues = new FakeQueues();
    queues.set('support', 0);
    const first = open(path, clock);
    const before = new CallbackScheduler({ config: config(), clock, queues, originator: new FakeOriginator(), store: first.callbacks, logger: silentLogger, newId: () => 'cb-1' });
    await before.start();
    const asked = await before.request({ callId: 'call-1', caller: '+4930123456', number: '+4930123456', queue: 'support', position: 4, requestedAt: T0, vars: { account: '1234' }, flow: 'acme-hotline' });
    expect(asked).toMatchObject({ ok: true, record: { id: 'cb-1' } });
    await before.stop();
    await first.close();

    const second = open(path, clock);
    expect(second.callbacks.open().map((r) => [r.id, r.state, r.position])).toEqual([['cb-1', 'waiting', 4]]);
    const originator = new FakeOriginator();
    const after = new CallbackScheduler({ config: config(), clock, queues, originator, store: second.callbacks, logger: silentLogger });
    await after.start();
    queues.set('support', 1);
    await clock.advance(1000);
    await settle();
    expect(originator.calls.map((c) => c.request.vars.TOUCHTONE_CALLBACK_ID)).toEqual(['cb-1']);
    expect(second.callbacks.open()[0]).toMatchObject({ id: 'cb-1', state: 'calling', attempts: 1 });
    originator.calls[0]!.answer({ ok: true });
    await settle();
    expect(second.callbacks.list()[0]).toMatchObject({ id: 'cb-1', state: 'done' });
    expect(second.callbacks.attempts('cb-1')).toMatchObject([{ attempt: 1, ok: true }]);
    await after.stop();
  });
});
