/**
 * Asterisk-style direct-dial patterns in menus: `1XX`, `[2-4]XX`, `5.`. X = 0-9, Z = 1-9, N = 2-9,
 * `[..]` a set or range, `.` one or more of anything. Used to warn about options that are a prefix of a pattern.
 */
import { DIGITS } from './types.js';

/** One position of a pattern: the keys it accepts; `rest` marks `.` (one or more of anything). */
export type DialPatternPart = { keys: string } | { rest: true };

const ANY = DIGITS.join('');

/** Parses a pattern; undefined if it is malformed. @example parseDialPattern('1XX')?.length // 3 */
export function parseDialPattern(pattern: string): DialPatternPart[] | undefined {
  const parts: DialPatternPart[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === 'X') parts.push({ keys: '0123456789' });
    else if (c === 'Z') parts.push({ keys: '123456789' });
    else if (c === 'N') parts.push({ keys: '23456789' });
    else if (c === '.') {
      if (i !== pattern.length - 1) return undefined;
      parts.push({ rest: true });
    } else if (c === '[') {
      const close = pattern.indexOf(']', i);
      if (close < 0) return undefined;
      const keys = expandSet(pattern.slice(i + 1, close));
      if (!keys) return undefined;
      parts.push({ keys });
      i = close;
    } else if (ANY.includes(c)) parts.push({ keys: c });
    else return undefined;
  }
  return parts.length ? parts : undefined;
}

function expandSet(body: string): string | undefined {
  let keys = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const to = body[i + 2]!;
      if (!/[0-9]/.test(c) || !/[0-9]/.test(to) || to < c) return undefined;
      for (let d = Number(c); d <= Number(to); d++) keys += String(d);
      i += 2;
    } else if (/[0-9*#]/.test(c)) keys += c;
    else return undefined;
  }
  return keys || undefined;
}

/** Whether `keys` matches the start of some longer entry the pattern accepts (so a caller typing `keys` might go on). */
export function patternAcceptsPrefix(parts: readonly DialPatternPart[], keys: string): boolean {
  for (let i = 0; i < keys.length; i++) {
    const part = parts[i];
    if (!part) return false;
    if ('rest' in part) return true;
    if (!part.keys.includes(keys[i]!)) return false;
  }
  return parts.length > keys.length;
}

/** Whether a complete entry matches the pattern. */
export function patternMatches(parts: readonly DialPatternPart[], keys: string): boolean {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if ('rest' in part) return keys.length > i;
    if (i >= keys.length || !part.keys.includes(keys[i]!)) return false;
  }
  return keys.length === parts.length;
}
