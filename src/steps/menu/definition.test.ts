import { describe, expect, it } from 'vitest';
import { definition } from './definition.js';
import { miniFlow, problems } from '../../flow/mini-flow.js';
import { validateFlow } from '../../flow/validate.js';
import type { MenuStep } from '../../flow/types.js';

const menu = (options: Record<string, string>, extra: Partial<MenuStep['menu']> = {}, exhausted?: string): MenuStep => ({
  menu: { prompt: 'hi', options, ...extra },
  ...(exhausted ? { exhausted } : {}),
});

describe('menu definition', () => {
  it('lists options, patterns, retries, exhausted and key overrides as edges', () => {
    const step = menu({ '1': 'a', '#': 'back' }, { patterns: { '2XX': { next: 'ext' } }, noInput: { next: 'n' }, keys: { '0': 'agent', '*': null } }, 'x');
    expect(definition.edges(step)).toEqual([
      { label: 'option 1', target: 'a', pointer: '/menu/options/1' },
      { label: 'option #', target: 'back', pointer: '/menu/options/#' },
      { label: 'pattern 2XX', target: 'ext', pointer: '/menu/patterns/2XX/next' },
      { label: 'noInput', target: 'n', pointer: '/menu/noInput/next' },
      { label: 'exhausted', target: 'x', pointer: '/exhausted' },
      { label: 'key 0', target: 'agent', pointer: '/menu/keys/0' },
    ]);
  });

  it('is valid with options that lead out', () => {
    expect(problems({ main: menu({ '1': 'bye', '2': 'repeat' }) })).toEqual([]);
  });

  it('warns about an option that is the start of a longer option or a pattern, not about distinct ones', () => {
    expect(problems({ main: menu({ '1': 'bye', '12': 'bye', '3': 'bye' }) })).toEqual(['ambiguous-option /steps/main/menu/options/1']);
    expect(problems({ main: menu({ '2': 'bye' }, { patterns: { '[2-4]XX': { next: 'bye' } } }) })).toEqual(['ambiguous-option /steps/main/menu/options/2']);
    expect(problems({ main: menu({ '1': 'bye' }, { patterns: { '[2-4]XX': { next: 'bye' } } }) })).toEqual([]);
  });

  it('reports an unreadable dial pattern', () => {
    expect(problems({ main: menu({ '1': 'bye' }, { patterns: { '[9-2]X': { next: 'bye' } } }) })).toEqual(['invalid-pattern /steps/main/menu/patterns/[9-2]X']);
    expect(problems({ main: menu({ '1': 'bye' }, { patterns: { '1[X]': { next: 'bye' } } }) })).toEqual(['invalid-pattern /steps/main/menu/patterns/1[X]']);
    const found = validateFlow(miniFlow({ main: menu({ '1': 'bye' }, { patterns: { '1X?': { next: 'bye' } } }) }));
    expect(found.map((d) => `${d.code} ${d.message}`)).toEqual([
      'invalid-pattern `1X?` is not a dial pattern: use digits, `*`, `#`, `X` (0-9), `Z` (1-9), `N` (2-9), ranges such as `[1-4]` and a final `.`.',
    ]);
  });

  it('refuses `call` as the variable of a pattern, as everywhere else', () => {
    const found = validateFlow(miniFlow({ main: menu({ '1': 'bye' }, { patterns: { '2XX': { next: 'bye', into: 'call' } } }) }));
    expect(found.map((d) => [d.code, d.pointer, d.message])).toEqual([
      ['invalid-name', '/steps/main/menu/patterns/2XX/into', 'The variable name `call` is reserved for call facts (`call.caller`, `call.hour` …): choose another name.'],
    ]);
  });

  it('checks the prompts of every attempt', () => {
    expect(problems({ main: menu({ '1': 'bye' }, { shortPrompt: 'hii', noMatch: { prompt: ['hi', 'nope'] } }) })).toEqual([
      'unknown-prompt /steps/main/menu/noMatch/prompt/1',
      'unknown-prompt /steps/main/menu/shortPrompt',
    ]);
  });

  it('warns when no option or key leads to an agent or out', () => {
    expect(problems({ main: menu({ '1': 'info' }), info: { play: 'hi', next: 'main' } })).toEqual(['no-agent-exit /steps/main/menu/options']);
    expect(problems({ main: menu({ '1': 'info' }), info: { play: 'hi', next: 'main' } }, { keys: { '0': 'bye' } })).toEqual([]);
  });
});

describe('menu definition with flow-wide keys', () => {
  it('counts flow-wide keys among the options, unless this menu switches them off', () => {
    const keys = { '0': 'bye' };
    expect(problems({ main: menu({ '01': 'bye', '2': 'bye' }) }, { keys })).toEqual(['ambiguous-option /steps/main/menu/options/01']);
    expect(problems({ main: menu({ '01': 'bye', '2': 'bye' }, { keys: { '0': null } }) }, { keys })).toEqual([]);
  });
});
