/**
 * Speech of values: numbers, digits, characters, money, dates and times, and the opening state of a schedule, as
 * `Media` sequences that Asterisk can play and the simulator can show.
 *
 * Asterisk's ARI `number:` says an integer in the channel's language, and nothing more: no decimals, no currency,
 * and in some languages the wrong form for "one" before a noun (German `eins` instead of `ein Euro`). So money is a
 * sequence: `number:42`, a currency sound, "and", `number:50`, a sub-unit sound; and "one" before a unit is a sound
 * of its own. Every item carries `text`, so "Your balance is 42 euros and 50 cents" reads right in the simulator.
 */
import { DateTime } from 'luxon';
import type { Media } from '../telephony/port.js';
import type { HoursState } from '../runtime/services.js';
import { CURRENCY_SOUNDS, PHRASE_SOUNDS, WORDS, sayLanguage, sound, type SayLanguage } from './words.js';
import { holidayName } from '../data/hours.js';
import { isDigit } from '../flow/types.js';

export { sayLanguage, type SayLanguage } from './words.js';

/** The kinds of value Touchtone speaks. */
export type SayKind = 'number' | 'digits' | 'characters' | 'money' | 'date' | 'time';

/** A value to speak. */
export interface SayItem {
  kind: SayKind;
  value: unknown;
  /** ISO 4217 code for `money`; default `EUR`. */
  currency?: string;
}

const NUMBER = /^\s*([+-])?(\d+)(?:\.(\d+))?\s*$/;
/** `42,50` as written in German or French data; three digits after a comma could be thousands, so not those. */
const DECIMAL_COMMA = /^\s*[+-]?\d+,\d{1,2}\s*$/;

/** The text of a value, accepting numbers and numeric strings only. */
function numericText(value: unknown): RegExpExecArray | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return NUMBER.exec(value.toFixed(Number.isInteger(value) ? 0 : 6)) ?? undefined;
  if (typeof value === 'string') return NUMBER.exec(DECIMAL_COMMA.test(value) ? value.replace(',', '.') : value) ?? undefined;
  return undefined;
}

function integer(n: number | bigint | string): Media {
  const value = String(n);
  return { kind: 'number', value, text: value };
}

function sayNumber(value: unknown, lang: SayLanguage): Media[] {
  const match = numericText(value);
  if (!match) return sayCharacters(value);
  const words = WORDS[lang];
  const out: Media[] = [];
  if (match[1] === '-' && /[1-9]/.test(match[2]! + (match[3] ?? ''))) out.push(sound('digits/minus', words.minus));
  out.push(integer(BigInt(match[2]!)));
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction) out.push(sound('touchtone/point', words.point), { kind: 'digits', value: fraction, text: fraction.split('').join(' ') });
  return out;
}

function sayDigits(value: unknown): Media[] {
  const digits = [...String(value ?? '')].filter(isDigit).join('');
  return digits ? [{ kind: 'digits', value: digits, text: digits.split('').join(' ') }] : [];
}

