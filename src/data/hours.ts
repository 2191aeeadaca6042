/**
 * The hours service: is a schedule open at an instant, when does it close or open again, and why.
 *
 * Precedence for a local date: an admin override (for the schedule's name) beats everything; then an explicit
 * `closed` date; then `special` hours for that date; then a public holiday; then the weekly schedule. A shift that
 * runs past midnight belongs to the day it starts on, so Friday's `22:00-02:00` still runs into a Saturday holiday.
 * All calendar arithmetic happens in the schedule's own time zone (luxon), so DST days are 23 or 25 hours long.
 */
import { DateTime } from 'luxon';
import Holidays from 'date-holidays';
import type { HoursDef } from '../flow/types.js';
import type { HoursService, HoursState } from '../runtime/services.js';
import { holidayPlace, parseShifts, parseWeekly, type Shift, type WeeklySchedule } from './hours-spec.js';
import { createMemoryOverrides, type HoursOverrideSource } from './hours-overrides.js';

export { parseWeekly, parseShifts, parseDays, checkHours, type HoursProblem } from './hours-spec.js';
export { createMemoryOverrides, type HoursOverride, type HoursOverrideSource, type HoursOverrideStore } from './hours-overrides.js';

/** How far ahead `opensAt` is searched. */
const LOOKAHEAD_DAYS = 14;
const DEFAULT_HOLIDAY_TYPES = ['public'];

interface CompiledHours {
  weekly: WeeklySchedule;
  closed: Set<string>;
  special: Map<string, Shift[]>;
  holidays?: HolidayCalendar;
  /** Opening intervals by the local date they were computed from: every call on the same day reuses them. */
  windows: Map<string, Interval[]>;
}

/** How many days of interval windows a schedule keeps. */
const WINDOW_CACHE_DAYS = 8;

interface DayPlan {
  shifts: Shift[];
  /** Why the day is closed although the weekly schedule says open (holiday name or explicit closed date). */
  holiday?: string;
}

/** Languages holiday names are kept in besides English (the languages `src/say` speaks). */
const NAME_LANGUAGES = ['de', 'fr'] as const;
/** English holiday name → its name in other languages, filled as calendars are computed. */
const translations = new Map<string, Partial<Record<string, string>>>();

/**
 * A holiday's name in a language, from the calendars computed so far; the English name when unknown.
 * @example holidayName('Christmas Day', 'de') // '1. Weihnachtstag' (once a German calendar was used)
 */
export function holidayName(english: string, lang: string): string {
  const base = lang.toLowerCase().split(/[-_]/)[0]!;
  return translations.get(english)?.[base] ?? english;
}

/** Public holidays of one place, by local date, with English names. Years are computed once and kept. */
class HolidayCalendar {
  private readonly hd: Holidays;
  private readonly years = new Map<number, Map<string, string>>();

  constructor(
    spec: NonNullable<HoursDef['holidays']>,
    private readonly types: readonly string[],
  ) {
    const place = holidayPlace(spec);
    this.hd = new Holidays(place.country, place.state ?? '', place.region ?? '', { languages: ['en'] });
  }

  nameOn(isoDate: string): string | undefined {
    const year = Number(isoDate.slice(0, 4));
    let days = this.years.get(year);
    if (!days) {
      days = new Map();
      for (const h of this.hd.getHolidays(year, 'en') ?? []) {
        if (!this.types.includes(h.type)) continue;
        const date = h.date.slice(0, 10);
        if (!days.has(date)) days.set(date, h.name);
      }
      for (const lang of NAME_LANGUAGES) {
        for (const h of this.hd.getHolidays(year, lang) ?? []) {
          const english = days.get(h.date.slice(0, 10));
          if (!english || !this.types.includes(h.type)) continue;
          const names = translations.get(english) ?? {};
          names[lang] ??= h.name;
          translations.set(english, names);
        }
      }
      this.years.set(year, days);
    }
    return days.get(isoDate);
  }
}

/** An opening interval in epoch milliseconds. */
interface Interval {
  start: number;
  end: number;
}

function compile(def: HoursDef): CompiledHours {
  const special = new Map<string, Shift[]>();
  for (const [date, text] of Object.entries(def.special ?? {})) special.set(date, parseShifts(String(text)).shifts);
  return {
    weekly: parseWeekly(def.weekly ?? {}).schedule,
    closed: new Set((def.closed ?? []).map(String)),
    special,
    windows: new Map(),
    ...(def.holidays ? { holidays: new HolidayCalendar(def.holidays, def.holidays.types ?? DEFAULT_HOLIDAY_TYPES) } : {}),
  };
}

