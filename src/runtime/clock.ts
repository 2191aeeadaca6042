/**
 * Time, injected. The runtime reads time only from the clock it is given, so tests can use a virtual clock
 * and never sleep. The interface matches what XState's `createActor(machine, { clock })` expects, plus `now()`.
 */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Thrown when a virtual clock is told to start at, or move by, a time that is not one: `NaN` would fire every
 * timer and leave `now()` at `NaN` for good, and a negative step would silently do nothing.
 */
export class ClockRangeError extends RangeError {
  override name = 'ClockRangeError';
  /** Stable. */
  readonly code = 'clock-invalid-time';
}

/** A number of milliseconds a virtual clock can move by: finite and not negative. */
function checkStep(ms: number, what: string): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new ClockRangeError(`${what} takes a finite number of milliseconds, 0 or more, not \`${String(ms)}\`; time only moves forward.`);
  }
}

interface VirtualTimer {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to. Timers fire in time order; timers due at the same instant fire in the
 * order they were set. Promise jobs queued by a timer run before the next timer fires, so promise-based work
 * (lookups) interleaves with timers as it would in real time.
 *
 * @example
 *   const clock = new VirtualClock(Date.parse('2026-12-07T10:00:00+01:00'));
 *   clock.setTimeout(() => console.log('5s later'), 5000);
 *   await clock.advance(5000);
 */
export class VirtualClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: VirtualTimer[] = [];

  constructor(start: number = Date.parse('2026-01-05T09:00:00Z')) {
    if (typeof start !== 'number' || !Number.isFinite(start)) {
      throw new ClockRangeError(`A virtual clock starts at a finite time in milliseconds since 1970, not \`${String(start)}\`; for a date, pass \`Date.parse('2026-12-07T10:00:00+01:00')\`.`);
    }
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, ms), fn };
    // Keep the list sorted by (at, id); insertion from the back is cheap because most timers are set "now".
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.at > timer.at) i--;
    this.timers.splice(i, 0, timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    const i = this.timers.findIndex((t) => t.id === handle);
    if (i >= 0) this.timers.splice(i, 1);
  }

  /** Number of timers still pending: a test can prove that a finished call left none behind. */
  get pending(): number {
    return this.timers.length;
  }

  /** When the next timer is due, or undefined. */
  nextDue(): number | undefined {
    return this.timers[0]?.at;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due, and settling promise jobs in between.
   * Throws a `ClockRangeError` (code `clock-invalid-time`) for a negative or non-finite `ms`.
   */
  async advance(ms: number): Promise<void> {
    checkStep(ms, '`advance(ms)`');
    await this.advanceTo(this.current + ms);
  }

  /** Moves time forward to `target` (a time already past moves nothing); `target` must be finite. */
  async advanceTo(target: number): Promise<void> {
    if (typeof target !== 'number' || !Number.isFinite(target)) {
      throw new ClockRangeError(`\`advanceTo(time)\` takes a finite time in milliseconds since 1970, not \`${String(target)}\`.`);
    }
    await settle();
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.current = next.at;
      next.fn();
      await settle();
    }
    this.current = Math.max(this.current, target);
  }
}

/** Lets every queued promise job run (a few macrotask turns, since promise chains can be long). */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
