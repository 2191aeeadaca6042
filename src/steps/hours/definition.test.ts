import { describe, expect, it } from 'vitest';
import { definition } from './definition.js';
import { problems } from '../../flow/mini-flow.js';

describe('hours definition', () => {
  it('has open, closed and holiday edges', () => {
    expect(definition.edges({ hours: 'office', open: 'a', closed: 'b', holiday: 'c' }).map((e) => e.label)).toEqual(['open', 'closed', 'holiday']);
  });

  it('checks the schedule name', () => {
    expect(problems({ main: { hours: 'offce', open: 'bye', closed: 'bye' } })).toEqual(['unknown-schedule /steps/main/hours']);
  });

  it('checks the schedule itself: zone, days, times, dates and holiday calendar', () => {
    const hours = {
      office: {
        timezone: 'Mars/Olympus',
        weekly: { 'mon-fry': '08:00-18:00', sat: '13:00-25:00', sun: 'closed' },
        closed: ['2026-02-30'],
        special: { '2026-12-31': '09:00-12:00' },
        holidays: { country: 'DE', region: 'XX' },
      },
    };
    expect(problems({ main: { hours: 'office', open: 'bye', closed: 'bye' } }, { hours })).toEqual([
      'invalid-date /hours/office/closed/0',
      'invalid-day /hours/office/weekly/mon-fry',
      'invalid-holiday-country /hours/office/holidays/region',
      'invalid-time /hours/office/weekly/sat',
      'invalid-timezone /hours/office/timezone',
    ]);
  });
});