function planFor(hours: CompiledHours, day: DateTime): DayPlan {
  const iso = day.toISODate()!;
  if (hours.closed.has(iso)) return { shifts: [], holiday: 'closed' };
  const special = hours.special.get(iso);
  if (special) return { shifts: special };
  const holiday = hours.holidays?.nameOn(iso);
  if (holiday) return { shifts: [], holiday };
  return { shifts: hours.weekly[day.weekday] ?? [] };
}

/** The instant `minutes` after the local midnight of `day` (minutes may pass into the next day). */
function instant(day: DateTime, minutes: number): number {
  const d = day.plus({ days: Math.floor(minutes / 1440) });
  const m = minutes % 1440;
  return d.set({ hour: Math.floor(m / 60), minute: m % 60, second: 0, millisecond: 0 }).toMillis();
}

/** Opening intervals around `from` (computed once per local date and kept). */
function intervals(hours: CompiledHours, from: DateTime): Interval[] {
  const day = from.toISODate()!;
  let list = hours.windows.get(day);
  if (!list) {
    list = computeIntervals(hours, from);
    if (hours.windows.size >= WINDOW_CACHE_DAYS) hours.windows.delete(hours.windows.keys().next().value!);
    hours.windows.set(day, list);
  }
  return list;
}

/** Opening intervals from the day before `from` to LOOKAHEAD_DAYS after it, merged where they touch. */
function computeIntervals(hours: CompiledHours, from: DateTime): Interval[] {
  const list: Interval[] = [];
  const first = from.startOf('day').minus({ days: 1 });
  for (let i = 0; i <= LOOKAHEAD_DAYS + 1; i++) {
    const day = first.plus({ days: i });
    for (const shift of planFor(hours, day).shifts) list.push({ start: instant(day, shift.start), end: instant(day, shift.end) });
  }
  list.sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const iv of list) {
    const last = merged[merged.length - 1];
    if (last && iv.start <= last.end) last.end = Math.max(last.end, iv.end);
    else merged.push({ ...iv });
  }
  return merged;
}

function iso(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true })!;
}

/**
 * Creates the hours service. Overrides come from `overrides` (the SQLite store in production); by default an
 * in-memory source with no overrides.
 *
 * @example
 *   const hours = createHoursService();
 *   hours.evaluate('office', { timezone: 'Europe/Berlin', weekly: { 'mon-fri': '08:00-18:00' } }, Date.parse('2026-12-07T10:00:00+01:00'));
 *   // { open: true, closesAt: '2026-12-07T18:00:00+01:00' }
 */
export function createHoursService(overrides: HoursOverrideSource = createMemoryOverrides()): HoursService {
  const cache = new WeakMap<HoursDef, CompiledHours>();
  const compiled = (def: HoursDef): CompiledHours => {
    let c = cache.get(def);
    if (!c) {
      c = compile(def);
      cache.set(def, c);
    }
    return c;
  };

  return {
    evaluate(name: string, def: HoursDef, at: number): HoursState {
      const zone = def.timezone;
      const hours = compiled(def);
      const now = DateTime.fromMillis(at, { zone });
      const list = intervals(hours, now);
      const override = overrides.get(name, at);
      if (override) {
        const until = override.until;
        const info = { reason: override.reason, ...(until !== undefined ? { until: iso(until, zone) } : {}) };
        if (override.state === 'open') return { open: true, override: info, ...(until !== undefined ? { closesAt: iso(until, zone) } : {}) };
        const state: HoursState = { open: false, override: info };
        if (until !== undefined) {
          const during = list.find((iv) => iv.start <= until && until < iv.end);
          const next = during ? until : list.find((iv) => iv.start >= until)?.start;
          if (next !== undefined) state.opensAt = iso(next, zone);
        }
        return state;
      }
      const current = list.find((iv) => iv.start <= at && at < iv.end);
      if (current) return { open: true, closesAt: iso(current.end, zone) };
      const state: HoursState = { open: false };
      const holiday = planFor(hours, now.startOf('day')).holiday;
      if (holiday) state.holiday = holiday;
      const next = list.find((iv) => iv.start > at);
      if (next) state.opensAt = iso(next.start, zone);
      return state;
    },
  };
}
