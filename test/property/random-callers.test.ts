/**
 * Random callers on every flow in `flows/` and `examples/`: random keys, random pauses, random fakes. No call may
 * throw, get stuck, or exceed its step cap; every call ends once time runs on.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findTestFiles } from '../../src/testing/run-scenarios.js';
import { compileFlowFile } from '../../src/testing/load-flow.js';
import { simulateCall } from '../../src/testing/simulate-call.js';
import type { CallOutcome } from '../../src/runtime/services.js';

const { flows } = await findTestFiles(['flows', 'examples']);

const action = fc.oneof(
  fc.record({ kind: fc.constant('press' as const), keys: fc.stringMatching(/^[0-9*#]{1,6}$/) }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 12_000 }) }),
);

const world = fc.record({
  day: fc.integer({ min: 0, max: 6 }),
  hour: fc.integer({ min: 0, max: 23 }),
  department: fc.constantFrom('answered', 'busy', 'noAnswer', 'failed'),
  queue: fc.constantFrom('free', 'busy', 'none', 'unknown'),
  lookup: fc.constantFrom(undefined, 'error', 'notFound'),
  recording: fc.constantFrom('finished', 'failed'),
});

const KINDS: CallOutcome['kind'][] = ['completed', 'hungup', 'transferred', 'queued', 'failed'];

describe('random callers', () => {
  it('finds the example flows', () => {
    expect(flows.length).toBeGreaterThan(0);
  });

  for (const file of flows) {
    it(`never throws or gets stuck in ${file.replace(process.cwd() + '/', '')}`, async () => {
      const flow = await compileFlowFile(file);
      const doc = flow.doc;
      const maxSteps = doc.defaults?.maxSteps ?? 500;
      await fc.assert(
        fc.asyncProperty(world, fc.array(action, { maxLength: 25 }), async (w, actions) => {
          const now = new Date(Date.UTC(2026, 11, 6 + w.day, w.hour, 17)).toISOString();
          const call = await simulateCall(flow, {
            now,
            departments: Object.fromEntries(Object.keys(doc.departments ?? {}).map((d) => [d, w.department])) as Record<string, 'busy'>,
            queues: Object.fromEntries(Object.keys(doc.queues ?? {}).map((q) => [q, w.queue])) as Record<string, 'free'>,
            ...(w.lookup ? { lookups: Object.fromEntries(Object.keys(doc.data ?? {}).map((s) => [s, { kind: w.lookup! }])) } : {}),
            recording: w.recording,
          });
          for (const a of actions) {
            if (a.kind === 'press') await call.press(a.keys);
            else await call.wait(a.ms);
            // Waiting for input, or on the way somewhere: never idle with nothing pending.
            if (!call.ended) expect(call.clock.pending, `stuck at step ${call.step}`).toBeGreaterThan(0);
          }
          await call.runUntilEnd({ within: '120m' });
          expect(call.ended, `the call did not end; it is at step ${call.step}`).toBe(true);
          expect(KINDS).toContain(call.outcome!.kind);
          expect(call.trace.filter((e) => e.type === 'step').length).toBeLessThanOrEqual(maxSteps + 2);
          expect(call.clock.pending, 'a finished call left timers behind').toBe(0);
          const errors = call.trace.filter((e) => e.type === 'note' && e.code === 'internal-error');
          expect(errors, 'an implementation threw').toEqual([]);
        }),
        { numRuns: 80, seed: 20261207 },
      );
    });
  }
});
