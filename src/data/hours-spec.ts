/**
 * The syntax of opening hours in a flow (`hours:`), parsed and checked without I/O. The validator uses these
 * helpers to report problems as values; the hours service uses them to build its schedule.
 *
 * - Day keys: `mon-fri`, `sat`, `mon,wed`, `sun`, `mon-wed,fri` (ranges may wrap: `fri-mon`).
 * - Shifts: `08:00-12:00,13:00-17:00`, `closed`, `00:00-24:00`; a shift whose end is not after its start runs past
 *   midnight (`22:00-02:00`).
 */
import { DateTime, IANAZone } from 'luxon';
import Holidays from 'date-holidays';
import type { HoursDef } from '../flow/types.js';

/** Weekday numbers as luxon counts them: Monday = 1 … Sunday = 7. */
export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** A weekday as flows write it. */
export type DayName = (typeof DAY_NAMES)[number];

/** One opening interval of a day, in minutes after the local midnight. `end` may exceed 1440 (past midnight). */
export interface Shift {
  start: number;
  end: number;
}

/** Stable codes of problems in an hours definition (the validator reports them). */
export type HoursProblemCode =
  | 'invalid-time'
  | 'invalid-day'
  | 'duplicate-day'
  | 'overlapping-shifts'
  | 'invalid-timezone'
  | 'invalid-date'
  | 'unknown-holiday-country'
  | 'unknown-holiday-region';

/**
 * A problem in an hours definition. `path` is relative to the schedule (`['weekly', 'mon-fri']`); `text` is the
 * offending text as written, for the message.
 */
export interface HoursProblem {
  code: HoursProblemCode;
  path: string[];
  text: string;
  message: string;
}

const TIME = /^([01]?[0-9]|2[0-4]):([0-5][0-9])$/;

function parseClock(text: string): number | undefined {
  const match = TIME.exec(text.trim());
  if (!match) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes > 1440 ? undefined : minutes;
}

/**
 * Parses a shift list such as `08:00-12:00,13:00-17:00` or `closed`.
 * @example parseShifts('22:00-02:00').shifts // [{ start: 1320, end: 1560 }]
 */
export function parseShifts(text: string, path: string[] = []): { shifts: Shift[]; problems: HoursProblem[] } {
  const problems: HoursProblem[] = [];
  const shifts: Shift[] = [];
  const trimmed = String(text).trim();
  if (trimmed === 'closed') return { shifts, problems };
  for (const part of trimmed.split(',')) {
    const [from, to, extra] = part.split('-');
    const start = from === undefined ? undefined : parseClock(from);
    let end = to === undefined ? undefined : parseClock(to);
    if (start === undefined || end === undefined || extra !== undefined || start === 1440) {
      problems.push({
        code: 'invalid-time',
        path,
        text: part.trim(),
        message: `\`${part.trim()}\` is not a time range: write \`HH:MM-HH:MM\` (for example \`08:00-12:00\`), several joined by commas, or \`closed\``,
      });
      continue;
    }
    if (end <= start) end += 1440;
    shifts.push({ start, end });
  }
  shifts.sort((a, b) => a.start - b.start);
  for (let i = 1; i < shifts.length; i++) {
    if (shifts[i]!.start < shifts[i - 1]!.end) {
      problems.push({
        code: 'overlapping-shifts',
        path,
        text: trimmed,
        message: `the time ranges in \`${trimmed}\` overlap: make each range start after the previous one ends`,
      });
      break;
    }
  }
  return { shifts, problems };
}

/** Parses a day key such as `mon-fri` or `mon,wed` into weekday numbers (1 = Monday). */
export function parseDays(key: string, path: string[] = []): { days: number[]; problems: HoursProblem[] } {
  const days: number[] = [];
  const problems: HoursProblem[] = [];
  for (const part of key.split(',')) {
    const [from, to, extra] = part.trim().toLowerCase().split('-');
    const a = DAY_NAMES.indexOf(from as DayName);
    const b = to === undefined ? a : DAY_NAMES.indexOf(to as DayName);
    if (a < 0 || b < 0 || extra !== undefined) {
      problems.push({
        code: 'invalid-day',
        path,
        text: part.trim(),
        message: `\`${part.trim()}\` is not a day or day range: use \`mon\` … \`sun\`, a range like \`mon-fri\`, or a list like \`mon,wed\``,
      });
      continue;
    }
    for (let d = a; ; d = (d + 1) % 7) {
      days.push(d + 1);
      if (d === b) break;
    }
  }
  return { days, problems };
}

/** A weekly schedule: shifts per weekday (index 1 = Monday … 7 = Sunday; index 0 unused). */
export type WeeklySchedule = Shift[][];

