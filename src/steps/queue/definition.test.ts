import { describe, expect, it } from 'vitest';
import { definition } from './definition.js';
import { problems } from '../../flow/mini-flow.js';

describe('queue definition', () => {
  it('may end the call, and has noAgents, noFreeAgents and callback edges', () => {
    expect(definition.terminal).toBe(true);
    const step = { queue: { name: 'q', noAgents: 'a', noFreeAgents: 'b', callback: { key: '1' as const, next: 'c' } } };
    expect(definition.edges(step).map((e) => `${e.label}:${e.target}`)).toEqual(['noAgents:a', 'noFreeAgents:b', 'callback:c']);
  });

  it('checks the queue name and keeps secrets off the agent screen', () => {
    expect(problems({ main: { queue: { name: 'suport' } } })).toEqual(['unknown-queue /steps/main/queue/name']);
    const steps = { ask: { input: { prompt: 'hi', into: 'pin', secret: true }, next: 'q' }, q: { queue: { name: 'support', noAgents: 'bye', vars: { PIN: '${pin}' } } } };
    expect(problems(steps)).toEqual(['secret-leak /steps/q/queue/vars/PIN']);
  });
});
