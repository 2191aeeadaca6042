import { describe, expect, it } from 'vitest';
import { didYouMean, didYouMeanText } from './did-you-mean.js';

describe('didYouMean', () => {
  it('suggests close names, swapped letters included', () => {
    expect(didYouMean('mian', ['main', 'agent'])).toBe('main');
    expect(didYouMean('paly', ['play', 'menu'])).toBe('play');
    expect(didYouMean('Agnet', ['agent'])).toBe('agent');
  });

  it('stays quiet when nothing is close', () => {
    expect(didYouMean('next', ['play', 'set', 'menu'])).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
    expect(didYouMeanText('zzzz', ['main'])).toBe('');
    expect(didYouMeanText('mai', ['main'])).toBe(' Did you mean `main`?');
  });
});
