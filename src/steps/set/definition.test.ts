import { describe, expect, it } from 'vitest';
import { problems } from '../../flow/mini-flow.js';

describe('set definition', () => {
  it('defines the variables it sets, for later steps', () => {
    expect(problems({ main: { set: { tries: { expr: '1 + 1' }, who: '${call.caller}' }, next: 'say' }, say: { play: [{ number: '${tries}' }], next: 'bye' } })).toEqual([]);
  });

  it('refuses to hide the call facts', () => {
    expect(problems({ main: { set: { call: 1 }, next: 'bye' } })).toEqual(['invalid-name /steps/main/set/call']);
  });

  it('checks expressions and templates', () => {
    expect(problems({ main: { set: { n: { expr: 'x +' } }, next: 'bye' } })).toEqual(['invalid-condition /steps/main/set/n/expr']);
    expect(problems({ main: { set: { n: '${m}' }, next: 'bye' } })).toEqual(['undefined-variable /steps/main/set/n']);
  });
});
