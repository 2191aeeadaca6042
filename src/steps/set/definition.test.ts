import { describe, expect, it } from 'vitest';
import { miniFlow, problems } from '../../flow/mini-flow.js';
import { validateFlow } from '../../flow/validate.js';

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

  it('reports text used as a number in an expression, and what happens then', () => {
    const ask = { input: { prompt: 'hi', into: 'count', digits: '1-2' }, next: 'main' };
    const found = validateFlow(miniFlow({ ask, main: { set: { next: { expr: 'count + 1' } }, next: 'bye' } }));
    expect(found.map((d) => `${d.code} ${d.pointer}: ${d.message}`)).toEqual([
      'condition-type /steps/main/set/next/expr: In `count + 1`, `count` is text and `1` a number: CEL never converts between them, so this fails whenever it runs. The variable then keeps its value.',
    ]);
  });
});
