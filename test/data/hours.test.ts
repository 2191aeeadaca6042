import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHoursService, createMemoryOverrides, checkHours, parseWeekly, parseShifts } from '../../src/data/hours.js';
import type { HoursDef } from '../../src/flow/types.js';

const office: HoursDef = {
  timezone: 'Europe/Berlin',
  weekly: { 'mon-fri': '08:00-12:00,13:00-18:00', sat: '09:00-13:00' },
  holidays: { country: 'DE', region: 'BE' },
  closed: ['2026-12-24'],
  special: { '2026-12-31': '09:00-12:00' },
};

const at = (text: string) => Date.parse(text);

describe('hours: weekly schedule', () => {
  const hours = createHoursService();

  it('is open inside a shift and says when it closes', () => {
    expect(hours.evaluate('office', office, at('2026-12-07T10:00:00+01:00'))).toEqual({ open: true, closesAt: '2026-12-07T12:00:00+01:00' });
  });

  it('is closed in the lunch break and opens again after it', () => {
    expect(hours.evaluate('office', office, at('2026-12-07T12:30:00+01:00'))).toEqual({ open: false, opensAt: '2026-12-07T13:00:00+01:00' });
  });

  it('closes exactly at the end of a shift', () => {
    expect(hours.evaluate('office', office, at('2026-12-07T18:00:00+01:00')).open).toBe(false);
    expect(hours.evaluate('office', office, at('2026-12-07T17:59:59+01:00')).open).toBe(true);
  });

  it('opens on Monday after a Sunday', () => {
    expect(hours.evaluate('office', office, at('2026-12-06T15:00:00+01:00'))).toEqual({ open: false, opensAt: '2026-12-07T08:00:00+01:00' });
  });

  it('treats days not named as closed', () => {
    const state = hours.evaluate('x', { timezone: 'UTC', weekly: { wed: '10:00-11:00' } }, at('2026-12-07T10:30:00Z'));
    expect(state).toEqual({ open: false, opensAt: '2026-12-09T10:00:00Z' });
  });

  it('reports no opening when the schedule never opens within two weeks', () => {
    expect(hours.evaluate('x', { timezone: 'UTC', weekly: { 'mon-sun': 'closed' } }, at('2026-12-07T10:00:00Z'))).toEqual({ open: false });
  });
});

describe('hours: shifts across midnight', () => {
  const hours = createHoursService();
  const night: HoursDef = { timezone: 'Europe/Berlin', weekly: { fri: '22:00-02:00' } };

  it('is open after midnight on the next day', () => {
    expect(hours.evaluate('n', night, at('2026-12-12T01:30:00+01:00'))).toEqual({ open: true, closesAt: '2026-12-12T02:00:00+01:00' });
  });

  it('is open before midnight with the close on the next day', () => {
    expect(hours.evaluate('n', night, at('2026-12-11T23:00:00+01:00')).closesAt).toBe('2026-12-12T02:00:00+01:00');
  });

  it('is closed after the night shift ends', () => {
    expect(hours.evaluate('n', night, at('2026-12-12T02:00:00+01:00'))).toEqual({ open: false, opensAt: '2026-12-18T22:00:00+01:00' });
  });

  it('merges touching shifts so closesAt is the real close', () => {
    const def: HoursDef = { timezone: 'UTC', weekly: { mon: '20:00-24:00', tue: '00:00-03:00' } };
    expect(hours.evaluate('m', def, at('2026-12-07T21:00:00Z')).closesAt).toBe('2026-12-08T03:00:00Z');
  });
});

describe('hours: daylight saving time in Europe/Berlin', () => {
  const hours = createHoursService();
  const allDay: HoursDef = { timezone: 'Europe/Berlin', weekly: { 'mon-sun': '08:00-18:00' } };

  it('opens at 08:00 local on the day clocks go forward (2026-03-29)', () => {
    // 06:30Z is 08:30 CEST (UTC+2): open. It would be 07:30 in CET.
    expect(hours.evaluate('d', allDay, at('2026-03-29T06:30:00Z'))).toEqual({ open: true, closesAt: '2026-03-29T18:00:00+02:00' });
    expect(hours.evaluate('d', allDay, at('2026-03-29T05:30:00Z'))).toEqual({ open: false, opensAt: '2026-03-29T08:00:00+02:00' });
  });

  it('opens at 08:00 local on the day clocks go back (2026-10-25)', () => {
    // 07:30Z is 08:30 CET (UTC+1): open. It would be 09:30 in CEST.
    expect(hours.evaluate('d', allDay, at('2026-10-25T06:30:00Z'))).toEqual({ open: false, opensAt: '2026-10-25T08:00:00+01:00' });
    expect(hours.evaluate('d', allDay, at('2026-10-25T07:30:00Z')).closesAt).toBe('2026-10-25T18:00:00+01:00');
  });

  it('keeps a night shift across the spring change to its local close time', () => {
    const def: HoursDef = { timezone: 'Europe/Berlin', weekly: { sat: '22:00-04:00' } };
    // Saturday 2026-03-28 22:00 CET to Sunday 04:00 CEST is five hours, not six.
    const state = hours.evaluate('n', def, at('2026-03-28T23:00:00+01:00'));
    expect(state.closesAt).toBe('2026-03-29T04:00:00+02:00');
    expect(Date.parse(state.closesAt!) - at('2026-03-28T22:00:00+01:00')).toBe(5 * 3600_000);
  });
});

