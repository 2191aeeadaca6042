import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mediaText, sayHoldTime, sayOpening, sayValue, toMinorUnits } from '../../src/say/index.js';
import { createHoursService } from '../../src/data/hours.js';
import type { Media } from '../../src/telephony/port.js';

const money = (value: unknown, currency: string, lang = 'en') => mediaText(sayValue({ kind: 'money', value, currency }, lang));
const names = (items: Media[]) => items.map((m) => ('name' in m ? m.name : `${m.kind}:${'value' in m ? m.value : ''}`));

describe('say: money', () => {
  it('says euros and cents, with the right sounds', () => {
    const items = sayValue({ kind: 'money', value: 42.5, currency: 'EUR' }, 'en');
    expect(mediaText(items)).toBe('42 euros and 50 cents');
    expect(names(items)).toEqual(['number:42', 'touchtone/euros', 'and', 'number:50', 'cents']);
    expect(items.every((m) => typeof m.text === 'string' && m.text.length > 0)).toBe(true);
  });

  it('handles singular, zero, cents only and negative balances', () => {
    expect(money(1, 'EUR')).toBe('1 euro');
    expect(money('1.01', 'EUR')).toBe('1 euro and 1 cent');
    expect(money(0, 'EUR')).toBe('0 euros');
    expect(money('0.50', 'EUR')).toBe('50 cents');
    expect(money(-12.3, 'EUR')).toBe('minus 12 euros and 30 cents');
    expect(money('-0.00', 'USD')).toBe('0 dollars');
  });

  it('knows dollars and pounds', () => {
    expect(money(3.99, 'USD')).toBe('3 dollars and 99 cents');
    expect(names(sayValue({ kind: 'money', value: 3, currency: 'USD' }, 'en'))).toEqual(['number:3', 'digits/dollars']);
    expect(money(2.01, 'GBP')).toBe('2 pounds and 1 penny');
    expect(money(1.5, 'gbp')).toBe('1 pound and 50 pence');
  });

  it('speaks German and French, with the article form of one', () => {
    expect(money(42.5, 'EUR', 'de')).toBe('42 Euro und 50 Cent');
    expect(money(1, 'EUR', 'de-AT')).toBe('ein Euro');
    expect(names(sayValue({ kind: 'money', value: 1, currency: 'EUR' }, 'de'))).toEqual(['touchtone/one-m', 'touchtone/euro']);
    expect(money(21.01, 'EUR', 'fr')).toBe('21 euros et un centime');
    expect(money(1, 'GBP', 'fr')).toBe('une livre');
  });

  it('falls back to English for other languages and spells unknown currencies', () => {
    expect(money(2, 'EUR', 'nl')).toBe('2 euros');
    expect(money(2.5, 'JPY')).toBe('2 point 5 J P Y');
  });

  it('rounds to the cent, half away from zero', () => {
    expect(toMinorUnits('10.005')).toBe(1001n);
    expect(toMinorUnits(-10.004)).toBe(-1000n);
    expect(toMinorUnits('abc')).toBeUndefined();
    expect(toMinorUnits('42,5')).toBe(4250n);
    expect(toMinorUnits('1,234')).toBeUndefined();
    expect(sayValue({ kind: 'money', value: undefined }, 'en')).toEqual([]);
  });

  it('always says the amount back exactly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), (cents) => {
        const value = (cents / 100).toFixed(2);
        const nums = sayValue({ kind: 'money', value, currency: 'EUR' }, 'en').filter((m) => m.kind === 'number');
        const major = Math.trunc(Math.abs(cents) / 100);
        const minor = Math.abs(cents) % 100;
        const expected = [major > 0 || minor === 0 ? String(major) : undefined, minor > 0 ? String(minor) : undefined].filter(Boolean);
        expect(nums.map((m) => ('value' in m ? m.value : ''))).toEqual(expected);
      }),
    );
  });
});

describe('say: numbers, digits, characters', () => {
  it('says integers and decimals', () => {
    expect(sayValue({ kind: 'number', value: 1234 }, 'en')).toEqual([{ kind: 'number', value: '1234', text: '1234' }]);
    expect(mediaText(sayValue({ kind: 'number', value: '-3.50' }, 'en'))).toBe('minus 3 point 5');
    expect(sayValue({ kind: 'number', value: '' }, 'en')).toEqual([]);
  });

  it('says digits and characters one by one, dropping anything else', () => {
    expect(sayValue({ kind: 'digits', value: '12 34#' }, 'en')).toEqual([{ kind: 'digits', value: '1234#', text: '1 2 3 4 #' }]);
    expect(sayValue({ kind: 'characters', value: 'AB-12' }, 'fr')).toEqual([{ kind: 'characters', value: 'AB12', text: 'A B 1 2' }]);
  });
});

