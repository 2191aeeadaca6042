import { describe, expect, it } from 'vitest';
import { definition } from './definition.js';
import { problems } from '../../flow/mini-flow.js';

const steps = (lookup: Record<string, unknown>, secret = false) => ({
  ask: { input: { prompt: 'hi', into: 'pin', secret }, next: 'find' },
  find: { lookup: { source: 'db', key: '${call.caller}', into: 'acct', ...lookup }, found: 'say', notFound: 'bye', error: 'bye' },
  say: { play: [{ money: '${acct.balance}' }], next: 'bye' },
});

describe('lookup definition', () => {
  it('has found, notFound, error and locked edges', () => {
    expect(definition.edges({ lookup: { source: 's', key: 'k', into: 'r' }, found: 'a', notFound: 'b', error: 'c', locked: 'd' }).map((e) => e.label)).toEqual(['found', 'notFound', 'error', 'locked']);
  });

  it('makes the record readable by field', () => {
    expect(problems(steps({}))).toEqual([]);
  });

  it('checks the source name', () => {
    expect(problems(steps({ source: 'dbb' }))).toEqual(['unknown-data-source /steps/find/lookup/source']);
  });

  it('lets a secret be verified but not used as the key', () => {
    expect(problems(steps({ verify: { pin: '${pin}' } }, true))).toEqual([]);
    expect(problems(steps({ key: '${pin}' }, true))).toEqual(['secret-leak /steps/find/lookup/key']);
  });
});