describe('hours: holidays, closed dates and special hours', () => {
  const hours = createHoursService();

  it('is closed on a public holiday of the region and names it', () => {
    // 2026-03-08 is a Sunday; International Women's Day is a Berlin holiday. Use a weekday one: Good Friday 2026-04-03.
    expect(hours.evaluate('office', office, at('2026-04-03T10:00:00+02:00'))).toEqual({
      open: false,
      holiday: 'Good Friday',
      opensAt: '2026-04-04T09:00:00+02:00',
    });
  });

  it('counts regional holidays only in their region', () => {
    const weekdays = { timezone: 'Europe/Berlin', weekly: { 'mon-sun': '08:00-18:00' } };
    const berlin = hours.evaluate('b', { ...weekdays, holidays: { country: 'DE', region: 'BE' } }, at('2026-03-08T10:00:00+01:00'));
    const hamburg = hours.evaluate('h', { ...weekdays, holidays: { country: 'DE', region: 'HH' } }, at('2026-03-08T10:00:00+01:00'));
    expect(berlin.holiday).toBe("International Women's Day");
    expect(hamburg.open).toBe(true);
  });

  it('ignores observances unless their type is asked for', () => {
    const def: HoursDef = { timezone: 'Europe/Berlin', weekly: { 'mon-sun': '08:00-18:00' }, holidays: { country: 'DE', region: 'BE' } };
    // 2026-12-31 (New Year's Eve) is a bank holiday in Germany, not a public one.
    expect(hours.evaluate('o', def, at('2026-12-31T10:00:00+01:00')).open).toBe(true);
    const banks = { ...def, holidays: { country: 'DE', region: 'BE', types: ['public', 'bank'] } };
    expect(hours.evaluate('o', banks, at('2026-12-31T15:00:00+01:00')).open).toBe(false);
  });

  it('is closed on an explicit closed date', () => {
    expect(hours.evaluate('office', office, at('2026-12-24T10:00:00+01:00'))).toEqual({
      open: false,
      holiday: 'closed',
      opensAt: '2026-12-28T08:00:00+01:00',
    });
  });

  it('uses special hours instead of the weekly schedule', () => {
    expect(hours.evaluate('office', office, at('2026-12-31T11:00:00+01:00'))).toEqual({ open: true, closesAt: '2026-12-31T12:00:00+01:00' });
    expect(hours.evaluate('office', office, at('2026-12-31T14:00:00+01:00')).open).toBe(false);
  });

  it('skips holidays when looking for the next opening', () => {
    // Christmas: 24 closed, 25 and 26 holidays, 27 Sunday.
    expect(hours.evaluate('office', office, at('2026-12-23T19:00:00+01:00')).opensAt).toBe('2026-12-28T08:00:00+01:00');
  });
});

