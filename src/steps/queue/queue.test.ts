import { describe, expect, it } from 'vitest';
import { START, startCall } from '../../../test/engine/helpers.js';
import type { CallbackRequest, CallbackRequester, CallbackRequestResult, QueueStatus } from '../../runtime/services.js';
import { callbackNumber, callbackVars } from './compile.js';

const FLOW = (spec: string, queueDef = '{}') => `
flow: queues
language: en
start: q
variables: { account: "1234" }
prompts: { offer: { text: "Press 5 for a callback", duration: 1s } }
queues: { support: ${queueDef} }
steps:
  q:
    queue: { name: support${spec} }
  nobody: { hangup: true }
  busy: { hangup: true }
  callback: { hangup: true }
  refused: { hangup: true }
`;

/** A requester that answers each request with `answer` (after `delayMs` of virtual time when given). */
function fakeRequester(answer: CallbackRequestResult | 'throw', clock?: { setTimeout(fn: () => void, ms: number): unknown }, delayMs = 0) {
  const requests: CallbackRequest[] = [];
  const requester: CallbackRequester = {
    request: (req) => {
      requests.push(req);
      if (answer === 'throw') return Promise.reject(new Error('store down'));
      if (!clock || delayMs === 0) return Promise.resolve(answer);
      return new Promise((resolve) => clock.setTimeout(() => resolve(answer), delayMs));
    },
  };
  return { requests, requester };
}

const notes = (rig: Awaited<ReturnType<typeof startCall>>) => rig.services.sink.calls.get('call-1')!.trace.filter((e) => e.type === 'note').map((e) => (e as { code: string }).code);

const status = (s: Partial<QueueStatus>): QueueStatus => ({ loggedIn: 2, free: 1, waiting: 0, holdTimeSec: 0, ...s });

