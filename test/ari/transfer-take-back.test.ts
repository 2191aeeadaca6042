/**
 * Transfers across an engine restart: a new adapter finds calls a previous process had dialled or bridged to a
 * department, and takes the transfer over from what Asterisk shows (leg ids, the bridge and its name). Callers
 * talking to an agent are never pulled out of the conversation, and a caller whose agent hangs up is never left in
 * silence.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CallPort, PortEvent } from '../../src/telephony/port.js';
import type { ReattachInfo } from '../../src/telephony/ari/index.js';
import { eventsOf, startRig, waitFor, type Rig } from './harness.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

interface Taken {
  port: CallPort;
  info: ReattachInfo;
  events: PortEvent[];
}

/** Starts the adapter on a fake that already holds what a previous process left; collects the calls taken back. */
async function restartOn(r: Rig): Promise<Taken[]> {
  const taken: Taken[] = [];
  r.ari.onReattach((port, info) => {
    const t: Taken = { port, info, events: [] };
    port.onEvent((e) => t.events.push(e));
    taken.push(t);
  });
  await r.ari.start();
  return taken;
}

/** What a previous process left: caller `c1` talking to an agent on leg `c1-dial-1`, the flow taking it back after. */
async function talkingBeforeRestart(): Promise<Rig> {
  const r = await startRig({ start: false });
  r.fake.alreadyInApp('c1', { args: ['acme'] });
  r.fake.alreadyInApp('c1-dial-1', { args: ['touchtone-dial', 'returns'] });
  r.fake.addBridge('c1-bridge-1', 'touchtone-transfer-returns', ['c1', 'c1-dial-1']);
  return r;
}

const deleted = (r: Rig, path: string): boolean => r.fake.requests.some((q) => q.method === 'DELETE' && q.path === `/ari/${path}`);

describe('ARI adapter: transfers taken back after a restart', () => {
  it('a caller talking to an agent stays bridged; when the agent hangs up, the flow gets `transfer.ended`', async () => {
    rig = await talkingBeforeRestart();
    const taken = await restartOn(rig);
    const call = await waitFor(() => taken[0], 'taken back');
    expect(call.info).toMatchObject({ reason: 'startup', bridged: true });
    // The agent's leg is not hung up, nor the bridge destroyed (a stray leg would have been deleted by now: the
    // adapter sends that in the same turn as it takes the call back).
    await waitFor(() => rig!.fake.requests.some((q) => q.path === '/ari/bridges' && q.method === 'GET'), 'bridges listed');
    call.port.setVariables({ TOUCHTONE_PROBE: '1' });
    await waitFor(() => Object.keys(rig!.fake.channels.get('c1')?.variables ?? {}).some((v) => v.endsWith('TOUCHTONE_PROBE')), 'a later request answered');
    expect(deleted(rig, 'channels/c1-dial-1')).toBe(false);
    expect(rig.fake.bridges.get('c1-bridge-1')?.channels).toEqual(['c1', 'c1-dial-1']);

    rig.fake.callerHangsUp('c1-dial-1');
    await waitFor(() => call.events.some((e) => e.type === 'transfer.ended'), 'transfer.ended');
    await waitFor(() => !rig!.fake.bridges.has('c1-bridge-1'), 'bridge destroyed');
    expect(rig.fake.channels.get('c1')?.app).toBe('touchtone');
    expect(call.events.filter((e) => e.type === 'transfer.ended')).toHaveLength(1);
    // A later transfer of the same call does not reuse the ids of the one before the restart.
    call.port.transfer({ kind: 'dial', endpoint: 'PJSIP/sales', ringTimeoutMs: 5000 });
    await waitFor(() => call.events.some((e) => e.type === 'transfer.result'), 'second transfer');
    expect(rig.fake.bridges.has('c1-bridge-2')).toBe(true);
  });

  it('without `returns`, the agent hanging up ends the call', async () => {
    rig = await startRig({ start: false });
    rig.fake.alreadyInApp('c1', { args: ['acme'] });
    rig.fake.alreadyInApp('c1-dial-1', { args: ['touchtone-dial'] });
    rig.fake.addBridge('c1-bridge-1', 'touchtone-transfer', ['c1', 'c1-dial-1']);
    const taken = await restartOn(rig);
    const call = await waitFor(() => taken[0], 'taken back');
    expect(call.info.bridged).toBe(true);
    rig.fake.callerHangsUp('c1-dial-1');
    await waitFor(() => !rig!.fake.channels.has('c1') && call.events.some((e) => e.type === 'hangup'), 'caller hung up');
    expect(call.events.filter((e) => e.type === 'hangup')).toHaveLength(1);
    expect(eventsOf({ port: call.port, events: call.events }, 'transfer.ended')).toEqual([]);
  });

  it('the caller hanging up while bridged ends the agent\'s leg and the bridge too', async () => {
    rig = await talkingBeforeRestart();
    const taken = await restartOn(rig);
    await waitFor(() => taken[0], 'taken back');
    rig.fake.callerHangsUp('c1');
    await waitFor(() => !rig!.fake.channels.has('c1-dial-1') && !rig!.fake.bridges.has('c1-bridge-1'), 'agent leg and bridge gone');
  });

  it('an agent who hung up while no engine listened: the caller is taken back into the flow at once', async () => {
    rig = await startRig({ start: false });
    rig.fake.alreadyInApp('c1', { args: ['acme'] });
    rig.fake.addBridge('c1-bridge-1', 'touchtone-transfer-returns', ['c1']);
    const taken = await restartOn(rig);
    const call = await waitFor(() => taken[0], 'taken back');
    expect(call.info.bridged).toBe(false);
    await waitFor(() => call.events.some((e) => e.type === 'transfer.ended'), 'transfer.ended');
    await waitFor(() => !rig!.fake.bridges.has('c1-bridge-1'), 'bridge destroyed');
  });

  it('a department still ringing is hung up and reported failed, so the flow\'s `failed` branch decides', async () => {
    rig = await startRig({ start: false });
    rig.fake.alreadyInApp('c1', { args: ['acme'] });
    rig.fake.alreadyInApp('c1-dial-1', { args: ['touchtone-dial'], state: 'Ringing' });
    const taken = await restartOn(rig);
    const call = await waitFor(() => taken[0], 'taken back');
    await waitFor(() => call.events.some((e) => e.type === 'transfer.result'), 'transfer result');
    expect(call.events.find((e) => e.type === 'transfer.result')).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('restarted') });
    await waitFor(() => !rig!.fake.channels.has('c1-dial-1'), 'ringing leg hung up');
  });

  it('a department that answered before the previous process bridged it is bridged now, with `returns` from the leg', async () => {
    rig = await startRig({ start: false });
    rig.fake.alreadyInApp('c1', { args: ['acme'] });
    rig.fake.alreadyInApp('c1-dial-1', { args: ['touchtone-dial', 'returns'], state: 'Up' });
    const taken = await restartOn(rig);
    const call = await waitFor(() => taken[0], 'taken back');
    await waitFor(() => call.events.some((e) => e.type === 'transfer.result'), 'transfer result');
    expect(call.events.find((e) => e.type === 'transfer.result')).toMatchObject({ outcome: 'answered' });
    expect(rig.fake.bridges.get('c1-bridge-1')).toMatchObject({ name: 'touchtone-transfer-returns', channels: ['c1', 'c1-dial-1'] });
    rig.fake.callerHangsUp('c1-dial-1');
    await waitFor(() => call.events.some((e) => e.type === 'transfer.ended'), 'transfer.ended');
  });

  it('a leg or a bridge whose caller is gone is cleaned up', async () => {
    rig = await startRig({ start: false });
    rig.fake.alreadyInApp('gone-dial-1', { args: ['touchtone-dial'] });
    rig.fake.addBridge('gone-bridge-1', 'touchtone-transfer', ['gone-dial-1']);
    rig.fake.addBridge('not-ours', 'conference', []);
    await restartOn(rig);
    await waitFor(() => !rig!.fake.channels.has('gone-dial-1') && !rig!.fake.bridges.has('gone-bridge-1'), 'cleaned up');
    expect(rig.fake.bridges.has('not-ours')).toBe(true);
  });
});

