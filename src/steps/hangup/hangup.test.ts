import { describe, expect, it } from 'vitest';
import { startCall } from '../../../test/engine/helpers.js';

const FLOW = (spec: string) => `
flow: bye
language: en
start: bye
prompts: { goodbye: { text: "Goodbye", duration: 1s } }
steps:
  bye: { hangup: ${spec} }
`;

describe('hangup', () => {
  it('plays its prompt, then hangs up: outcome completed', async () => {
    const rig = await startCall(FLOW('[goodbye]'));
    expect(rig.heard()).toEqual(['goodbye']);
    expect(rig.call.ended).toBe(false);
    await rig.advance(1000);
    expect(await rig.call.done).toEqual({ kind: 'completed', step: 'bye' });
    expect(rig.phone.state).toBe('ended');
  });

  it('hangup: true ends at once; a reason goes to the port', async () => {
    const now = await startCall(FLOW('true'));
    expect(now.call.outcome).toEqual({ kind: 'completed', step: 'bye' });
    const why = await startCall(FLOW('{ prompt: goodbye, reason: after-hours }'));
    await why.advance(1000);
    expect(why.phone.hangupReason).toBe('after-hours');
  });
});
