/**
 * Checks of opening-hours schedules: time zones, day ranges, time ranges, dates and holiday calendars.
 */
import { createRequire } from 'node:module';
import { DateTime, IANAZone } from 'luxon';
import { pointer } from '../diagnostics.js';
import type { HoursDef } from '../types.js';
import type { FlowContext } from './context.js';
import { entries, isMap } from './damage.js';
import { parseDays, parseShifts } from '../../data/hours-spec.js';

function isDate(value: unknown): boolean {
  return typeof value === 'string' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value) && DateTime.fromISO(value).isValid;
}

type HolidaysCtor = new () => { getCountries(): Record<string, string>; getStates(c: string): Record<string, string> | undefined; getRegions(c: string, s: string): Record<string, string> | undefined };
let Holidays: HolidaysCtor | undefined;

function holidaysLib(): InstanceType<HolidaysCtor> {
  // Loaded only when a flow names a holiday calendar: the data is large and most validations need none.
  Holidays ??= createRequire(import.meta.url)('date-holidays') as HolidaysCtor;
  return new Holidays();
}

function checkHolidays(ctx: FlowContext, name: string, holidays: NonNullable<HoursDef['holidays']>): void {
  if (typeof holidays.country !== 'string') return;
  const lib = holidaysLib();
  const at = pointer('hours', name, 'holidays');
  const country = holidays.country.toUpperCase();
  if (!(country in lib.getCountries())) {
    ctx.report({ code: 'invalid-holiday-country', pointer: `${at}/country`, message: `\`${holidays.country}\` is not a country the holiday calendar knows; use a code such as \`DE\` or \`US\`.` });
    return;
  }
  const region = holidays.region ?? holidays.state;
  if (typeof region !== 'string') return;
  const states = lib.getStates(country) ?? {};
  const known = Object.keys(states).includes(region.toUpperCase()) || Object.keys(states).some((s) => region.toUpperCase() in (lib.getRegions(country, s) ?? {}));
  if (!known) {
    const list = Object.keys(states).slice(0, 20).map((s) => `\`${s}\``).join(', ');
    ctx.report({
      code: 'invalid-holiday-country',
      pointer: `${at}/${holidays.region !== undefined ? 'region' : 'state'}`,
      message: `\`${region}\` is not a region of \`${country}\` in the holiday calendar${list ? `; known: ${list}` : ''}.`,
    });
  }
}

/**
 * Time ranges are read by the same parser the hours service runs on, so the validator accepts exactly what runs:
 * split shifts, and shifts past midnight (`22:00-02:00`). Overlapping ranges are an `invalid-time` too.
 */
function reportShifts(ctx: FlowContext, at: string, times: string): void {
  const problem = parseShifts(times).problems[0];
  if (problem) ctx.report({ code: 'invalid-time', pointer: at, message: sentence(problem.message) });
}

function sentence(message: string): string {
  return message.endsWith('.') ? message : `${message}.`;
}

/** Checks every schedule in `hours`. */
export function checkHours(ctx: FlowContext): void {
  for (const [name, value] of entries(ctx.flow.hours)) {
    if (!isMap(value)) continue;
    const def = value as unknown as HoursDef;
    const at = (...rest: string[]) => pointer('hours', name, ...rest);
    if (typeof def.timezone === 'string' && !IANAZone.isValidZone(def.timezone)) {
      ctx.report({ code: 'invalid-timezone', pointer: at('timezone'), message: `\`${def.timezone}\` is not a time zone: use an IANA name such as \`Europe/Berlin\`.` });
    }
    for (const [days, times] of entries(def.weekly)) {
      const dayProblem = parseDays(days).problems[0];
      if (dayProblem) ctx.report({ code: 'invalid-day', pointer: at('weekly', days), atKey: true, message: sentence(dayProblem.message) });
      if (typeof times === 'string') reportShifts(ctx, at('weekly', days), times);
    }
    (Array.isArray(def.closed) ? def.closed : []).forEach((date, i) => {
      if (!isDate(date)) ctx.report({ code: 'invalid-date', pointer: at('closed', String(i)), message: `\`${String(date)}\` is not a date: write \`YYYY-MM-DD\`.` });
    });
    for (const [date, times] of entries(def.special)) {
      if (!isDate(date)) ctx.report({ code: 'invalid-date', pointer: at('special', date), atKey: true, message: `\`${date}\` is not a date: write \`YYYY-MM-DD\`.` });
      if (typeof times === 'string') reportShifts(ctx, at('special', date), times);
    }
    if (isMap(def.holidays)) checkHolidays(ctx, name, def.holidays);
  }
}
