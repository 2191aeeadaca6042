import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VirtualClock, settle } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/services.js';
import { resolveCallbackConfig, type CallbackSettings } from '../../src/callbacks/config.js';
import { MemoryCallbackStore } from '../../src/callbacks/memory-store.js';
import { CallbackScheduler } from '../../src/callbacks/scheduler.js';
import type { CallbackRecord, CallbackRequestInput } from '../../src/callbacks/types.js';
import { FakeOriginator, FakeQueues } from './fakes.js';

const MIN = 60_000;

function setup(settings: Partial<CallbackSettings> = {}, store = new MemoryCallbackStore()) {
  const resolved = resolveCallbackConfig({ endpoint: 'PJSIP/{number}@trunk', allow: ['+4930X.'], retryDelayMs: 2 * MIN, pollMs: 5000, maxConcurrent: 2, ...settings });
  if (!resolved.ok) throw new Error(resolved.message);
  const clock = new VirtualClock(Date.parse('2026-03-02T09:00:00Z'));
  const queues = new FakeQueues();
  const originator = new FakeOriginator();
  let n = 0;
  const scheduler = new CallbackScheduler({ config: resolved.config, clock, queues, originator, store, logger: silentLogger, newId: () => `cb-${++n}` });
  const ask = (over: Partial<CallbackRequestInput> = {}) =>
    scheduler.request({ callId: `call-${n + 1}`, caller: '+49301234567', number: '+49301234567', queue: 'support', position: 4, requestedAt: clock.now(), vars: { account: '12345' }, flow: 'acme-hotline', ...over });
  /** One request with an agent free: the scheduler places the call at once. */
  const placeOne = async () => {
    queues.set('support', 1);
    await scheduler.start();
    await ask();
    await settle();
  };
  return { clock, queues, originator, store, scheduler, ask, placeOne };
}

describe('callback requests', () => {
  it('stores the number, queue, place, time and flow variables of a request', async () => {
    const { scheduler, store, ask, clock } = setup();
    await scheduler.start();
    const result = await ask();
    expect(result).toMatchObject({ ok: true, duplicate: false });
    expect(store.all()).toEqual([
      { id: 'cb-1', callId: 'call-1', caller: '+49301234567', number: '+49301234567', queue: 'support', position: 4, requestedAt: clock.now(), vars: { account: '12345' }, flow: 'acme-hotline', state: 'waiting', attempts: 0, updatedAt: clock.now() },
    ]);
  });

  it.each([
    ['a space', '+49 301234567'],
    ['a dial-string separator', '+4930123&PJSIP/evil'],
    ['a semicolon', '4930123;1'],
    ['CR LF', '4930123\r\nAction: Originate'],
    ['a path', '../../4930123'],
    ['a channel name', 'PJSIP/4930123'],
    ['letters', '+49ACME'],
    ['too few digits', '12'],
    ['10 KB', '1'.repeat(10 * 1024)],
    ['nothing (anonymous caller)', ''],
  ])('refuses a number with %s and never dials it', async (_label, number) => {
    const { scheduler, originator, queues, clock, ask } = setup();
    queues.set('support', 5);
    await scheduler.start();
    const result = await ask({ number, caller: number });
    expect(result).toMatchObject({ ok: false, code: 'callback-bad-number' });
    await clock.advance(10 * MIN);
    expect(originator.calls).toHaveLength(0);
  });

  it('refuses a typed number the caller did not confirm', async () => {
    const { scheduler, ask } = setup();
    await scheduler.start();
    expect(await ask({ number: '+49309999999' })).toMatchObject({ ok: false, code: 'callback-not-confirmed' });
  });

  it('refuses a confirmed typed number outside the allow-list, and says how to fix it', async () => {
    const { scheduler, ask } = setup();
    await scheduler.start();
    const result = await ask({ number: '+4990012345', confirmed: true });
    expect(result).toEqual({
      ok: false,
      code: 'callback-not-allowed',
      message: 'The callback number `*******2345` matches no allow-list pattern (call `call-1`); add a pattern to the callback allow-list if such numbers should be called.',
    });
  });

  it('takes a confirmed typed number that matches the allow-list', async () => {
    const { scheduler, ask } = setup();
    await scheduler.start();
    expect(await ask({ number: '+49309999999', confirmed: true })).toMatchObject({ ok: true, record: { number: '+49309999999' } });
  });

  it('can hold the caller’s own number to the allow-list as well', async () => {
    const { scheduler, ask } = setup({ restrictCallerToAllowList: true });
    await scheduler.start();
    expect(await ask({ caller: '+4990012345', number: '+4990012345' })).toMatchObject({ ok: false, code: 'callback-not-allowed' });
  });

  it('refuses variable names that could not be channel variables', async () => {
    const { scheduler, ask } = setup();
    await scheduler.start();
    expect(await ask({ vars: { 'a b': 'x' } })).toMatchObject({ ok: false, code: 'callback-bad-request' });
  });

  it('keeps variable values on one printable line', async () => {
    const { scheduler, ask } = setup();
    await scheduler.start();
    const result = await ask({ vars: { note: 'a\r\nb\0c' } });
    expect(result.ok && result.record.vars).toEqual({ note: 'a  b c' });
  });

  it('answers a second request for the same number with the open one', async () => {
    const { scheduler, ask, store } = setup();
    await scheduler.start();
    await ask();
    const again = await ask({ callId: 'other' });
    expect(again).toMatchObject({ ok: true, duplicate: true, record: { id: 'cb-1' } });
    expect(store.all()).toHaveLength(1);
  });

  it('refuses requests beyond the cap on waiting requests', async () => {
    const { scheduler, ask } = setup({ maxPending: 2 });
    await scheduler.start();
    await ask({ number: '+49301000001', caller: '+49301000001' });
    await ask({ number: '+49301000002', caller: '+49301000002' });
    expect(await ask({ number: '+49301000003', caller: '+49301000003' })).toMatchObject({ ok: false, code: 'callback-full' });
  });
});

