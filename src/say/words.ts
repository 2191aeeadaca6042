/**
 * The words Touchtone speaks around values, per language: the text of each and the sound that says it.
 *
 * Sound names are language-neutral: Asterisk looks them up under the channel's language folder
 * (`sounds/de/digits/day-1`), so one name serves every language and only the text differs here.
 * Names under `digits/`, `letters/` and the root (`cents`) are Asterisk core sounds; names under `touchtone/` are
 * ours, for what the core sounds lack (currency names other than dollars, phrases about opening hours).
 */
import type { Media } from '../telephony/port.js';

/** The languages Touchtone speaks values in. */
export type SayLanguage = 'en' | 'de' | 'fr';

/** Reduces `de-AT` to `de`, and anything we do not speak to `en`. */
export function sayLanguage(lang: string): SayLanguage {
  const base = lang.toLowerCase().split(/[-_]/)[0];
  return base === 'de' || base === 'fr' ? base : 'en';
}

/** A sound with its text. */
export function sound(name: string, text: string): Media {
  return { kind: 'sound', name, text };
}

/** A currency's unit words and sounds, singular and plural. */
export interface CurrencyWords {
  major: [one: string, many: string];
  minor: [one: string, many: string];
  majorSound: [one: string, many: string];
  minorSound: [one: string, many: string];
  /** Grammatical gender of the major unit, for the word "one" in de and fr (`une livre`). */
  feminine?: boolean;
}

interface LanguageWords {
  minus: string;
  and: string;
  one: { m: string; f: string };
  point: string;
  days: string[];
  months: string[];
  ordinal(day: number): string;
  currencies: Record<string, Omit<CurrencyWords, 'majorSound' | 'minorSound'>>;
  phrases: {
    openUntil: string;
    open: string;
    closedNow: string;
    closedToday: string;
    closedHoliday(name: string): string;
    openAgain: string;
    on: string;
    at: string;
    today: string;
    tomorrow: string;
    /** "The estimated hold time is", then the minutes (Asterisk's `queue-holdtime`, `queue-minute(s)`). */
    holdTime: string;
    minute: [one: string, many: string];
  };
}

/** The words of each language. */
export const WORDS: Record<SayLanguage, LanguageWords> = {
  en: {
    minus: 'minus',
    and: 'and',
    one: { m: 'one', f: 'one' },
    point: 'point',
    days: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
    months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
    ordinal: (d) => `${d}${d % 10 === 1 && d !== 11 ? 'st' : d % 10 === 2 && d !== 12 ? 'nd' : d % 10 === 3 && d !== 13 ? 'rd' : 'th'}`,
    currencies: {
      EUR: { major: ['euro', 'euros'], minor: ['cent', 'cents'] },
      USD: { major: ['dollar', 'dollars'], minor: ['cent', 'cents'] },
      GBP: { major: ['pound', 'pounds'], minor: ['penny', 'pence'] },
      CHF: { major: ['franc', 'francs'], minor: ['centime', 'centimes'] },
    },
    phrases: {
      openUntil: 'We are open until',
      open: 'We are open.',
      closedNow: 'We are closed now.',
      closedToday: 'We are closed today.',
      closedHoliday: (name) => `We are closed today for ${name}.`,
      openAgain: 'We open again',
      on: 'on',
      at: 'at',
      today: 'today',
      tomorrow: 'tomorrow',
      holdTime: 'The estimated hold time is',
      minute: ['minute', 'minutes'],
    },
  },
  de: {
    minus: 'minus',
    and: 'und',
    one: { m: 'ein', f: 'eine' },
    point: 'Komma',
    days: ['Sonntag', 'Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag'],
    months: ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'],
    ordinal: (d) => `${d}.`,
    currencies: {
      EUR: { major: ['Euro', 'Euro'], minor: ['Cent', 'Cent'] },
      USD: { major: ['Dollar', 'Dollar'], minor: ['Cent', 'Cent'] },
      GBP: { major: ['Pfund', 'Pfund'], minor: ['Penny', 'Pence'] },
      CHF: { major: ['Franken', 'Franken'], minor: ['Rappen', 'Rappen'] },
    },
    phrases: {
      openUntil: 'Wir haben geöffnet bis',
      open: 'Wir haben geöffnet.',
      closedNow: 'Wir haben jetzt geschlossen.',
      closedToday: 'Wir haben heute geschlossen.',
      closedHoliday: (name) => `Wir haben heute geschlossen: ${name}.`,
      openAgain: 'Wir öffnen wieder',
      on: 'am',
      at: 'um',
      today: 'heute',
      tomorrow: 'morgen',
      holdTime: 'Die voraussichtliche Wartezeit beträgt',
      minute: ['Minute', 'Minuten'],
    },
  },
  fr: {
    minus: 'moins',
    and: 'et',
    one: { m: 'un', f: 'une' },
    point: 'virgule',
    days: ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'],
    months: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
    ordinal: (d) => (d === 1 ? '1er' : String(d)),
    currencies: {
      EUR: { major: ['euro', 'euros'], minor: ['centime', 'centimes'] },
      USD: { major: ['dollar', 'dollars'], minor: ['cent', 'cents'] },
      GBP: { major: ['livre', 'livres'], minor: ['penny', 'pence'], feminine: true },
      CHF: { major: ['franc', 'francs'], minor: ['centime', 'centimes'] },
    },
    phrases: {
      openUntil: "Nous sommes ouverts jusqu'à",
      open: 'Nous sommes ouverts.',
      closedNow: 'Nous sommes fermés pour le moment.',
      closedToday: "Nous sommes fermés aujourd'hui.",
      closedHoliday: (name) => `Nous sommes fermés aujourd'hui : ${name}.`,
      openAgain: 'Nous rouvrons',
      on: '',
      at: 'à',
      today: "aujourd'hui",
      tomorrow: 'demain',
      holdTime: "Le temps d'attente estimé est de",
      minute: ['minute', 'minutes'],
    },
  },
};

/**
 * Sound names of currency units. `digits/dollars` and `cents` are Asterisk core sounds (what `SayMoney` plays);
 * the rest are Touchtone's, recorded per language.
 */
export const CURRENCY_SOUNDS: Record<string, Pick<CurrencyWords, 'majorSound' | 'minorSound'>> = {
  EUR: { majorSound: ['touchtone/euro', 'touchtone/euros'], minorSound: ['touchtone/cent', 'cents'] },
  USD: { majorSound: ['touchtone/dollar', 'digits/dollars'], minorSound: ['touchtone/cent', 'cents'] },
  GBP: { majorSound: ['touchtone/pound', 'touchtone/pounds'], minorSound: ['touchtone/penny', 'touchtone/pence'] },
  CHF: { majorSound: ['touchtone/franc', 'touchtone/francs'], minorSound: ['touchtone/centime', 'touchtone/centimes'] },
};

/** Sounds for the phrases about opening hours (Touchtone's own; Asterisk has none). */
export const PHRASE_SOUNDS = {
  openUntil: 'touchtone/we-are-open-until',
  open: 'touchtone/we-are-open',
  closedNow: 'touchtone/we-are-closed-now',
  closedToday: 'touchtone/we-are-closed-today',
  closedHoliday: 'touchtone/we-are-closed-today-holiday',
  openAgain: 'touchtone/we-open-again',
  on: 'touchtone/on',
  at: 'digits/at',
  today: 'digits/today',
  tomorrow: 'digits/tomorrow',
} as const;
