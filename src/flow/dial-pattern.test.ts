import { describe, expect, it } from 'vitest';
import { parseDialPattern, patternAcceptsPrefix, patternMatches } from './dial-pattern.js';

describe('dial patterns', () => {
  it('match entries the Asterisk way', () => {
    const p = parseDialPattern('[2-4]XN')!;
    expect(patternMatches(p, '202')).toBe(true);
    expect(patternMatches(p, '201')).toBe(false);
    expect(patternMatches(p, '502')).toBe(false);
    expect(patternMatches(p, '2022')).toBe(false);
    const rest = parseDialPattern('9.')!;
    expect(patternMatches(rest, '9')).toBe(false);
    expect(patternMatches(rest, '912345')).toBe(true);
  });

  it('know which shorter entries they could still grow from', () => {
    const p = parseDialPattern('1ZX')!;
    expect(patternAcceptsPrefix(p, '1')).toBe(true);
    expect(patternAcceptsPrefix(p, '10')).toBe(false);
    expect(patternAcceptsPrefix(p, '11')).toBe(true);
    expect(patternAcceptsPrefix(p, '111')).toBe(false);
    expect(patternAcceptsPrefix(parseDialPattern('9.')!, '9')).toBe(true);
  });

  it('refuse what they cannot read', () => {
    for (const bad of ['', '[9-2]X', '1.2', '[12', 'Q1', '[a]']) expect(parseDialPattern(bad)).toBeUndefined();
  });
});
