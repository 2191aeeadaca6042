/** The server's callback glue on its own: the requester's answers as values, and which ended calls count. */
import { describe, expect, it } from 'vitest';
import { settle, VirtualClock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/services.js';
import { resolveCallbackConfig, type CallbackConfig } from '../../src/callbacks/index.js';
import { createServerCallbacks } from '../../src/server/callbacks.js';
import { openStore } from '../../src/store/index.js';
import type { SqliteCallbackStore } from '../../src/store/index.js';
import { FakeQueues } from '../callbacks/fakes.js';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const request = { callId: 'c1', caller: '+4930123456', number: '+4930123456', queue: 'support', position: 2, requestedAt: T0, vars: {}, flow: 'demo' };

function config(): CallbackConfig {
  const result = resolveCallbackConfig({ endpoint: 'PJSIP/{number}@trunk' });
  if (!result.ok) throw new Error(result.message);
  return result.config;
}

describe('server callbacks', () => {
  it('answers booked, refused and a failing store as values, and reports only calls that carry TOUCHTONE_CALLBACK_ID', async () => {
    const clock = new VirtualClock(T0);
    const store = openStore({ path: ':memory:', clock });
    const queues = new FakeQueues();
    queues.set('support', 1);
    const originated: Record<string, string>[] = [];
    const ari = {
      originate: async (r: { args?: Readonly<Record<string, string>> }) => {
        originated.push({ ...r.args });
        return { ok: true as const, channelId: 'out-1' };
      },
    };
    const callbacks = createServerCallbacks({ config: config(), clock, logger: silentLogger, store: store.callbacks, queues, ari: () => ari, telephony: true });
    await callbacks.scheduler.start();

    const booked = await callbacks.requester.request(request);
    expect(booked).toEqual({ ok: true, id: expect.any(String) });
    const id = (booked as { id: string }).id;
    expect(await callbacks.requester.request({ ...request, callId: 'c2', caller: 'anonymous', number: 'anonymous' })).toMatchObject({ ok: false, code: 'callback-bad-number' });
    await settle();
    expect(originated.map((a) => a.TOUCHTONE_CALLBACK_ID)).toEqual([id]);

    callbacks.callEnded({ facts: { args: {} }, outcome: { kind: 'queued', step: 'connect', queue: 'support' } });
    callbacks.callEnded({ facts: { args: { TOUCHTONE_CALLBACK_ID: id } } });
    await settle();
    expect(store.callbacks.list()[0]).toMatchObject({ id, state: 'calling' });
    callbacks.callEnded({ facts: { args: { TOUCHTONE_CALLBACK_ID: id } }, outcome: { kind: 'hungup', step: 'offer' } });
    await settle();
    expect(store.callbacks.list()[0]).toMatchObject({ id, state: 'waiting', attempts: 1, reason: 'hungup at step `offer`' });
    expect(callbacks.pending()).toMatchObject([{ id, purpose: 'callback', caller: '+4930123456', state: 'waiting', position: 2, attempts: 1 }]);
    await callbacks.scheduler.stop();
    await store.close();

    const broken = { ...store.callbacks, add: () => { throw new Error('disk I/O error'); } } as SqliteCallbackStore;
    const failing = createServerCallbacks({ config: config(), clock, logger: silentLogger, store: broken, queues, ari: () => undefined, telephony: false });
    expect(await failing.requester.request(request)).toEqual({ ok: false, code: 'callback-unavailable', reason: 'The callback request could not be stored.' });
    await failing.scheduler.stop();
  });
});
