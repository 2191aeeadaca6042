import { describe, expect, it } from 'vitest';
import { startCall } from '../../../test/engine/helpers.js';

const FLOW = (extra = '') => `
flow: lookups
language: en
start: ask
prompts: { p: { text: "Enter", duration: 1s }, hold: { text: "One moment", duration: 1s } }
data: { accounts: { sqlite: { file: a.db, table: accounts, key: number }, timeout: 2s } }
steps:
  ask:
    input: { prompt: p, digits: 4, into: account }
    next: find
  find:
    lookup: { source: accounts, key: "\${account}", into: acct${extra} }
    found: found
    notFound: notfound
    error: error
    locked: locked
  found: { hangup: true }
  notfound: { hangup: true }
  error: { hangup: true }
  locked: { hangup: true }
`;

const RECORDS = [{ number: '1234', balance: 42.5, pin: '9999' }];

describe('lookup', () => {
  it('found: the record goes into the variable; the trace has the source, result and time', async () => {
    const rig = await startCall(FLOW(), { services: { data: { accounts: { records: RECORDS, delay: 300 } } } });
    await rig.press('1234');
    await rig.advance(300);
    expect((await rig.call.done).step).toBe('found');
    expect(rig.call.vars['acct']).toEqual(RECORDS[0]);
    expect(rig.call.trace.find((e) => e.type === 'lookup')).toMatchObject({ source: 'accounts', result: 'found', ms: 300 });
  });

  it('notFound and error branches', async () => {
    const missing = await startCall(FLOW(), { services: { data: { accounts: RECORDS } } });
    await missing.press('5555');
    expect((await missing.call.done).step).toBe('notfound');
    const failing = await startCall(FLOW(), { services: { data: { accounts: 'error' } } });
    await failing.press('1234');
    expect((await failing.call.done).step).toBe('error');
  });

  it('a lookup slower than its timeout takes the error branch, on the call clock', async () => {
    const rig = await startCall(FLOW(), { services: { data: { accounts: { records: RECORDS, delay: 5000 } } } });
    await rig.press('1234');
    await rig.advance(1999);
    expect(rig.step()).toBe('find');
    await rig.advance(1);
    expect((await rig.call.done).step).toBe('error');
    expect(rig.call.trace.find((e) => e.type === 'lookup')).toMatchObject({ result: 'error:lookup-timeout', ms: 2000 });
    expect(rig.clock.pending).toBe(0);
  });

  it('verify: matching fields are found, a wrong PIN is notFound, and repeated wrong PINs lock', async () => {
    const flow = FLOW(', verify: { pin: "1111" }');
    const rig = await startCall(flow, { services: { data: { accounts: RECORDS } } });
    await rig.press('1234');
    expect((await rig.call.done).step).toBe('notfound');
    const ok = await startCall(FLOW(', verify: { pin: "9999" }'), { services: { data: { accounts: RECORDS } } });
    await ok.press('1234');
    expect((await ok.call.done).step).toBe('found');
    const locked = await startCall(flow, { services: { data: { accounts: { records: RECORDS, lockAfter: 1 } } } });
    await locked.press('1234');
    expect((await locked.call.done).step).toBe('locked');
  });

  it('a filler prompt plays once the lookup takes longer than `after`, and stops when it ends', async () => {
    const rig = await startCall(FLOW(', filler: { after: 500ms, play: [hold] }'), { services: { data: { accounts: { records: RECORDS, delay: 1200 } } } });
    await rig.press('1234');
    await rig.advance(499);
    expect(rig.heard()).toEqual(['p']);
    await rig.advance(1);
    expect(rig.heard()).toEqual(['p', 'hold']);
    await rig.advance(700);
    expect((await rig.call.done).step).toBe('found');
    expect(rig.phone.playbacks[1]?.outcome).toBe('stopped');
  });

  it('music on hold instead of a filler prompt, stopped when the lookup ends', async () => {
    const rig = await startCall(FLOW(', filler: { after: 500ms, musicOnHold: default }'), { services: { data: { accounts: { records: RECORDS, delay: 1200 } } } });
    await rig.press('1234');
    await rig.advance(600);
    expect(rig.phone.musicOnHold).toBe(true);
    await rig.advance(600);
    expect(rig.phone.musicOnHold).toBe(false);
    expect(rig.phone.commands.map((c) => c.command)).toContain('stopMusicOnHold');
  });
});