describe('hours: admin overrides', () => {
  it('closes an open office until the override expires', () => {
    const overrides = createMemoryOverrides();
    const hours = createHoursService(overrides);
    overrides.set({ hours: 'office', state: 'closed', reason: 'storm', until: at('2026-12-08T08:00:00+01:00'), setAt: at('2026-12-07T09:00:00+01:00') });
    expect(hours.evaluate('office', office, at('2026-12-07T10:00:00+01:00'))).toEqual({
      open: false,
      override: { reason: 'storm', until: '2026-12-08T08:00:00+01:00' },
      opensAt: '2026-12-08T08:00:00+01:00',
    });
    expect(hours.evaluate('office', office, at('2026-12-08T08:00:00+01:00')).open).toBe(true);
    expect(hours.evaluate('other', office, at('2026-12-07T10:00:00+01:00')).open).toBe(true);
  });

  it('opens a closed office and finds the next regular opening after a closed override expires', () => {
    const overrides = createMemoryOverrides();
    const hours = createHoursService(overrides);
    overrides.set({ hours: 'office', state: 'open', reason: 'sale', setAt: 0 });
    expect(hours.evaluate('office', office, at('2026-12-06T10:00:00+01:00'))).toEqual({ open: true, override: { reason: 'sale' } });
    overrides.set({ hours: 'office', state: 'closed', reason: 'move', until: at('2026-12-07T19:00:00+01:00'), setAt: 0 });
    expect(hours.evaluate('office', office, at('2026-12-07T10:00:00+01:00')).opensAt).toBe('2026-12-08T08:00:00+01:00');
    expect(overrides.clear('office')).toBe(true);
    expect(overrides.list()).toEqual([]);
  });
});

describe('hours: validation helpers', () => {
  it('reports invalid times with the offending text', () => {
    const { problems } = parseWeekly({ 'mon-fri': '8-18', sat: '09:00-13:00,25:00-26:00' });
    expect(problems.map((p) => [p.code, p.text, p.path.join('/')])).toEqual([
      ['invalid-time', '8-18', 'weekly/mon-fri'],
      ['invalid-time', '25:00-26:00', 'weekly/sat'],
    ]);
  });

  it('reports unknown days, duplicates and overlaps', () => {
    const { problems } = parseWeekly({ 'mon-fry': '08:00-12:00', 'mon,tue': '08:00-12:00,11:00-13:00' });
    expect(problems.map((p) => p.code)).toEqual(['invalid-day', 'overlapping-shifts']);
    expect(parseWeekly({ 'mon-fri': 'closed', wed: '08:00-09:00' }).problems.map((p) => p.code)).toEqual(['duplicate-day']);
  });

  it('accepts wrapping day ranges and 24:00', () => {
    const { schedule, problems } = parseWeekly({ 'fri-mon': '00:00-24:00' });
    expect(problems).toEqual([]);
    expect([1, 5, 6, 7].map((d) => schedule[d]!.length)).toEqual([1, 1, 1, 1]);
    expect(schedule[3]).toEqual([]);
    expect(parseShifts('22:00-02:00').shifts).toEqual([{ start: 1320, end: 1560 }]);
  });

  it('checks time zone, dates and holiday places', () => {
    const problems = checkHours({
      timezone: 'Europe/Berlim',
      weekly: {},
      closed: ['2026-02-30'],
      special: { '2026-13-01': '09:00-10:00' },
      holidays: { country: 'DE', region: 'XY' },
    });
    expect(problems.map((p) => [p.code, p.text])).toEqual([
      ['invalid-timezone', 'Europe/Berlim'],
      ['invalid-date', '2026-02-30'],
      ['invalid-date', '2026-13-01'],
      ['unknown-holiday-region', 'XY'],
    ]);
    expect(checkHours({ timezone: 'UTC', weekly: {}, holidays: { country: 'QQ' } })[0]!.code).toBe('unknown-holiday-country');
    expect(checkHours(office)).toEqual([]);
  });
});

describe('hours: invariants (property)', () => {
  const hours = createHoursService();
  const defs: HoursDef[] = [
    office,
    { timezone: 'Europe/Berlin', weekly: { 'fri-sat': '20:00-02:00', sun: '10:00-12:00' } },
    { timezone: 'America/New_York', weekly: { 'mon-fri': '00:00-24:00' }, holidays: { country: 'US' } },
  ];
  // Spans both 2026 DST changes in Europe and the US.
  const instants = fc.integer({ min: Date.parse('2026-03-01T00:00:00Z'), max: Date.parse('2026-11-30T00:00:00Z') });

  it('closesAt is the first closed instant and opensAt the first open one', () => {
    fc.assert(
      fc.property(fc.constantFrom(...defs), instants, (def, at) => {
        const state = hours.evaluate('p', def, at);
        if (state.open) {
          const closes = Date.parse(state.closesAt!);
          expect(closes).toBeGreaterThan(at);
          expect(hours.evaluate('p', def, closes - 1).open).toBe(true);
          expect(hours.evaluate('p', def, closes).open).toBe(false);
        } else if (state.opensAt) {
          const opens = Date.parse(state.opensAt);
          expect(opens).toBeGreaterThan(at);
          expect(hours.evaluate('p', def, opens - 1).open).toBe(false);
          expect(hours.evaluate('p', def, opens).open).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
