/**
 * Random callers (fast-check): whatever keys they press, whenever, and whenever they hang up, a call never
 * crashes, ends with exactly one outcome, and leaves no timer, playback or listener behind.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { settle } from '../../src/runtime/clock.js';
import { flowOf, startCall } from './helpers.js';
import { MENU_FLOW } from './flows.js';

const flow = flowOf(MENU_FLOW);
const action = fc.oneof(
  fc.record({ press: fc.stringMatching(/^[0-9*#]{1,4}$/) }),
  fc.record({ wait: fc.integer({ min: 0, max: 9000 }) }),
);

describe('random callers', () => {
  it('every call ends with one outcome and leaves nothing behind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { maxLength: 25 }), async (actions) => {
        const rig = await startCall(flow);
        const ended: string[] = [];
        rig.engine.onCallEnded((s) => ended.push(s.id));
        for (const a of actions) {
          if ('press' in a) await rig.press(a.press);
          else await rig.advance(a.wait);
        }
        rig.phone.hangupByCaller();
        const outcome = await rig.call.done;
        await settle();
        expect(outcome.kind).not.toBe('failed');
        expect(ended).toEqual([rig.call.id]);
        expect(rig.call.outcome).toEqual(outcome);
        expect(rig.clock.pending).toBe(0);
        expect(rig.phone.hasListener).toBe(false);
        expect(rig.engine.liveCalls.size).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});