function sayCharacters(value: unknown): Media[] {
  const chars = String(value ?? '').replace(/[^A-Za-z0-9*#]/g, '');
  return chars ? [{ kind: 'characters', value: chars, text: chars.split('').join(' ') }] : [];
}

/** Amount in minor units (cents), rounded half away from zero, from a number or numeric string. */
export function toMinorUnits(value: unknown): bigint | undefined {
  const match = numericText(value);
  if (!match) return undefined;
  const fraction = (match[3] ?? '').padEnd(3, '0');
  let cents = BigInt(match[2]!) * 100n + BigInt(fraction.slice(0, 2));
  if (Number(fraction[2]) >= 5) cents += 1n;
  return match[1] === '-' ? -cents : cents;
}

function unitCount(amount: bigint, one: Media, lang: SayLanguage): Media[] {
  return amount === 1n && lang !== 'en' ? [one] : [integer(amount)];
}

function sayMoney(value: unknown, currencyCode: string | undefined, lang: SayLanguage): Media[] {
  const minor = toMinorUnits(value);
  if (minor === undefined) return [];
  const code = (currencyCode ?? 'EUR').toUpperCase();
  const words = WORDS[lang];
  const names = words.currencies[code];
  const sounds = CURRENCY_SOUNDS[code];
  const abs = minor < 0n ? -minor : minor;
  const major = abs / 100n;
  const cents = abs % 100n;
  const out: Media[] = minor < 0n ? [sound('digits/minus', words.minus)] : [];
  if (!names || !sounds) {
    // Unknown currency: say the amount and spell the code ("12 point 5 C H F").
    return [...out, ...sayNumber(`${major}.${String(cents).padStart(2, '0')}`, lang), ...sayCharacters(code)];
  }
  const oneMajor = sound(names.feminine ? 'touchtone/one-f' : 'touchtone/one-m', names.feminine ? words.one.f : words.one.m);
  const oneMinor = sound('touchtone/one-m', words.one.m);
  const form = (n: bigint) => (n === 1n ? 0 : 1);
  if (major > 0n || cents === 0n) {
    out.push(...unitCount(major, oneMajor, lang), sound(sounds.majorSound[form(major)], names.major[form(major)]));
  }
  if (cents > 0n) {
    if (major > 0n) out.push(sound('and', words.and));
    out.push(...unitCount(cents, oneMinor, lang), sound(sounds.minorSound[form(cents)], names.minor[form(cents)]));
  }
  return out;
}

/** Reads an instant or a local date/time from a value: epoch ms, ISO date-time, `YYYY-MM-DD` or `HH:MM`. */
function toDateTime(value: unknown, tz: string): DateTime | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return DateTime.fromMillis(value, { zone: tz });
  if (value instanceof Date) return DateTime.fromJSDate(value, { zone: tz });
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const clock = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (clock) {
    const dt = DateTime.fromObject({ hour: Number(clock[1]), minute: Number(clock[2]) }, { zone: tz });
    return dt.isValid ? dt : undefined;
  }
  // A bare date is a local calendar date; a date-time with an offset is an instant shown in `tz`.
  const dt = DateTime.fromISO(text, { zone: tz, setZone: false });
  return dt.isValid ? dt.setZone(tz) : undefined;
}

function weekday(dt: DateTime, lang: SayLanguage): Media {
  const index = dt.weekday % 7; // Asterisk counts Sunday as day-0.
  return sound(`digits/day-${index}`, WORDS[lang].days[index]!);
}

function sayDate(dt: DateTime, lang: SayLanguage): Media[] {
  const words = WORDS[lang];
  const month = sound(`digits/mon-${dt.month - 1}`, words.months[dt.month - 1]!);
  const ordinal = sound(`digits/h-${dt.day}`, words.ordinal(dt.day));
  if (lang === 'en') return [weekday(dt, lang), month, ordinal];
  if (lang === 'de') return [weekday(dt, lang), ordinal, month];
  // French says cardinal days ("lundi 7 décembre"), except "le premier".
  return [weekday(dt, lang), dt.day === 1 ? ordinal : integer(dt.day), month];
}

function sayTime(dt: DateTime, lang: SayLanguage): Media[] {
  const out: Media[] = [];
  if (lang === 'en') {
    // Asterisk's English clock: "six", "six oh five", "six thirty", then "a m" / "p m".
    out.push(integer(dt.hour % 12 === 0 ? 12 : dt.hour % 12));
    if (dt.minute > 0 && dt.minute < 10) out.push(sound('digits/oh', 'oh'));
    if (dt.minute > 0) out.push(integer(dt.minute));
    out.push(sound(dt.hour < 12 ? 'digits/a-m' : 'digits/p-m', dt.hour < 12 ? 'AM' : 'PM'));
  } else {
    // German and French: "18 Uhr 30" / "18 heures 30"; `digits/oclock` says "Uhr" / "heures" in those languages.
    out.push(integer(dt.hour), sound('digits/oclock', lang === 'de' ? 'Uhr' : dt.hour > 1 ? 'heures' : 'heure'));
    if (dt.minute > 0) out.push(integer(dt.minute));
  }
  return out;
}

/**
 * Speaks a value as media items for a language (`en`, `de`, `fr`; others fall back to English).
 * Values that cannot be spoken as their kind give an empty list, so a missing variable plays nothing.
 *
 * @example sayValue({ kind: 'money', value: 42.5, currency: 'EUR' }, 'en')
 *   // number 42 "42", touchtone/euros "euros", and "and", number 50 "50", cents "cents"
 */
export function sayValue(item: SayItem, lang: string, tz = 'UTC'): Media[] {
  const language = sayLanguage(lang);
  switch (item.kind) {
    case 'number':
      return item.value === undefined || item.value === null || item.value === '' ? [] : sayNumber(item.value, language);
    case 'digits':
      return sayDigits(item.value);
    case 'characters':
      return sayCharacters(item.value);
    case 'money':
      return sayMoney(item.value, item.currency, language);
    case 'date': {
      const dt = toDateTime(item.value, tz);
      return dt ? sayDate(dt, language) : [];
    }
    case 'time': {
      const dt = toDateTime(item.value, tz);
      return dt ? sayTime(dt, language) : [];
    }
  }
}

/** The text of media items joined as one sentence (what the simulator shows). */
export function mediaText(items: readonly Media[]): string {
  return items
    .map((m) => m.text ?? '')
    .filter(Boolean)
    .join(' ')
    .replace(/\s+([.,])/g, '$1');
}

/** "today", "tomorrow", "on Monday" or "on Monday, December 28th", then "at 9 AM". */
function sayWhen(at: DateTime, now: DateTime, lang: SayLanguage, withDay: boolean): Media[] {
  const p = WORDS[lang].phrases;
  const out: Media[] = [];
  const days = Math.round(at.startOf('day').diff(now.startOf('day'), 'days').days);
  if (withDay || days !== 0) {
    if (days === 0) out.push(sound(PHRASE_SOUNDS.today, p.today));
    else if (days === 1) out.push(sound(PHRASE_SOUNDS.tomorrow, p.tomorrow));
    else {
      if (p.on) out.push(sound(PHRASE_SOUNDS.on, p.on));
      out.push(...(days < 7 ? [weekday(at, lang)] : sayDate(at, lang)));
    }
  }
  out.push(sound(PHRASE_SOUNDS.at, p.at), ...sayTime(at, lang));
  return out;
}

/**
 * Speaks an estimated hold time in whole minutes (at least 1), with Asterisk's own queue sounds.
 *
 * @example sayHoldTime(180, 'de') // "Die voraussichtliche Wartezeit beträgt 3 Minuten"
 */
export function sayHoldTime(holdTimeSec: number, lang: string): Media[] {
  const p = WORDS[sayLanguage(lang)].phrases;
  const minutes = Math.max(1, Math.round(holdTimeSec / 60));
  const one = minutes === 1;
  return [
    sound('queue-holdtime', p.holdTime),
    { kind: 'number', value: String(minutes), text: String(minutes) },
    sound(one ? 'queue-minute' : 'queue-minutes', one ? p.minute[0] : p.minute[1]),
  ];
}

/**
 * Speaks the opening state of a schedule: "We are open until 6 PM", "We are closed now. We open again on Monday
 * at 9 AM", "We are closed today for Christmas Day. We open again tomorrow at 8 AM".
 *
 * @example sayOpening({ open: true, closesAt: '2026-12-07T18:00:00+01:00' }, 'de', 'Europe/Berlin', now)
 *   // "Wir haben geöffnet bis 18 Uhr"
 */
export function sayOpening(state: HoursState, lang: string, tz: string, now: number): Media[] {
  const language = sayLanguage(lang);
  const p = WORDS[language].phrases;
  const today = DateTime.fromMillis(now, { zone: tz });
  const at = (iso: string) => DateTime.fromISO(iso, { zone: tz, setZone: false }).setZone(tz);
  if (state.open) {
    if (!state.closesAt) return [sound(PHRASE_SOUNDS.open, p.open)];
    const closes = at(state.closesAt);
    const when = sayWhen(closes, today, language, false);
    // "open until 6 PM" reads better without "at" when it closes today.
    const sameDay = closes.hasSame(today, 'day');
    // "open until Monday at 9 AM", not "until on Monday".
    const spoken = sameDay ? when.slice(1) : when.filter((m) => !(m.kind === 'sound' && m.name === PHRASE_SOUNDS.on));
    return [sound(PHRASE_SOUNDS.openUntil, p.openUntil), ...spoken];
  }
  const out: Media[] = [];
  if (state.holiday && state.holiday !== 'closed') out.push(sound(PHRASE_SOUNDS.closedHoliday, p.closedHoliday(holidayName(state.holiday, language))));
  else if (state.holiday || state.override) out.push(sound(PHRASE_SOUNDS.closedToday, p.closedToday));
  else out.push(sound(PHRASE_SOUNDS.closedNow, p.closedNow));
  if (state.opensAt) out.push(sound(PHRASE_SOUNDS.openAgain, p.openAgain), ...sayWhen(at(state.opensAt), today, language, true));
  return out;
}
