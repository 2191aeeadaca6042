/**
 * Which numbers Touchtone may call back, and how a number becomes a dial string. A callback number is caller
 * input (typed digits) or network input (caller ID), so it passes a strict pattern and the allow-list BEFORE it
 * goes near a dial string, and the dial string's shape comes from configuration only.
 */
import { parseDialPattern, type DialPatternPart } from '../flow/dial-pattern.js';

/** Digits with an optional leading `+`: nothing else can reach a dial string. */
export const CALLBACK_NUMBER = /^\+?[0-9]{3,20}$/;

/** Where `{number}` goes in the configured endpoint template, for example `PJSIP/{number}@trunk`. */
export const NUMBER_PLACEHOLDER = '{number}';

/** An allow-list entry: Asterisk-style (`+49X.`, `0[1-9]XXXXXXX.`), compiled. */
export interface AllowPattern {
  source: string;
  plus: boolean;
  parts: DialPatternPart[];
}

/**
 * Compiles allow-list patterns from configuration. `X` = 0-9, `Z` = 1-9, `N` = 2-9, `[1-5]` a set, a trailing `.`
 * one or more further digits, and an optional leading `+`. Returns the patterns it could not read in `bad`.
 *
 * @example compileAllowList(['+49X.', '0[1-9]XXXXXXX.']).patterns.length // 2
 */
export function compileAllowList(patterns: readonly string[]): { patterns: AllowPattern[]; bad: string[] } {
  const compiled: AllowPattern[] = [];
  const bad: string[] = [];
  for (const source of patterns) {
    const plus = source.startsWith('+');
    const body = source.replace(/^\+/, '').replace(/^_/, '');
    const parts = /[*#A-D]/.test(body) ? undefined : parseDialPattern(body);
    if (parts) compiled.push({ source, plus, parts });
    else bad.push(source);
  }
  return { patterns: compiled, bad };
}

/** Whether the whole number matches one allow-list pattern. */
export function allowed(number: string, patterns: readonly AllowPattern[]): boolean {
  return patterns.some((pattern) => matches(number, pattern));
}

function matches(number: string, pattern: AllowPattern): boolean {
  if (number.startsWith('+') !== pattern.plus) return false;
  const digits = number.replace(/^\+/, '');
  for (let i = 0; i < pattern.parts.length; i++) {
    const part = pattern.parts[i]!;
    if ('rest' in part) return digits.length > i;
    const digit = digits[i];
    if (digit === undefined || !part.keys.includes(digit)) return false;
  }
  return digits.length === pattern.parts.length;
}

/**
 * Puts a number that passed `CALLBACK_NUMBER` into the configured endpoint template. Checks the number again here,
 * so no path can build a dial string from an unchecked value.
 *
 * @example dialString('PJSIP/{number}@trunk', '+4930123456') // 'PJSIP/+4930123456@trunk'
 */
export function dialString(template: string, number: string): string {
  if (!CALLBACK_NUMBER.test(number)) throw new Error(`Refusing to dial \`${number.slice(0, 24)}\`: a callback number is digits with an optional leading +.`);
  return template.split(NUMBER_PLACEHOLDER).join(number);
}

/** Shows only the last four digits, for logs: a phone number is personal data. */
export function maskNumber(number: string): string {
  return number.length <= 4 ? '****' : '*'.repeat(number.length - 4) + number.slice(-4);
}
