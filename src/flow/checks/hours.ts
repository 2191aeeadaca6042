/**
 * Checks of opening-hours schedules: time zones, day ranges, time ranges, dates and holiday calendars.
 */
import { createRequire } from 'node:module';
import { DateTime, IANAZone } from 'luxon';
import { pointer } from '../diagnostics.js';
import type { HoursDef } from '../types.js';
import type { FlowContext } from './context.js';
import { entries, isMap } from './damage.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Whether a weekly key is a day spec: `mon`, `mon-fri`, `mon,wed,fri-sun`. */
export function isDaySpec(spec: string): boolean {
  return spec.split(',').every((part) => {
    const [from, to, extra] = part.trim().toLowerCase().split('-');
    return extra === undefined && DAYS.includes(from!) && (to === undefined || DAYS.includes(to));
  });
}

function minutes(time: string): number | undefined {
  const m = /^([01][0-9]|2[0-4]):([0-5][0-9])$/.exec(time.trim());
  if (!m) return undefined;
  const total = Number(m[1]) * 60 + Number(m[2]);
  return total <= 24 * 60 ? total : undefined;
}

/** Whether a value is `closed` or comma-separated `HH:MM-HH:MM` ranges, each ending after it starts. */
export function isTimeRanges(value: string): boolean {
  if (value.trim() === 'closed') return true;
  return value.split(',').every((range) => {
    const [from, to, extra] = range.split('-');
    if (extra !== undefined || from === undefined || to === undefined) return false;
    const a = minutes(from);
    const b = minutes(to);
    return a !== undefined && b !== undefined && a < b;
  });
}

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
      if (!isDaySpec(days)) ctx.report({ code: 'invalid-day', pointer: at('weekly', days), atKey: true, message: `\`${days}\` is not a day or day range: write \`mon-fri\`, \`sat\` or \`mon,wed\`.` });
      if (typeof times === 'string' && !isTimeRanges(times)) ctx.report({ code: 'invalid-time', pointer: at('weekly', days), message: `\`${times}\` is not a list of times: write \`08:00-12:00,13:00-17:00\` or \`closed\`.` });
    }
    (Array.isArray(def.closed) ? def.closed : []).forEach((date, i) => {
      if (!isDate(date)) ctx.report({ code: 'invalid-date', pointer: at('closed', String(i)), message: `\`${String(date)}\` is not a date: write \`YYYY-MM-DD\`.` });
    });
    for (const [date, times] of entries(def.special)) {
      if (!isDate(date)) ctx.report({ code: 'invalid-date', pointer: at('special', date), atKey: true, message: `\`${date}\` is not a date: write \`YYYY-MM-DD\`.` });
      if (typeof times === 'string' && !isTimeRanges(times)) ctx.report({ code: 'invalid-time', pointer: at('special', date), message: `\`${times}\` is not a list of times: write \`09:00-12:00\` or \`closed\`.` });
    }
    if (isMap(def.holidays)) checkHolidays(ctx, name, def.holidays);
  }
}
