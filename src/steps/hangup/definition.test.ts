import { describe, expect, it } from 'vitest';
import { definition } from './definition.js';
import { problems } from '../../flow/mini-flow.js';

describe('hangup definition', () => {
  it('ends the call and leads nowhere', () => {
    expect(definition.terminal).toBe(true);
    expect(definition.edges({ hangup: true })).toEqual([]);
  });

  it('accepts true, a prompt list, or prompt and reason, and checks the prompts', () => {
    expect(problems({ main: { hangup: ['hi'] } })).toEqual([]);
    expect(problems({ main: { hangup: { prompt: 'hi', reason: 'done' } } })).toEqual([]);
    expect(problems({ main: { hangup: { prompt: ['hii'], reason: 'done' } } })).toEqual(['unknown-prompt /steps/main/hangup/prompt/0']);
    expect(problems({ main: { hangup: 'hii' } })).toEqual(['unknown-prompt /steps/main/hangup']);
  });
});
