import { describe, expect, it } from 'vitest';
import { startCall } from '../../../test/engine/helpers.js';

const FLOW = `
flow: voicemail
language: en
start: rec
prompts: { leave: { text: "Leave a message", duration: 1s } }
steps:
  rec:
    record: { purpose: voicemail, prompt: leave, maxDuration: 60s, into: message }
    next: thanks
    failed: sorry
  thanks: { hangup: true }
  sorry: { hangup: true }
`;

describe('record', () => {
  it('plays the prompt, records, files the recording and puts its name into the variable', async () => {
    const rig = await startCall(FLOW, { behaviour: { recording: { durationMs: 4000 } } });
    await rig.advance(1000);
    const record = rig.phone.commands.find((c) => c.command === 'record');
    expect(record?.args).toMatchObject({ options: { maxDurationMs: 60_000, beep: true, terminator: '#' } });
    await rig.advance(4000);
    expect((await rig.call.done).step).toBe('thanks');
    const [entry] = rig.services.sink.calls.get('call-1')!.recordings;
    expect(entry).toMatchObject({ purpose: 'voicemail', durationMs: 4000, caller: '+4930123456' });
    expect(rig.call.vars['message']).toBe(entry!.name);
  });

  it('the terminator ends the recording early', async () => {
    const rig = await startCall(FLOW);
    await rig.advance(1000 + 1500);
    await rig.press('#');
    expect((await rig.call.done).step).toBe('thanks');
    expect(rig.services.sink.calls.get('call-1')!.recordings[0]?.durationMs).toBe(1500);
  });

  it('a failed recording goes to failed', async () => {
    const rig = await startCall(FLOW, { behaviour: { recording: { outcome: 'failed' } } });
    await rig.advance(10_000);
    expect((await rig.call.done).step).toBe('sorry');
  });
});
