/**
 * Fakes for the outside world of a simulated call: lookups that fail or are slow, opening hours forced open or
 * closed, queue states. They wrap the in-memory services, so what a test does not fake behaves as configured.
 */
import type { Clock } from '../runtime/clock.js';
import type { DataSource, DataSourceFactory, HoursService, LookupResult, QueueStatus, Services } from '../runtime/services.js';
import type { HoursFake, LookupFake, QueueFake } from './scenario-types.js';

/** A lookup fake, or a function that answers a key (for tests written in TypeScript). */
export type LookupBehaviour = LookupFake | ((key: string) => LookupResult | Promise<LookupResult>);

/** Queue figures for the shorthand queue fakes. */
export function queueStatus(fake: QueueFake): QueueStatus | 'unknown' {
  switch (fake) {
    case 'free':
      return { loggedIn: 2, free: 1, waiting: 0, holdTimeSec: 30 };
    case 'busy':
      return { loggedIn: 2, free: 0, waiting: 3, holdTimeSec: 120 };
    case 'none':
      return { loggedIn: 0, free: 0, waiting: 0, holdTimeSec: 0 };
    case 'unknown':
      return 'unknown';
    default:
      return { waiting: 0, holdTimeSec: 0, ...fake };
  }
}

/** Waits `ms` on the given clock, or rejects when the signal fires (the caller left the step). */
function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const handle = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function fakeSource(name: string, fake: LookupBehaviour, base: () => DataSource, clock: Clock): DataSource {
  return {
    async lookup(request) {
      if (typeof fake === 'function') return fake(request.key);
      switch (fake.kind) {
        case 'error':
          return { status: 'error', code: fake.code ?? 'fake-error', message: fake.message ?? `the test made data source \`${name}\` fail` };
        case 'notFound':
          return { status: 'notFound' };
        case 'locked':
          return { status: 'locked' };
        case 'slow':
          await sleep(clock, fake.delayMs, request.signal);
          return base().lookup(request);
      }
    },
  };
}

/** Wraps a data source factory so the named sources answer as the fakes say. */
export function fakeDataSources(base: DataSourceFactory, fakes: Record<string, LookupBehaviour>, clock: Clock): DataSourceFactory {
  return {
    create(name, def, flowDir) {
      const fake = fakes[name];
      if (!fake) return base.create(name, def, flowDir);
      let real: DataSource | undefined;
      return fakeSource(name, fake, () => (real ??= base.create(name, def, flowDir)), clock);
    },
  };
}

/** Wraps an hours service so the named schedules are open, closed or on a holiday whatever the time. */
export function fakeHours(base: HoursService, fakes: Record<string, HoursFake>): HoursService {
  return {
    evaluate(name, def, at) {
      switch (fakes[name]) {
        case 'open':
          return { open: true };
        case 'closed':
          return { open: false };
        case 'holiday':
          return { open: false, holiday: 'a holiday (set by the test)' };
        default:
          return base.evaluate(name, def, at);
      }
    },
  };
}

/** Applies lookup and hours fakes to a set of services. */
export function withFakes(services: Services, fakes: { lookups?: Record<string, LookupBehaviour>; hours?: Record<string, HoursFake> }): Services {
  return {
    ...services,
    data: fakes.lookups ? fakeDataSources(services.data, fakes.lookups, services.clock) : services.data,
    hours: fakes.hours ? fakeHours(services.hours, fakes.hours) : services.hours,
  };
}