/**
 * Parses the `weekly` map. Days not named are closed. A day named twice is a problem.
 * @example parseWeekly({ 'mon-fri': '08:00-18:00', sat: 'closed' }).schedule[1] // [{ start: 480, end: 1080 }]
 */
export function parseWeekly(weekly: Readonly<Record<string, string>>): { schedule: WeeklySchedule; problems: HoursProblem[] } {
  const schedule: WeeklySchedule = Array.from({ length: 8 }, () => []);
  const seen = new Set<number>();
  const problems: HoursProblem[] = [];
  for (const [key, value] of Object.entries(weekly)) {
    const path = ['weekly', key];
    const days = parseDays(key, path);
    const shifts = parseShifts(String(value), path);
    problems.push(...days.problems, ...shifts.problems);
    for (const day of days.days) {
      if (seen.has(day)) {
        problems.push({
          code: 'duplicate-day',
          path,
          text: key,
          message: `\`${DAY_NAMES[day - 1]}\` is named twice in \`weekly\` (again in \`${key}\`): give each day one entry`,
        });
        continue;
      }
      seen.add(day);
      schedule[day] = shifts.shifts;
    }
  }
  return { schedule, problems };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether a text is a real calendar date `YYYY-MM-DD`. */
export function isIsoDate(text: string): boolean {
  return DATE.test(text) && DateTime.fromISO(text, { zone: 'utc' }).isValid;
}

/**
 * Every problem in an hours definition: time zone, weekly, closed and special dates, holiday country and region.
 * @example checkHours({ timezone: 'Europe/Berlin', weekly: { 'mon-fri': '8-18' } })[0].code // 'invalid-time'
 */
export function checkHours(def: HoursDef): HoursProblem[] {
  const problems: HoursProblem[] = [];
  if (!IANAZone.isValidZone(def.timezone)) {
    problems.push({
      code: 'invalid-timezone',
      path: ['timezone'],
      text: def.timezone,
      message: `\`${def.timezone}\` is not a time zone: use an IANA name such as \`Europe/Berlin\` or \`America/New_York\``,
    });
  }
  problems.push(...parseWeekly(def.weekly ?? {}).problems);
  (def.closed ?? []).forEach((date, i) => {
    if (!isIsoDate(String(date))) problems.push(dateProblem(['closed', String(i)], String(date)));
  });
  for (const [date, shifts] of Object.entries(def.special ?? {})) {
    if (!isIsoDate(date)) problems.push(dateProblem(['special', date], date));
    problems.push(...parseShifts(String(shifts), ['special', date]).problems);
  }
  if (def.holidays) problems.push(...checkHolidayPlace(def.holidays));
  return problems;
}

function dateProblem(path: string[], text: string): HoursProblem {
  return { code: 'invalid-date', path, text, message: `\`${text}\` is not a date: write \`YYYY-MM-DD\`, for example \`2026-12-24\`` };
}

/**
 * Maps the flow's `country` / `region` / `state` to date-holidays' (country, state, region). Flow authors say
 * "region" for what date-holidays calls a state (German Länder, US states), so a lone `region` is a state.
 */
export function holidayPlace(h: NonNullable<HoursDef['holidays']>): { country: string; state?: string; region?: string } {
  const country = h.country.toUpperCase();
  if (h.state) return { country, state: h.state.toUpperCase(), ...(h.region ? { region: h.region.toUpperCase() } : {}) };
  return h.region ? { country, state: h.region.toUpperCase() } : { country };
}

function checkHolidayPlace(h: NonNullable<HoursDef['holidays']>): HoursProblem[] {
  const hd = new Holidays();
  const place = holidayPlace(h);
  const countries = hd.getCountries() ?? {};
  if (!(place.country in countries)) {
    return [
      {
        code: 'unknown-holiday-country',
        path: ['holidays', 'country'],
        text: h.country,
        message: `\`${h.country}\` is not a country with a holiday calendar: use an ISO 3166 code such as \`DE\`, \`FR\` or \`US\``,
      },
    ];
  }
  if (place.state) {
    const states = hd.getStates(place.country) ?? {};
    if (!(place.state in states)) {
      const field = h.state ? 'state' : 'region';
      return [
        {
          code: 'unknown-holiday-region',
          path: ['holidays', field],
          text: String(h[field]),
          message: `\`${String(h[field])}\` is not a region of \`${place.country}\`: use one of ${Object.keys(states).slice(0, 20).map((s) => `\`${s}\``).join(', ') || 'none (leave it out)'}`,
        },
      ];
    }
    if (place.region && !(place.region in (hd.getRegions(place.country, place.state) ?? {}))) {
      return [
        {
          code: 'unknown-holiday-region',
          path: ['holidays', 'region'],
          text: String(h.region),
          message: `\`${String(h.region)}\` is not a region of \`${place.country}-${place.state}\`: check the name or leave \`region\` out`,
        },
      ];
    }
  }
  return [];
}
