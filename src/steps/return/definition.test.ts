import { describe, expect, it } from 'vitest';
import { problems } from '../../flow/mini-flow.js';

describe('return definition', () => {
  it('belongs in sub-flows only', () => {
    expect(problems({ main: { return: true } })).toEqual(['return-outside-subflow /steps/main/return']);
    expect(problems({ main: { return: { who: '${name}' } } }, { params: { name: null } })).toEqual([]);
  });

  it('checks the variables it hands back', () => {
    expect(problems({ main: { return: { who: '${nam}' } } }, { params: { name: null } })).toEqual(['undefined-variable /steps/main/return/who']);
  });
});
