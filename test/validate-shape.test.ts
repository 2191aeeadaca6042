/**
 * Shape errors read as one plain sentence each, whatever ajv reports underneath (no `anyOf` dumps).
 */
import { describe, expect, it } from 'vitest';
import { validateFlow } from '../src/flow/validate.js';
import { miniFlow } from '../src/flow/mini-flow.js';

function messages(steps: Record<string, unknown>, top: Record<string, unknown> = {}): string[] {
  return validateFlow(miniFlow(steps, top)).map((d) => `${d.code} ${d.pointer}: ${d.message}`);
}

describe('shape errors', () => {
  it('give one sentence for a wrong play item, naming the branch the author meant', () => {
    expect(messages({ main: { play: ['hi', { money: 5, curency: 'EUR' }], next: 'bye' } })).toEqual([
      'unknown-option /steps/main/play/1/curency: Item 2 of `play` in step `main` has no property `curency`. Did you mean `currency`?',
    ]);
  });

  it('give one sentence for a value that fits no form', () => {
    expect(messages({ main: { hangup: 42 } })).toEqual([
      'invalid-value /steps/main/hangup: `hangup` in step `main` has the wrong form (`42`): expected `true`, a goodbye prompt list, or `{ prompt, reason }`.',
    ]);
  });

  it('suggest a step kind for a misspelled one, and a property for a misspelled option', () => {
    expect(messages({ main: { mneu: { prompt: 'hi', options: { '1': 'bye' } } } })).toEqual(['unknown-step-kind /steps/main/mneu: `mneu` is not a step kind. Did you mean `menu`?']);
    expect(messages({ main: { menu: { prompt: 'hi', options: { '1': 'bye' }, noImput: {} } } })).toEqual([
      'unknown-option /steps/main/menu/noImput: `menu` in step `main` has no property `noImput`. Did you mean `noInput`?',
    ]);
  });

  it('name a step that is not a map', () => {
    expect(messages({ main: 'hello' })).toEqual(['wrong-type /steps/main: Step `main` must be a map, not a text.']);
  });

  it('explain durations the way authors write them', () => {
    expect(messages({ main: { menu: { prompt: 'hi', options: { '1': 'bye' }, timeout: 5 } } })).toEqual([
      'invalid-duration /steps/main/menu/timeout: `5` is not a duration: write `5s`, `500ms` or `2m`.',
    ]);
    expect(messages({ main: { menu: { prompt: 'hi', options: { '1': 'bye' }, timeout: 0 } } })).toEqual([]);
  });

  it('point at a missing branch from the step', () => {
    expect(messages({ main: { lookup: { source: 'db', key: 'k', into: 'r' }, found: 'bye', notFound: 'bye' } })).toEqual([
      'missing-property /steps/main: Step `main` is missing `error`.',
    ]);
  });

  it('name what was written when a key or name does not fit its map', () => {
    const prompts = { hi: { text: { EN: 'Hi' } } };
    expect(messages({ main: { hangup: ['hi'] } }, { prompts, variables: { 'my-var': 5 } })).toEqual([
      'invalid-name /prompts/hi/text/EN: `EN` is not a language code: write it in lowercase, such as `en`, `de` or `fr-CA`.',
      'invalid-name /variables/my-var: `my-var` is not a valid name here: start with a letter or `_` and use letters, digits and `_` (no `-`).',
    ]);
    expect(messages({ main: { hangup: true } }, { prompts: { 'hi there': { text: 'Hi' } } })).toEqual([
      'invalid-name /prompts/hi there: `hi there` is not a valid name here: start with a letter and use letters, digits, `_` and `-`.',
    ]);
  });

  it('explain `null` in the flow-wide keys, which only a menu’s own keys may use', () => {
    expect(messages({ main: { hangup: true } }, { keys: { '5': null } })).toEqual([
      "wrong-type /keys/5: Key `5` in the flow-wide `keys` is `null`: `null` switches a key off only in a menu's or input's own `keys`; here, name a step or remove the key.",
    ]);
    expect(messages({ main: { hangup: true } }, { keys: { '5': 7 } })).toEqual(['wrong-type /keys/5: `5` in `keys` must be a text, not `7`.']);
  });

  it('ask once for quotes around a key written as a number', () => {
    const input = (confirm: unknown) => ({ main: { input: { prompt: 'hi', into: 'x', digits: 4, confirm }, next: 'bye' } });
    expect(messages(input({ prompt: 'hi', yes: 1 }))).toEqual(['wrong-type /steps/main/input/confirm/yes: `yes` in step `main` is the number `1`; a key is text: quote it, `"1"`.']);
    expect(messages({ main: { input: { prompt: 'hi', into: 'x', terminator: 5 }, next: 'bye' } })).toEqual([
      'wrong-type /steps/main/input/terminator: `terminator` in step `main` is the number `5`; a key is text: quote it, `"5"`.',
    ]);
  });

  it('show the number that should be whole, and the item a list repeats', () => {
    expect(messages({ main: { menu: { prompt: 'hi', options: { '1': 'bye' }, noInput: { retries: 1.5 } } } })).toEqual([
      'wrong-type /steps/main/menu/noInput/retries: `retries` in step `main` must be a whole number, not `1.5`.',
    ]);
    expect(messages({ main: { hangup: true } }, { language: 'de', languages: ['de', 'fr', 'de'] })).toEqual(['invalid-value /languages: `languages` lists `de` more than once: keep one.']);
  });

  it('warn that a template in the prompts table is spoken as written, and not where play items use one', () => {
    const variables = { name: 'Ada' };
    expect(messages({ main: { hangup: ['hi'] } }, { variables, prompts: { hi: { text: { en: 'Hello ${name}' } } } })).toEqual([
      'template-in-prompt /prompts/hi/text/en: Prompt `hi` says `Hello ${name}` as written: the `prompts` table does not fill in templates.',
    ]);
    expect(messages({ main: { hangup: [{ sound: 'acme/hello', text: 'Hello ${name}' }, { number: '${name}' }] } }, { variables })).toEqual([]);
  });
});