describe('say: dates and times', () => {
  it('says a date with Asterisk day, month and ordinal sounds', () => {
    const items = sayValue({ kind: 'date', value: '2026-12-07' }, 'en', 'Europe/Berlin');
    expect(mediaText(items)).toBe('Monday December 7th');
    expect(names(items)).toEqual(['digits/day-1', 'digits/mon-11', 'digits/h-7']);
    expect(mediaText(sayValue({ kind: 'date', value: '2026-11-01' }, 'de'))).toBe('Sonntag 1. November');
    expect(mediaText(sayValue({ kind: 'date', value: '2026-11-01' }, 'fr'))).toBe('dimanche 1er novembre');
    expect(mediaText(sayValue({ kind: 'date', value: '2026-11-22' }, 'fr'))).toBe('dimanche 22 novembre');
  });

  it('shows an instant in the given time zone', () => {
    expect(mediaText(sayValue({ kind: 'date', value: '2026-12-07T23:30:00Z' }, 'en', 'Europe/Berlin'))).toBe('Tuesday December 8th');
    expect(mediaText(sayValue({ kind: 'time', value: Date.parse('2026-07-01T16:05:00Z') }, 'en', 'Europe/Berlin'))).toBe('6 oh 5 PM');
  });

  it('says times the way each language does', () => {
    expect(mediaText(sayValue({ kind: 'time', value: '09:00' }, 'en'))).toBe('9 AM');
    expect(mediaText(sayValue({ kind: 'time', value: '00:30' }, 'en'))).toBe('12 30 AM');
    expect(mediaText(sayValue({ kind: 'time', value: '18:30' }, 'de'))).toBe('18 Uhr 30');
    expect(mediaText(sayValue({ kind: 'time', value: '18:00' }, 'fr'))).toBe('18 heures');
    expect(sayValue({ kind: 'time', value: 'noon' }, 'en')).toEqual([]);
  });
});

describe('say: opening hours', () => {
  const now = Date.parse('2026-12-07T10:00:00+01:00'); // a Monday
  const tz = 'Europe/Berlin';

  it('says until when it is open', () => {
    expect(mediaText(sayOpening({ open: true, closesAt: '2026-12-07T18:00:00+01:00' }, 'en', tz, now))).toBe('We are open until 6 PM');
    expect(mediaText(sayOpening({ open: true, closesAt: '2026-12-07T18:00:00+01:00' }, 'de', tz, now))).toBe('Wir haben geöffnet bis 18 Uhr');
    expect(mediaText(sayOpening({ open: true, closesAt: '2026-12-08T02:00:00+01:00' }, 'en', tz, now))).toBe('We are open until tomorrow at 2 AM');
    expect(mediaText(sayOpening({ open: true, override: { reason: 'sale' } }, 'en', tz, now))).toBe('We are open.');
    expect(mediaText(sayOpening({ open: true, closesAt: '2026-12-10T18:00:00+01:00' }, 'en', tz, now))).toBe('We are open until Thursday at 6 PM');
  });

  it('says when it opens again', () => {
    expect(mediaText(sayOpening({ open: false, opensAt: '2026-12-07T13:00:00+01:00' }, 'en', tz, now))).toBe('We are closed now. We open again today at 1 PM');
    const saturday = Date.parse('2026-12-05T19:00:00+01:00');
    const items = sayOpening({ open: false, opensAt: '2026-12-07T09:00:00+01:00' }, 'en', tz, saturday);
    expect(mediaText(items)).toBe('We are closed now. We open again on Monday at 9 AM');
    expect(names(items)).toEqual(['touchtone/we-are-closed-now', 'touchtone/we-open-again', 'touchtone/on', 'digits/day-1', 'digits/at', 'number:9', 'digits/a-m']);
    expect(mediaText(sayOpening({ open: false, opensAt: '2026-12-07T09:00:00+01:00' }, 'fr', tz, saturday))).toBe('Nous sommes fermés pour le moment. Nous rouvrons lundi à 9 heures');
  });

  it('names the holiday and gives a date for far openings', () => {
    const christmas = Date.parse('2026-12-25T10:00:00+01:00');
    const state = { open: false, holiday: 'Christmas Day', opensAt: '2027-01-04T08:00:00+01:00' };
    expect(mediaText(sayOpening(state, 'en', tz, christmas))).toBe('We are closed today for Christmas Day. We open again on Monday January 4th at 8 AM');
    expect(mediaText(sayOpening({ open: false, holiday: 'closed' }, 'de', tz, christmas))).toBe('Wir haben heute geschlossen.');
    // Names come in the call's language once a calendar of that place was computed.
    createHoursService().evaluate('o', { timezone: tz, weekly: {}, holidays: { country: 'DE', region: 'BE' } }, christmas);
    expect(mediaText(sayOpening(state, 'de', tz, christmas))).toMatch(/^Wir haben heute geschlossen: 1\. Weihnachtstag\./);
    expect(mediaText(sayOpening(state, 'fr', tz, christmas))).toMatch(/^Nous sommes fermés aujourd'hui : Noël\./);
    expect(mediaText(sayOpening({ open: false, override: { reason: 'storm' }, opensAt: '2026-12-26T08:00:00+01:00' }, 'en', tz, christmas))).toBe(
      'We are closed today. We open again tomorrow at 8 AM',
    );
  });
});

describe('say: estimated hold time', () => {
  it('speaks whole minutes (at least one) in the call\'s language, with Asterisk\'s queue sounds', () => {
    expect(mediaText(sayHoldTime(180, 'en'))).toBe('The estimated hold time is 3 minutes');
    expect(mediaText(sayHoldTime(20, 'en'))).toBe('The estimated hold time is 1 minute');
    expect(names(sayHoldTime(20, 'en'))).toEqual(['queue-holdtime', 'number:1', 'queue-minute']);
    expect(names(sayHoldTime(150, 'de-AT'))).toEqual(['queue-holdtime', 'number:3', 'queue-minutes']);
    expect(mediaText(sayHoldTime(150, 'de-AT'))).toBe('Die voraussichtliche Wartezeit beträgt 3 Minuten');
    expect(mediaText(sayHoldTime(60, 'fr'))).toBe("Le temps d'attente estimé est de 1 minute");
    expect(mediaText(sayHoldTime(0, 'xx'))).toBe('The estimated hold time is 1 minute');
  });
});
