import { describe, expect, it } from 'vitest';
import { startCall } from '../../../test/engine/helpers.js';

const FLOW = `
flow: branches
language: en
start: b
variables: { tier: "gold", count: 3 }
hours: { office: { timezone: Europe/Berlin, weekly: { mon-fri: "08:00-18:00" } } }
steps:
  b:
    branch:
      - { if: 'tier == "platinum"', then: platinum }
      - { if: 'count + 1 == 4 && call.caller.startsWith("+49")', then: german }
    else: other
  platinum: { hangup: true }
  german: { hangup: true }
  other: { hangup: true }
`;

describe('branch', () => {
  it('takes the first case whose CEL condition holds (variables, integer arithmetic, call facts)', async () => {
    const rig = await startCall(FLOW);
    expect(await rig.call.done).toEqual({ kind: 'completed', step: 'german' });
  });

  it('takes else when no case holds', async () => {
    const rig = await startCall(FLOW, { facts: { caller: '+1555' } });
    expect((await rig.call.done).step).toBe('other');
  });

  it("sees the local hour and weekday in the flow's time zone", async () => {
    const flow = FLOW.replace(`'tier == "platinum"'`, `'call.hour == 10 && call.weekday == "mon"'`);
    // 09:00 UTC on Monday 2026-01-05 is 10:00 in Berlin.
    const rig = await startCall(flow);
    expect((await rig.call.done).step).toBe('platinum');
  });
});