describe('ARI adapter: a hand-over never pulls a caller out of a conversation', () => {
  it('while bridged with `returns`, a hand-over to the dialplan waits until the agent hangs up', async () => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.transfer({ kind: 'dial', endpoint: 'PJSIP/sales', ringTimeoutMs: 5000, returns: true });
    await waitFor(() => eventsOf(call, 'transfer.result').length, 'answered');
    const legId = `${id}-dial-1`;
    expect(rig.fake.channels.get(legId)?.dialplan.app_data).toBe('touchtone,touchtone-dial,returns');
    expect(rig.fake.bridges.get(`${id}-bridge-1`)?.name).toBe('touchtone-transfer-returns');

    // The engine shuts down and hands its calls to the fallback.
    call.port.transfer({ kind: 'dialplan', context: 'touchtone-fallback', extension: 's', priority: 1 });
    await waitFor(() => eventsOf(call, 'transfer.result').length === 2, 'hand-over acknowledged');
    expect(rig.fake.requests.some((q) => q.path === `/ari/channels/${id}/continue`)).toBe(false);
    expect(rig.fake.bridges.get(`${id}-bridge-1`)?.channels).toEqual([id, legId]);

    rig.fake.callerHangsUp(legId);
    await waitFor(() => rig!.fake.channels.get(id)?.dialplan.context === 'touchtone-fallback', 'handed over after the agent left');
    expect(eventsOf(call, 'transfer.ended')).toEqual([]);
  });
});

describe('ARI adapter: a flow resumed before its transfer was answered', () => {
  it('asks to dial again while the caller talks to the agent: the conversation is the answer, nothing is dialled', async () => {
    rig = await talkingBeforeRestart();
    const taken = await restartOn(rig);
    const call = await waitFor(() => taken[0], 'taken back');
    // Its saved state was at the announcement: after it, the flow dials the department again.
    call.port.transfer({ kind: 'dial', endpoint: 'PJSIP/sales', ringTimeoutMs: 5000, returns: true });
    await waitFor(() => call.events.some((e) => e.type === 'transfer.result'), 'transfer result');
    expect(call.events.find((e) => e.type === 'transfer.result')).toMatchObject({ outcome: 'answered' });
    expect(rig.fake.requests.some((q) => q.path === '/ari/channels/create')).toBe(false);
    rig.fake.callerHangsUp('c1-dial-1');
    await waitFor(() => call.events.some((e) => e.type === 'transfer.ended'), 'transfer.ended');
  });
});
