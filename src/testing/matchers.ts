/**
 * Matchers for `expect.extend` (vitest or jest), so call assertions read like the rest of a test suite:
 *
 * @example
 *   import { expect } from 'vitest';
 *   import { callMatchers } from 'touchtone/testing';
 *   expect.extend(callMatchers);
 *   expect(call).toHaveHeard('main-menu');
 *   expect(call).toBeAtStep('main');
 *   expect(call).toHaveEndedWith({ kind: 'queued' });
 */
import type { PromptMatcher } from './scenario-types.js';
import type { SimulatedCall } from './simulate-call.js';
import { sameValue } from './same-value.js';

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

function heardList(call: SimulatedCall): string {
  const items = call.heardItems();
  return items.length ? items.map((h) => `${h.prompt ? `\`${h.prompt}\`` : '(no name)'} "${h.text}"`).join(', ') : 'nothing';
}

/** The matchers; their names say what they check. None of them moves the clock. */
export const callMatchers = {
  /** The caller has heard a prompt (by name, or a regular expression over its text) at any time so far. */
  toHaveHeard(call: SimulatedCall, matcher: PromptMatcher): MatcherResult {
    const pass = call.heardItems().some((h) => (typeof matcher === 'string' ? h.prompt === matcher : matcher.test(h.text)));
    const what = typeof matcher === 'string' ? `prompt \`${matcher}\`` : `a prompt matching \`${String(matcher)}\``;
    return { pass, message: () => (pass ? `Expected the caller not to hear ${what}, but they did.` : `Expected the caller to hear ${what}, but heard ${heardList(call)}.`) };
  },
  /** The call is at this step now. */
  toBeAtStep(call: SimulatedCall, step: string): MatcherResult {
    const pass = call.step === step;
    return { pass, message: () => `Expected the call ${pass ? 'not ' : ''}to be at step \`${step}\`; it is at \`${call.step}\`.` };
  },
  /** The call has ended, and its outcome has these fields, compared as `expectOutcome` compares them (`sameValue`). */
  toHaveEndedWith(call: SimulatedCall, expected: Record<string, unknown>): MatcherResult {
    const outcome = call.outcome as Record<string, unknown> | undefined;
    const pass = outcome !== undefined && sameValue(outcome, expected);
    return {
      pass,
      message: () =>
        outcome === undefined
          ? `Expected the call to have ended with ${JSON.stringify(expected)}, but it is still at step \`${call.step}\`.`
          : `Expected the call ${pass ? 'not ' : ''}to have ended with ${JSON.stringify(expected)}; it ended with ${JSON.stringify(outcome)}.`,
    };
  },
};

/** Types for `expect(call).toHaveHeard(…)` and friends, to merge into vitest's `Assertion` interface. */
export interface CallMatchers<R = unknown> {
  toHaveHeard(matcher: PromptMatcher): R;
  toBeAtStep(step: string): R;
  toHaveEndedWith(expected: Record<string, unknown>): R;
}
