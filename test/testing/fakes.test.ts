import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/runtime/clock.js';
import type { DataSourceFactory, HoursService } from '../../src/runtime/services.js';
import { fakeDataSources, fakeHours, queueStatus } from '../../src/testing/fakes.js';

const real: DataSourceFactory = {
  create: () => ({ lookup: async (r) => (r.key === '1' ? { status: 'found', record: { n: 1 } } : { status: 'notFound' }) }),
};
const def = { file: { path: 'x.csv', key: 'k' } };

describe('fakes', () => {
  it('answers lookups as faked, and leaves other sources real', async () => {
    const clock = new VirtualClock();
    const data = fakeDataSources(real, { a: { kind: 'error' }, b: { kind: 'locked' }, c: (key) => ({ status: 'found', record: { key } }) }, clock);
    const req = (key: string) => ({ key, signal: new AbortController().signal, callId: 'c1' });
    expect(await data.create('a', def, '.').lookup(req('1'))).toMatchObject({ status: 'error', code: 'fake-error' });
    expect(await data.create('b', def, '.').lookup(req('1'))).toEqual({ status: 'locked' });
    expect(await data.create('c', def, '.').lookup(req('7'))).toEqual({ status: 'found', record: { key: '7' } });
    expect(await data.create('d', def, '.').lookup(req('1'))).toEqual({ status: 'found', record: { n: 1 } });
  });

  it('delays a slow source on the virtual clock, and stops waiting when the step is left', async () => {
    const clock = new VirtualClock();
    const data = fakeDataSources(real, { s: { kind: 'slow', delayMs: 5000 } }, clock);
    let result: unknown;
    void data.create('s', def, '.').lookup({ key: '1', signal: new AbortController().signal, callId: 'c' }).then((r) => (result = r));
    await clock.advance(4999);
    expect(result).toBeUndefined();
    await clock.advance(1);
    expect(result).toEqual({ status: 'found', record: { n: 1 } });

    const abort = new AbortController();
    const pending = data.create('s', def, '.').lookup({ key: '1', signal: abort.signal, callId: 'c' });
    abort.abort(new Error('left the step'));
    await expect(pending).rejects.toThrow('left the step');
    expect(clock.pending).toBe(0);
  });

  it('forces hours open, closed or holiday, and asks the real service otherwise', () => {
    const base: HoursService = { evaluate: () => ({ open: true, closesAt: '18:00' }) };
    const hours = fakeHours(base, { shop: 'closed', office: 'holiday' });
    const weekly = { timezone: 'UTC', weekly: {} };
    expect(hours.evaluate('shop', weekly, 0)).toEqual({ open: false });
    expect(hours.evaluate('office', weekly, 0)).toMatchObject({ open: false, holiday: expect.any(String) });
    expect(hours.evaluate('other', weekly, 0)).toEqual({ open: true, closesAt: '18:00' });
  });

  it('turns queue shorthands into AMI-like figures', () => {
    expect(queueStatus('none')).toMatchObject({ loggedIn: 0, free: 0 });
    expect(queueStatus('busy')).toMatchObject({ free: 0 });
    expect((queueStatus('busy') as { loggedIn: number }).loggedIn).toBeGreaterThan(0);
    expect((queueStatus('free') as { free: number }).free).toBeGreaterThan(0);
    expect(queueStatus('unknown')).toBe('unknown');
    expect(queueStatus({ loggedIn: 3, free: 1 })).toEqual({ loggedIn: 3, free: 1, waiting: 0, holdTimeSec: 0 });
  });
});
