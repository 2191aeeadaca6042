/** How tests compare a value they expect with what a call holds: `expectVariable`, `expectOutcome` and the matchers. */
import { isDeepStrictEqual } from 'node:util';

/**
 * Deep equality, where a number written in a test equals the same number held as a string (keys are digits), and
 * an expected map needs only the fields it names (partial, at every depth).
 * @example sameValue({ kind: 'queued', queue: 'support', step: 'agent' }, { kind: 'queued' }) // true
 */
export function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'number' && typeof actual === 'string') return actual !== '' && Number(actual) === expected;
  if (typeof expected === 'string' && typeof actual === 'number') return String(actual) === expected;
  if (expected && typeof expected === 'object' && !Array.isArray(expected) && actual && typeof actual === 'object') {
    return Object.entries(expected).every(([k, v]) => sameValue((actual as Record<string, unknown>)[k], v));
  }
  return isDeepStrictEqual(actual, expected);
}
