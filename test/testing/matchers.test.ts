import { describe, expect, it } from 'vitest';
import { callMatchers, simulateCall, type CallMatchers, type SimulatedCall } from '../../src/testing/index.js';

declare module 'vitest' {
  interface Assertion<T = any> extends CallMatchers<T> {}
}

expect.extend(callMatchers);

describe('callMatchers', () => {
  it('reads like vitest and fails with what happened', async () => {
    const call = await simulateCall('flows/acme-hotline.yaml', { now: '2026-12-07T10:00:00+01:00' });
    await call.expectPrompt('main-menu');
    expect(call).toHaveHeard('welcome');
    expect(call).toHaveHeard(/^Welcome to ACME\.$/);
    expect(call).not.toHaveHeard('sales-busy');
    expect(call).toBeAtStep('main');
    expect(() => expect(call).toHaveHeard('sales-busy')).toThrow('Expected the caller to hear prompt `sales-busy`, but heard `welcome` "Welcome to ACME."');
    expect(() => expect(call).toHaveEndedWith({ kind: 'queued' })).toThrow('it is still at step `main`');
    await call.press('0');
    await call.runUntilEnd();
    expect(call).toHaveEndedWith({ kind: 'queued', queue: 'support' });
    expect(() => expect(call).toHaveEndedWith({ kind: 'transferred' })).toThrow('it ended with {"kind":"queued"');
  });

  it('toHaveEndedWith compares fields as expectOutcome does: only those given, a number equal to the same digits', async () => {
    const call = await simulateCall('flows/acme-hotline.yaml', { now: '2026-12-07T10:00:00+01:00' });
    await call.press('0');
    await call.runUntilEnd();
    const ended = { outcome: { kind: 'transferred', step: 'main', department: '100' }, step: 'main' } as unknown as SimulatedCall;
    expect(callMatchers.toHaveEndedWith(ended, { kind: 'transferred', department: 100 }).pass).toBe(true);
    expect(callMatchers.toHaveEndedWith(ended, { department: 101 }).pass).toBe(false);
    await expect(call.expectOutcome({ kind: 'queued', step: 'agent' })).resolves.toMatchObject({ queue: 'support' });
    expect(call).toHaveEndedWith({ kind: 'queued', step: 'agent' });
  });
});
