import { describe, expect, it } from 'vitest';
import { startCall } from '../../../test/engine/helpers.js';
import type { QueueStatus } from '../../runtime/services.js';

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
`;

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
});