describe('queue', () => {
  it('sets the TOUCHTONE_* variables (flow, step, caller, queue.vars) and enqueues: outcome queued', async () => {
    const rig = await startCall(FLOW(', vars: { account: "${account}", screen_pop: "yes" }'));
    expect(await rig.call.done).toEqual({ kind: 'queued', step: 'q', queue: 'support' });
    expect(rig.phone.variables).toMatchObject({
      TOUCHTONE_FLOW: 'queues',
      TOUCHTONE_STEP: 'q',
      TOUCHTONE_CALLER: '+4930123456',
      TOUCHTONE_ACCOUNT: '1234',
      TOUCHTONE_SCREEN_POP: 'yes',
    });
    expect(rig.phone.left).toEqual({ kind: 'queued', target: { queue: 'support' } });
  });

  it('no agents logged in → noAgents; agents but none free → noFreeAgents', async () => {
    const spec = ', noAgents: nobody, noFreeAgents: busy';
    const none = await startCall(FLOW(spec), { services: { queues: { support: status({ loggedIn: 0, free: 0 }) } } });
    expect((await none.call.done).step).toBe('nobody');
    const full = await startCall(FLOW(spec), { services: { queues: { support: status({ free: 0 }) } } });
    expect((await full.call.done).step).toBe('busy');
  });

  it('when the status is unknown, whenUnknown decides (closed = no agents)', async () => {
    const closed = await startCall(FLOW(', noAgents: nobody', '{ whenUnknown: closed }'), { services: { queues: { support: 'unknown' } } });
    expect((await closed.call.done).step).toBe('nobody');
    const open = await startCall(FLOW(', noAgents: nobody', '{ whenUnknown: open }'), { services: { queues: { support: 'unknown' } } });
    expect((await open.call.done).kind).toBe('queued');
  });

  it('announces the estimated wait before queueing', async () => {
    const rig = await startCall(FLOW(', announceWait: true'), { services: { queues: { support: status({ holdTimeSec: 180 }) } } });
    expect(rig.heard()).toEqual(['queue-holdtime+number:3+queue-minutes']);
    expect(rig.call.ended).toBe(false);
    await rig.advance(5000);
    expect((await rig.call.done).kind).toBe('queued');
  });

  it('offers a callback key before queueing: pressing it goes to callback.next', async () => {
    const rig = await startCall(FLOW(', callback: { key: "5", prompt: offer, next: callback }'));
    expect(rig.heard()).toEqual(['offer']);
    await rig.press('5');
    expect((await rig.call.done).step).toBe('callback');
  });

  it('without the callback key, the call is queued after the offer wait', async () => {
    const rig = await startCall(FLOW(', callback: { key: "5", prompt: offer, next: callback, offerAfterWait: 3s }'));
    await rig.advance(1000 + 2999);
    expect(rig.call.ended).toBe(false);
    await rig.advance(1);
    expect((await rig.call.done).kind).toBe('queued');
  });

  it('pressing the callback key books a callback with the caller, place, queue and non-secret variables, then goes to callback.next', async () => {
    const fake = fakeRequester({ ok: true, id: 'cb-42' });
    const rig = await startCall(FLOW(', callback: { key: "5", prompt: offer, next: callback }'), {
      services: { callbacks: fake.requester, queues: { support: status({ waiting: 3, free: 0 }) } },
    });
    await rig.advance(400);
    await rig.press('5');
    expect((await rig.call.done).step).toBe('callback');
    expect(fake.requests).toEqual([
      { callId: 'call-1', caller: '+4930123456', number: '+4930123456', queue: 'support', position: 4, requestedAt: START + 400, vars: { account: '1234' }, flow: 'queues' },
    ]);
    expect(notes(rig)).toEqual(['callback-booked']);
    expect(rig.phone.left).toBeUndefined();
  });

  it('a refused request goes to callback.refused when the flow names it, else the caller is queued as normal', async () => {
    const refusal = { ok: false as const, code: 'callback-not-allowed', reason: 'The callback number matches no allow-list pattern.' };
    const named = await startCall(FLOW(', callback: { key: "5", prompt: offer, next: callback, refused: refused }'), { services: { callbacks: fakeRequester(refusal).requester } });
    await named.press('5');
    expect((await named.call.done).step).toBe('refused');
    expect(notes(named)).toEqual(['callback-not-allowed']);
    const plain = await startCall(FLOW(', callback: { key: "5", prompt: offer, next: callback }'), { services: { callbacks: fakeRequester(refusal).requester } });
    await plain.press('5');
    expect(await plain.call.done).toEqual({ kind: 'queued', step: 'q', queue: 'support' });
  });

  it('a requester that fails or does not answer in time counts as refused; keys while booking are ignored', async () => {
    const failing = await startCall(FLOW(', callback: { key: "5", prompt: offer, next: callback, refused: refused }'), { services: { callbacks: fakeRequester('throw').requester } });
    await failing.press('5');
    expect((await failing.call.done).step).toBe('refused');
    expect(notes(failing)).toEqual(['callback-unavailable']);

    const clock = { pending: [] as (() => void)[], setTimeout(fn: () => void) { this.pending.push(fn); } };
    const slow = await startCall(FLOW(', callback: { key: "5", prompt: offer, next: callback }'), { services: { callbacks: fakeRequester({ ok: true, id: 'late' }, clock, 10_000).requester } });
    await slow.press('5');
    await slow.press('5');
    await slow.advance(1999);
    expect(slow.call.ended).toBe(false);
    await slow.advance(1);
    expect((await slow.call.done).kind).toBe('queued');
  });

  it('without a callback service the key is refused: the caller is queued', async () => {
    const rig = await startCall(FLOW(', callback: { key: "5", prompt: offer, next: callback }'));
    // The engine reads the services it was given at each request, so removing the requester switches callbacks off.
    rig.services.callbacks = undefined;
    await rig.press('5');
    expect((await rig.call.done).kind).toBe('queued');
    expect(notes(rig)).toEqual(['callback-off']);
  });

  it('offerAbove: the offer is made only when the estimated wait is longer; an unknown wait gets no offer', async () => {
    const spec = ', callback: { key: "5", prompt: offer, next: callback, offerAbove: 2m }';
    const long = await startCall(FLOW(spec), { services: { queues: { support: status({ holdTimeSec: 121 }) } } });
    expect(long.heard()).toEqual(['offer']);
    await long.press('5');
    expect((await long.call.done).step).toBe('callback');
    const short = await startCall(FLOW(spec), { services: { queues: { support: status({ holdTimeSec: 120 }) } } });
    expect(short.heard()).toEqual([]);
    expect((await short.call.done).kind).toBe('queued');
    const unknown = await startCall(FLOW(spec), { services: { queues: { support: 'unknown' } } });
    expect((await unknown.call.done).kind).toBe('queued');
  });

  it('the callback key counts during the wait announcement too, but only when the wait earns the offer', async () => {
    const spec = ', announceWait: true, callback: { key: "5", prompt: offer, next: callback, offerAbove: 2m }';
    const long = await startCall(FLOW(spec), { services: { queues: { support: status({ holdTimeSec: 300 }) } } });
    await long.advance(200);
    await long.press('5');
    expect((await long.call.done).step).toBe('callback');
    expect(long.heard()).toEqual(['queue-holdtime+number:5+queue-minutes']);
    const short = await startCall(FLOW(spec), { services: { queues: { support: status({ holdTimeSec: 60 }) } } });
    await short.advance(200);
    await short.press('5');
    await short.advance(10_000);
    expect((await short.call.done).kind).toBe('queued');
    expect(short.services.callbackRequests).toEqual([]);
  });

  it('the callback key pressed while the queue status is still being fetched counts (type-ahead), without the offer', async () => {
    const flow = FLOW(', announceWait: true, callback: { key: "5", prompt: offer, next: callback }').replace('start: q', 'start: hello').replace('steps:\n', 'steps:\n  hello: { play: [offer], next: q }\n');
    const fake = fakeRequester({ ok: true, id: 'cb-early' });
    const rig = await startCall(flow, { services: { callbacks: fake.requester } });
    // AMI answers slowly (1.5 s of the 2 s bound): the caller presses 5 meanwhile.
    rig.services.queues = { status: () => new Promise((resolve) => rig.clock.setTimeout(() => resolve(status({ holdTimeSec: 300 })), 1500)) };
    await rig.advance(1000);
    expect(rig.step()).toBe('q');
    await rig.press('5');
    await rig.advance(1500);
    expect((await rig.call.done).step).toBe('callback');
    expect(fake.requests).toHaveLength(1);
    // No wait announcement and no offer: the caller had already chosen.
    expect(rig.heard()).toEqual(['offer']);
  });

  it('a buffered key other than the callback key does not book a callback', async () => {
    const flow = FLOW(', callback: { key: "5", prompt: offer, next: callback }').replace('start: q', 'start: hello').replace('steps:\n', 'steps:\n  hello: { play: [offer], next: q }\n');
    const fake = fakeRequester({ ok: true, id: 'cb-early' });
    const rig = await startCall(flow, { services: { callbacks: fake.requester } });
    await rig.press('7');
    await rig.advance(20_000);
    expect((await rig.call.done).kind).toBe('queued');
    expect(fake.requests).toEqual([]);
  });

  it('callback.number: the callback goes to the number the caller typed and confirmed', async () => {
    const flow = `
flow: typed
language: en
start: ask
prompts:
  ask: { text: "Enter the number to call back, then hash." }
  readback: { text: "Press 1 if that is right, 2 to enter it again." }
  offer: { text: "Press 5 for a callback", duration: 1s }
queues: { support: {} }
steps:
  ask:
    input: { prompt: ask, digits: 6-15, terminator: "#", into: cbnumber, confirm: { prompt: readback } }
    next: q
  q:
    queue: { name: support, callback: { key: "5", prompt: offer, next: callback, number: cbnumber } }
  callback: { hangup: true }
`;
    const fake = fakeRequester({ ok: true, id: 'cb-typed' });
    const rig = await startCall(flow, { services: { callbacks: fake.requester } });
    await rig.press('030123456#');
    await rig.press('1');
    expect(rig.step()).toBe('q');
    await rig.press('5');
    expect((await rig.call.done).step).toBe('callback');
    expect(fake.requests[0]).toMatchObject({ caller: '+4930123456', number: '030123456', confirmed: true });
  });

  it('callbackNumber: the caller\'s own by default; a typed one is confirmed only while it still holds the confirmed value', () => {
    expect(callbackNumber({ vars: {} }, '+4930', undefined)).toEqual({ number: '+4930' });
    expect(callbackNumber({ vars: { cb: '0301' }, confirmed: { cb: '0301' } }, '+4930', 'cb')).toEqual({ number: '0301', confirmed: true });
    expect(callbackNumber({ vars: { cb: '0999' }, confirmed: { cb: '0301' } }, '+4930', 'cb')).toEqual({ number: '0999', confirmed: false });
    expect(callbackNumber({ vars: { cb: '0301' } }, '+4930', 'cb')).toEqual({ number: '0301', confirmed: false });
    expect(callbackNumber({ vars: { cb: { n: 1 } } }, '+4930', 'cb')).toEqual({ number: '', confirmed: false });
  });

  it('callbackVars keeps plain values, drops secrets, records and names that cannot be channel variables', () => {
    expect(callbackVars({ vars: { account: '12', pin: '9999', acct: { balance: 3 }, n: 4, ok: true, 'bad-name': 'x', way_too_long_a_name_for_this: 'y' }, secrets: ['pin'] })).toEqual({ account: '12', n: '4', ok: 'true' });
  });
});
