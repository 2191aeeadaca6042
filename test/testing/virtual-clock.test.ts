import { describe, expect, it } from 'vitest';
import { ClockRangeError, VirtualClock } from '../../src/testing/index.js';

describe('VirtualClock', () => {
  it('fires timers in order as time moves forward', async () => {
    const clock = new VirtualClock(1000);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 500);
    await clock.advance(0);
    expect(fired).toEqual([]);
    await clock.advance(500);
    expect(fired).toEqual([1500]);
  });

  it('refuses NaN, infinite and negative steps with a stable code, and keeps its time and timers', async () => {
    const clock = new VirtualClock(1000);
    let fired = false;
    clock.setTimeout(() => (fired = true), 60_000);
    for (const [ms, shown] of [[NaN, 'NaN'], [-1000, '-1000'], [Infinity, 'Infinity']] as const) {
      const error = await clock.advance(ms).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClockRangeError);
      expect(error).toBeInstanceOf(RangeError);
      expect((error as ClockRangeError).code).toBe('clock-invalid-time');
      expect((error as Error).message).toBe(`\`advance(ms)\` takes a finite number of milliseconds, 0 or more, not \`${shown}\`; time only moves forward.`);
    }
    await expect(clock.advanceTo(NaN)).rejects.toThrow('`advanceTo(time)` takes a finite time in milliseconds since 1970, not `NaN`.');
    expect(clock.now()).toBe(1000);
    expect(fired).toBe(false);
    expect(clock.pending).toBe(1);
  });

  it('refuses to start at a time that is not one', () => {
    expect(() => new VirtualClock(Date.parse('next monday'))).toThrow(ClockRangeError);
    expect(() => new VirtualClock(NaN)).toThrow("A virtual clock starts at a finite time in milliseconds since 1970, not `NaN`; for a date, pass `Date.parse('2026-12-07T10:00:00+01:00')`.");
  });
});
