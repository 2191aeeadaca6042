/**
 * How an entry of keys is judged, as pure functions (the timing rules of `INPUT-SEMANTICS.md` act on the verdict):
 *
 * | verdict     | meaning                                                             | the step then           |
 * |-------------|---------------------------------------------------------------------|-------------------------|
 * | `accept`    | a complete entry that nothing longer could match                    | waits `termTimeout` (default 0: accepts at once) |
 * | `ambiguous` | a complete entry that a longer one could extend (`1` beside `12`)    | waits the inter-digit timeout, then accepts |
 * | `partial`   | not complete, but could still become a match                        | waits the inter-digit timeout, then no-match |
 * | `reject`    | cannot become any match                                             | no-match at once        |
 */
import { parseDialPattern, patternAcceptsPrefix, patternMatches, type DialPatternPart } from '../flow/dial-pattern.js';

/** The verdict on an entry (see the table above). */
export type Verdict = 'accept' | 'ambiguous' | 'partial' | 'reject';

/** A menu's choices: exact keys (options and global keys) and direct-dial patterns. */
export interface MenuChoices {
  /** Exact entries to their target (a qualified step or `back` / `top` / `repeat`). */
  exact: Record<string, string>;
  patterns: { pattern: string; parts: DialPatternPart[]; next: string; into?: string }[];
}

/** Compiles direct-dial patterns once. Malformed patterns (the validator reports them) are left out. */
export function compilePatterns(patterns: Record<string, { next: string; into?: string }>): MenuChoices['patterns'] {
  const out: MenuChoices['patterns'] = [];
  for (const [pattern, spec] of Object.entries(patterns)) {
    const parts = parseDialPattern(pattern);
    if (parts) out.push({ pattern, parts, next: spec.next, ...(spec.into ? { into: spec.into } : {}) });
  }
  return out;
}

/** What a complete menu entry leads to: an exact choice wins over a pattern. */
export function menuChoice(choices: MenuChoices, entry: string): { next: string; into?: string } | undefined {
  const exact = choices.exact[entry];
  if (exact !== undefined) return { next: exact };
  for (const p of choices.patterns) if (patternMatches(p.parts, entry)) return p.into ? { next: p.next, into: p.into } : { next: p.next };
  return undefined;
}

/** Judges a menu entry. */
export function judgeMenu(choices: MenuChoices, entry: string): Verdict {
  const complete = menuChoice(choices, entry) !== undefined;
  let longer = false;
  for (const key in choices.exact) {
    if (key.length > entry.length && key.startsWith(entry)) {
      longer = true;
      break;
    }
  }
  if (!longer) for (const p of choices.patterns) if (patternAcceptsPrefix(p.parts, entry)) longer = true;
  if (complete) return longer ? 'ambiguous' : 'accept';
  return longer ? 'partial' : 'reject';
}

/** The length rules and pattern of an `input`. */
export interface InputRules {
  min: number;
  max: number;
  /** The key that ends the entry, or undefined for none. */
  terminator?: string;
  pattern?: RegExp;
}

/** Parses `digits: 4` / `digits: "6-10"` with `minDigits` / `maxDigits`. Without any, 1 to 20 keys. */
export function inputLength(spec: { digits?: string | number; minDigits?: number; maxDigits?: number }): { min: number; max: number } {
  let min = spec.minDigits;
  let max = spec.maxDigits;
  if (typeof spec.digits === 'number') min = max = spec.digits;
  else if (typeof spec.digits === 'string') {
    const m = /^(\d+)(?:-(\d+))?$/.exec(spec.digits.trim());
    if (m) {
      min = Number(m[1]);
      max = m[2] === undefined ? min : Number(m[2]);
    }
  }
  return { min: min ?? 1, max: max ?? Math.max(20, min ?? 1) };
}

/** Judges an input entry (digits only; the terminator is handled by the step). */
export function judgeInput(rules: InputRules, entry: string): Verdict {
  if (!/^[0-9]*$/.test(entry) || entry.length > rules.max) return 'reject';
  if (entry.length === rules.max) return 'accept';
  if (entry.length >= rules.min) return 'ambiguous';
  return 'partial';
}

/** Whether a finished input entry (after a terminator, a full length or a timeout) is valid. */
export function inputValid(rules: InputRules, entry: string): boolean {
  if (entry.length < rules.min || entry.length > rules.max || !/^[0-9]*$/.test(entry)) return false;
  return rules.pattern ? rules.pattern.test(entry) : true;
}