describe('calling back', () => {
  it('waits while no agent is free, then calls when AMI shows one, into the callback flow ahead of newer callers', async () => {
    const { scheduler, queues, originator, store, clock, ask } = setup({ callerId: '"ACME" <+4930555>' });
    queues.set('support', 0);
    await scheduler.start();
    await ask();
    await clock.advance(10 * MIN);
    expect(originator.calls).toHaveLength(0);
    queues.set('support', 1);
    await clock.advance(5000);
    expect(originator.calls).toHaveLength(1);
    expect(originator.calls[0]!.request).toEqual({
      endpoint: 'PJSIP/+49301234567@trunk',
      callerId: '"ACME" <+4930555>',
      flow: 'callback',
      vars: {
        TOUCHTONE_ACCOUNT: '12345',
        TOUCHTONE_CALLBACK_ID: 'cb-1',
        TOUCHTONE_CALLBACK_QUEUE: 'support',
        TOUCHTONE_CALLBACK_FLOW: 'acme-hotline',
        TOUCHTONE_CALLBACK_REQUESTED_AT: '2026-03-02T09:00:00.000Z',
        TOUCHTONE_QUEUE_PRIO: '10',
        QUEUE_PRIO: '10',
      },
    });
    expect(store.all()[0]).toMatchObject({ state: 'calling', attempts: 1 });
    originator.calls[0]!.answer({ ok: true });
    await settle();
    expect(store.all()[0]).toMatchObject({ state: 'done', attempts: 1 });
    expect(store.attempts('cb-1')).toEqual([{ requestId: 'cb-1', attempt: 1, startedAt: clock.now(), endedAt: clock.now(), ok: true }]);
    expect(scheduler.list()).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('waits while AMI cannot tell (unknown is not "free")', async () => {
    const { scheduler, queues, originator, clock, ask } = setup();
    queues.set('support', undefined);
    await scheduler.start();
    await ask();
    await clock.advance(30 * MIN);
    expect(originator.calls).toHaveLength(0);
    expect(queues.asked).toBeGreaterThan(100);
  });

  it('calls at the time the caller chose, not before, even with no agent free', async () => {
    const { scheduler, queues, originator, clock, ask } = setup();
    queues.set('support', 0);
    await scheduler.start();
    const at = clock.now() + 45 * MIN;
    await ask({ at });
    await clock.advanceTo(at - 1);
    expect(originator.calls).toHaveLength(0);
    await clock.advance(1);
    expect(originator.calls).toHaveLength(1);
  });

  it('retries a failed callback after the delay, records every attempt, and gives up after the last', async () => {
    const { originator, store, clock, placeOne } = setup({ maxAttempts: 3 });
    await placeOne();
    const reasons = ['busy', 'noAnswer', 'failed'];
    for (const [i, reason] of reasons.entries()) {
      expect(originator.calls).toHaveLength(i + 1);
      originator.calls[i]!.answer({ ok: false, reason });
      await settle();
      if (i < reasons.length - 1) {
        await clock.advance(2 * MIN - 1);
        expect(originator.calls).toHaveLength(i + 1);
        await clock.advance(1);
      }
    }
    expect(store.all()[0]).toMatchObject({ state: 'failed', attempts: 3, reason: 'failed' });
    expect(store.attempts('cb-1').map((a) => [a.attempt, a.ok, a.reason])).toEqual([
      [1, false, 'busy'],
      [2, false, 'noAnswer'],
      [3, false, 'failed'],
    ]);
    await clock.advance(60 * MIN);
    expect(originator.calls).toHaveLength(3);
    expect(clock.pending).toBe(0);
  });

  it('caps callbacks in progress, and calls the oldest requests first', async () => {
    const { scheduler, queues, originator, clock, ask } = setup({ maxConcurrent: 2 });
    queues.set('support', 0);
    await scheduler.start();
    const base = clock.now();
    // Requests arrive out of order (a slow store, a restart): dispatch follows the original request time.
    for (const [i, minutesAgo] of [[1, 3], [2, 9], [3, 1], [4, 7], [5, 5]] as const) {
      const number = `+4930100000${i}`;
      await ask({ number, caller: number, callId: `c${i}`, requestedAt: base - minutesAgo * MIN });
    }
    queues.set('support', 10);
    await clock.advance(5000);
    expect(originator.calls.map((c) => c.request.endpoint)).toEqual(['PJSIP/+49301000002@trunk', 'PJSIP/+49301000004@trunk']);
    for (let round = 0; round < 3; round++) {
      expect(scheduler.active).toBeLessThanOrEqual(2);
      originator.open[0]!.answer({ ok: true });
      await settle();
    }
    expect(originator.calls.map((c) => c.request.endpoint.slice(-11, -6))).toEqual(['00002', '00004', '00005', '00001', '00003']);
  });

  it('sends no more callbacks to a queue than it has free agents', async () => {
    const { scheduler, queues, originator, clock, ask } = setup({ maxConcurrent: 5 });
    queues.set('support', 0);
    await scheduler.start();
    for (let i = 1; i <= 3; i++) await ask({ number: `+4930100000${i}`, caller: `+4930100000${i}`, callId: `c${i}` });
    queues.set('support', 1);
    await clock.advance(5000);
    expect(originator.calls).toHaveLength(1);
    // The agent is still shown free while the callback rings: that agent is spoken for.
    await clock.advance(5000);
    expect(originator.calls).toHaveLength(1);
  });

  it('frees the slot when the adapter never answers, and records the timeout', async () => {
    const { scheduler, queues, store, clock, ask } = setup({ originateTimeoutMs: 30_000, maxAttempts: 1 });
    queues.set('support', 1);
    await scheduler.start();
    await ask();
    await clock.advance(30_000);
    expect(scheduler.active).toBe(0);
    expect(store.attempts('cb-1')).toMatchObject([{ ok: false, reason: 'no outcome within 30000 ms' }]);
  });

  it('keeps a placed call open until its outcome is reported, and retries when the person did not get through', async () => {
    const { scheduler, originator, store, clock, placeOne } = setup({ maxAttempts: 2, maxConcurrent: 1 });
    await placeOne();
    originator.calls[0]!.answer({ ok: true, placed: true });
    await settle();
    expect(scheduler.active).toBe(1);
    expect(store.all()[0]).toMatchObject({ state: 'calling' });
    expect(scheduler.outcome('cb-1', { ok: false, reason: 'hungup at step `offer`' })).toBe(true);
    await settle();
    expect(scheduler.active).toBe(0);
    expect(store.all()[0]).toMatchObject({ state: 'waiting', reason: 'hungup at step `offer`' });
    await clock.advance(2 * MIN);
    originator.calls[1]!.answer({ ok: true, placed: true });
    await settle();
    expect(scheduler.outcome('cb-1', { ok: true })).toBe(true);
    await settle();
    expect(store.all()[0]).toMatchObject({ state: 'done', attempts: 2 });
    expect(store.attempts('cb-1').map((a) => a.ok)).toEqual([false, true]);
    expect(scheduler.outcome('cb-1', { ok: true })).toBe(false);
    expect(scheduler.outcome('nope', { ok: true })).toBe(false);
  });

  it('bounds a placed call whose outcome never comes', async () => {
    const { scheduler, originator, store, clock, placeOne } = setup({ maxAttempts: 1, originateTimeoutMs: 120_000 });
    await placeOne();
    originator.calls[0]!.answer({ ok: true, placed: true });
    await clock.advance(120_000 - 1);
    expect(scheduler.active).toBe(1);
    await clock.advance(1);
    expect(store.all()[0]).toMatchObject({ state: 'failed', reason: 'no outcome within 120000 ms' });
  });

  it('records an adapter that throws as a failed attempt', async () => {
    const { originator, store, placeOne } = setup({ maxAttempts: 1 });
    originator.throws = true;
    await placeOne();
    expect(store.all()[0]).toMatchObject({ state: 'failed', reason: 'adapter exploded' });
  });

  it('drops requests no agent could take in time', async () => {
    const { scheduler, queues, store, clock, ask } = setup({ maxAgeMs: 60 * MIN });
    queues.set('support', 0);
    await scheduler.start();
    await ask();
    await clock.advance(61 * MIN);
    expect(store.all()[0]).toMatchObject({ state: 'expired' });
    expect(clock.pending).toBe(0);
  });

  it('cancels a waiting request', async () => {
    const { scheduler, queues, originator, store, clock, ask } = setup();
    queues.set('support', 0);
    await scheduler.start();
    await ask();
    expect(await scheduler.cancel('cb-1', 'caller called again')).toBe(true);
    queues.set('support', 3);
    await clock.advance(MIN);
    expect(originator.calls).toHaveLength(0);
    expect(store.all()[0]).toMatchObject({ state: 'cancelled', reason: 'caller called again' });
    expect(await scheduler.cancel('cb-1')).toBe(false);
  });

  it('resumes stored requests after a restart, retrying one that was mid-call', async () => {
    const store = new MemoryCallbackStore();
    const midCall: CallbackRecord = {
      id: 'old-1', callId: 'c-old', caller: '+49301111111', number: '+49301111111', queue: 'support', requestedAt: Date.parse('2026-03-02T08:50:00Z'),
      vars: {}, flow: 'acme-hotline', state: 'calling', attempts: 1, updatedAt: Date.parse('2026-03-02T08:55:00Z'),
    };
    store.add(midCall);
    const { scheduler, queues, originator } = setup({}, store);
    queues.set('support', 1);
    await scheduler.start();
    await settle();
    expect(originator.calls.map((c) => c.request.vars.TOUCHTONE_CALLBACK_ID)).toEqual(['old-1']);
    expect(store.all()[0]).toMatchObject({ state: 'calling', attempts: 2 });
  });

  it('takes no requests after stop, and leaves no timers', async () => {
    const { scheduler, queues, clock, ask } = setup();
    queues.set('support', 0);
    await scheduler.start();
    await ask();
    await scheduler.stop();
    expect(await ask({ number: '+49302222222', caller: '+49302222222' })).toMatchObject({ ok: false, code: 'callback-stopped' });
    expect(clock.pending).toBe(0);
  });

  it('stops at once with a call in progress, leaving it `calling` for the next start, and no timers', async () => {
    const { scheduler, originator, store, clock, placeOne } = setup();
    await placeOne();
    originator.calls[0]!.answer({ ok: true, placed: true });
    await settle();
    await scheduler.stop();
    expect(store.all()[0]).toMatchObject({ state: 'calling', attempts: 1 });
    expect(store.attempts()).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('shows a hostile number in its message without line breaks', async () => {
    const { scheduler, ask } = setup();
    await scheduler.start();
    const result = await ask({ number: '12\r\nX', caller: '12\r\nX' });
    expect(!result.ok && result.message).toBe('The callback number `12??X` is not a phone number (call `call-1`); it must be 3 to 20 digits with an optional leading +.');
  });

  it('logs, and does not crash on, a store that fails while recording an attempt', async () => {
    const store = new MemoryCallbackStore();
    const { scheduler, originator, placeOne } = setup({}, store);
    store.addAttempt = () => {
      throw new Error('disk full');
    };
    await placeOne();
    originator.calls[0]!.answer({ ok: true });
    await settle();
    expect(scheduler.active).toBe(0);
  });

  it('never dials anything but digits with a leading +, whatever the caller sends (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 30 }), async (number) => {
        const { scheduler, queues, originator, clock, ask } = setup({ allow: ['X.', '+X.'] });
        queues.set('support', 5);
        await scheduler.start();
        await ask({ number, caller: number });
        await clock.advance(1000);
        for (const call of originator.calls) expect(call.request.endpoint).toMatch(/^PJSIP\/\+?[0-9]{3,20}@trunk$/);
        await scheduler.stop();
      }),
      { numRuns: 200 },
    );
  });
});
