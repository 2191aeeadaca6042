import { describe, expect, it } from 'vitest';
import { definition } from './definition.js';
import { miniFlow, problems } from '../../flow/mini-flow.js';
import { validateFlow } from '../../flow/validate.js';

describe('branch definition', () => {
  it('labels cases by position, then else', () => {
    expect(definition.edges({ branch: [{ if: 'a', then: 'x' }, { if: 'b', then: 'y' }], else: 'z' })).toEqual([
      { label: 'case 1', target: 'x', pointer: '/branch/0/then' },
      { label: 'case 2', target: 'y', pointer: '/branch/1/then' },
      { label: 'else', target: 'z', pointer: '/else' },
    ]);
  });

  it('accepts CEL over variables, call facts and macros', () => {
    const step = { branch: [{ if: 'tries > 2 && call.weekday in ["sat", "sun"] && [1, 2].exists(x, x == tries)', then: 'bye' }], else: 'bye' };
    expect(problems({ main: step }, { variables: { tries: 0 } })).toEqual([]);
  });

  it('reports CEL syntax errors, unknown variables and unknown call facts', () => {
    expect(problems({ main: { branch: [{ if: 'tries >', then: 'bye' }], else: 'bye' } }, { variables: { tries: 0 } })).toEqual(['invalid-condition /steps/main/branch/0/if']);
    expect(problems({ main: { branch: [{ if: 'trys > 1', then: 'bye' }], else: 'bye' } })).toEqual(['undefined-variable /steps/main/branch/0/if']);
    expect(problems({ main: { branch: [{ if: 'call.weekdays == "mon"', then: 'bye' }], else: 'bye' } })).toEqual(['undefined-variable /steps/main/branch/0/if']);
  });

  it('reports text compared with a number, with the conversion to write', () => {
    const ask = { input: { prompt: 'hi', into: 'count', digits: '1-2' }, next: 'check' };
    const found = validateFlow(miniFlow({ ask, check: { branch: [{ if: 'call.hour > 17 || count > 5', then: 'bye' }], else: 'bye' } }));
    expect(found.map((d) => [d.code, d.pointer, d.message, d.hint])).toEqual([
      [
        'condition-type',
        '/steps/check/branch/0/if',
        'In `count > 5`, `count` is text and `5` a number: CEL never converts between them, so this fails whenever it runs. The case then counts as false.',
        'Convert the text first: `int(count) > 5` (`double(…)` for decimals). What the caller keys, recordings and text with a template inside are always text.',
      ],
    ]);
    const decimal = validateFlow(miniFlow({ ask, check: { branch: [{ if: '2.5 <= count', then: 'bye' }], else: 'bye' } }));
    expect(decimal.map((d) => d.hint)).toEqual(['Convert the text first: `2.5 <= double(count)`. What the caller keys, recordings and text with a template inside are always text.']);
    expect(problems({ ask, check: { branch: [{ if: 'count == 5', then: 'bye' }], else: 'bye' } })).toEqual(['condition-type /steps/check/branch/0/if']);
    expect(problems({ main: { set: { t: 'at ${call.hour}' }, next: 'check' }, check: { branch: [{ if: 't >= 18', then: 'bye' }], else: 'bye' } })).toEqual(['condition-type /steps/check/branch/0/if']);
  });

  it('accepts converted text, numbers, and values whose type only the data knows', () => {
    const ask = { input: { prompt: 'hi', into: 'count', digits: '1-2' }, next: 'look' };
    const look = { lookup: { source: 'db', key: '${count}', into: 'acct' }, found: 'check', notFound: 'bye', error: 'bye' };
    const check = { branch: [{ if: 'int(count) > 5 || acct.balance < 0 || tries < limit || count == "7"', then: 'bye' }], else: 'bye' };
    expect(problems({ ask, look, check }, { variables: { tries: 0, limit: 2.5 } })).toEqual([]);
    // A value that is one whole template keeps the type of what it names (`renderTemplate`): not judged.
    const copy = { set: { cost: '${limit}', hr: '${call.hour}' }, next: 'test' };
    expect(problems({ ask, look, check: copy, test: { branch: [{ if: 'cost > 10 || hr < 12', then: 'bye' }], else: 'bye' } }, { variables: { tries: 0, limit: 2.5 } })).toEqual([]);
    // Text around a template is text.
    const label = { set: { cost: 'EUR ${limit}' }, next: 'test' };
    expect(problems({ ask, look, check: label, test: { branch: [{ if: 'cost > 10', then: 'bye' }], else: 'bye' } }, { variables: { tries: 0, limit: 2.5 } })).toEqual(['condition-type /steps/test/branch/0/if']);
    // Set as a number in one place and as text in another: either may hold at run time.
    expect(problems({ ask, look, check: { set: { count: 3 }, next: 'test' }, test: { branch: [{ if: 'count > 5', then: 'bye' }], else: 'bye' } })).toEqual([]);
  });

  it('lets a loop that counts its way out run, and still reports loops that cannot end', () => {
    const look = (notFound: string) => ({ lookup: { source: 'db', key: '1', into: 'rec' }, found: 'bye', notFound, error: 'again' });
    const again = { set: { tries: { expr: 'tries + 1' } }, next: 'check' };
    const check = { branch: [{ if: 'tries < 3', then: 'look' }], else: 'bye' };
    expect(problems({ look: look('bye'), again, check }, { variables: { tries: 0 } })).toEqual([]);
    // The loop changes nothing the branch reads: it never ends.
    const fixed = { branch: [{ if: 'limit < 3', then: 'look' }], else: 'bye' };
    expect(problems({ look: look('bye'), again, check: fixed }, { variables: { tries: 0, limit: 1 } })).toEqual(['input-free-loop /steps/look']);
    // A loop beside the counting one that never passes the branch.
    expect(problems({ look: look('look'), again, check }, { variables: { tries: 0 } })).toEqual(['input-free-loop /steps/look']);
    // A counter set back to a fixed value each time round never runs out.
    const reset = { set: { tries: 0 }, next: 'check' };
    expect(problems({ look: look('bye'), again: reset, check }, { variables: { tries: 0 } })).toEqual(['input-free-loop /steps/look']);
    // Nor does the clock: a loop that never waits goes round thousands of times before a minute passes.
    const clock = { branch: [{ if: 'call.hour < 9', then: 'look' }], else: 'bye' };
    expect(problems({ look: look('bye'), again: { set: { tries: { expr: 'tries + 1' } }, next: 'check' }, check: clock }, { variables: { tries: 0 } })).toEqual(['input-free-loop /steps/look']);
    // The case that reads the counter must lead out, or the `else` must.
    const stuck = { branch: [{ if: 'tries < 3', then: 'look' }, { if: 'tries > 100', then: 'look' }], else: 'look' };
    expect(problems({ look: look('bye'), again, check: stuck }, { variables: { tries: 0 } })).toEqual(['input-free-loop /steps/look']);
  });
});
