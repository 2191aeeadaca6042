import { describe, expect, it } from 'vitest';
import { definition } from './definition.js';
import { problems } from '../../flow/mini-flow.js';

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
});
