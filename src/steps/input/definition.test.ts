import { describe, expect, it } from 'vitest';
import { definition, parseDigitsRange } from './definition.js';
import { miniFlow, problems } from '../../flow/mini-flow.js';
import { validateFlow } from '../../flow/validate.js';

const ask = (input: Record<string, unknown>) => ({ input: { prompt: 'hi', into: 'n', ...input }, next: 'bye' });

describe('input definition', () => {
  it('reads lengths', () => {
    expect(parseDigitsRange(4)).toEqual({ min: 4, max: 4 });
    expect(parseDigitsRange('6-10')).toEqual({ min: 6, max: 10 });
    expect(parseDigitsRange('10-6')).toBeUndefined();
    expect(parseDigitsRange('0')).toBeUndefined();
  });

  it('has next, retry and exhausted edges', () => {
    expect(definition.edges({ input: { prompt: 'hi', into: 'n', noMatch: { next: 'm' } }, next: 'a', exhausted: 'e' }).map((e) => e.label)).toEqual(['next', 'noMatch', 'exhausted']);
  });

  it('checks lengths, bounds and the pattern', () => {
    expect(problems({ main: ask({ digits: '9-3' }) })).toEqual(['invalid-digits /steps/main/input/digits']);
    expect(problems({ main: ask({ minDigits: 5, maxDigits: 2 }) })).toEqual(['invalid-digits /steps/main/input/minDigits']);
    expect(problems({ main: ask({ pattern: '(' }) })).toEqual(['invalid-regex /steps/main/input/pattern']);
    expect(problems({ main: ask({ digits: '4-6', pattern: '^[0-9]+$' }) })).toEqual([]);
  });

  it('documents the confirm prompt as the question after the read-back, the order the caller hears', () => {
    const schema = definition.schema as { properties: { input: { properties: { confirm: { properties: { prompt: { description: string } } } } } } };
    expect(schema.properties.input.properties.confirm.properties.prompt.description).toMatch(/^The question played after the entry is read back/);
  });

  it('checks the prompts of the confirmation, its intro included', () => {
    expect(problems({ main: ask({ confirm: { intro: 'entred', prompt: 'hi' } }) })).toEqual(['unknown-prompt /steps/main/input/confirm/intro']);
    expect(problems({ main: ask({ confirm: { intro: 'hi', prompt: 'hi' } }) })).toEqual([]);
  });

  it('refuses to read a secret back', () => {
    expect(problems({ main: ask({ secret: true, confirm: { prompt: 'hi' } }) })).toEqual(['secret-leak /steps/main/input/confirm']);
    expect(problems({ main: ask({ confirm: { prompt: 'hi' } }) })).toEqual([]);
  });

  it('refuses a confirmation whose yes and no are the same key', () => {
    const found = validateFlow(miniFlow({ main: ask({ confirm: { prompt: 'hi', yes: '1', no: '1' } }) }));
    expect(found.map((d) => `${d.code} ${d.pointer}: ${d.message}`)).toEqual([
      'invalid-value /steps/main/input/confirm/no: `confirm` uses `1` for both yes and no, so the caller can never say no: choose two keys (defaults: `yes: "1"`, `no: "2"`).',
    ]);
    expect(problems({ main: ask({ confirm: { prompt: 'hi', yes: '2' } }) })).toEqual(['invalid-value /steps/main/input/confirm/yes']);
    expect(problems({ main: ask({ confirm: { prompt: 'hi', yes: '9', no: '#' } }) })).toEqual([]);
  });

  it('refuses `digits` beside `minDigits` or `maxDigits`', () => {
    const found = validateFlow(miniFlow({ main: ask({ digits: 4, maxDigits: 6 }) }));
    expect(found.map((d) => `${d.code} ${d.pointer}: ${d.message}`)).toEqual([
      'invalid-digits /steps/main/input/maxDigits: `digits` and `maxDigits` both set the length: keep `digits` (`4`, `6-10`), or use `minDigits`/`maxDigits` instead of it.',
    ]);
    expect(problems({ main: ask({ digits: '4-6', minDigits: 4 }) })).toEqual(['invalid-digits /steps/main/input/minDigits']);
    expect(problems({ main: ask({ minDigits: 4, maxDigits: 6 }) })).toEqual([]);
  });
});
