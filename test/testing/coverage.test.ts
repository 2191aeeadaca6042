import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { FlowDoc } from '../../src/flow/types.js';
import type { TraceEntry } from '../../src/runtime/services.js';
import { computeCoverage, coverageItems, coveragePercent, formatCoverage, missingItems } from '../../src/testing/coverage.js';
import { skeletons } from '../../src/testing/skeletons.js';

const acme = parse(readFileSync('flows/acme-hotline.yaml', 'utf8')) as FlowDoc;

type Evidence = TraceEntry extends infer T ? (T extends TraceEntry ? Omit<T, 'at' | 'step'> : never) : never;

/** A trace as the engine writes it: steps, with the evidence entries in between. */
function trace(...items: (string | Evidence)[]): TraceEntry[] {
  let step = '';
  return items.map((item, at) => {
    if (typeof item === 'string') {
      step = item;
      return { at, type: 'step', step: item, kind: 'x' } as TraceEntry;
    }
    return { at, step, ...item } as TraceEntry;
  });
}

describe('coverage items', () => {
  it('lists steps, options, no-input/no-match, lookup, transfer, queue and hours outcomes', () => {
    const ids = coverageItems(acme).map((i) => i.id);
    expect(ids).toContain('step:technical-problem');
    expect(ids).toContain('branch:main:option 4');
    expect(ids).toContain('event:main:noInput');
    expect(ids).toContain('event:balance:noMatch');
    expect(ids).toContain('branch:main:exhausted');
    expect(ids).toContain('branch:find-account:notFound');
    expect(ids).toContain('branch:office:closed');
    expect(ids).toContain('branch:sales:noAnswer');
    expect(ids).toContain('end:sales:answered');
    expect(ids).toContain('end:agent:queued');
    expect(ids).toContain('branch:agent:noAgents');
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('computeCoverage', () => {
  it('credits the edge a call took, told apart by the trace when two edges share a target', () => {
    const busy = trace('welcome', 'office', { type: 'match', entry: 'office', result: 'open' }, 'main', { type: 'match', entry: '4', result: 'sales' }, 'sales', { type: 'match', entry: 'sales', result: 'busy' }, 'sales-busy');
    const c = computeCoverage(acme, [{ trace: busy }]);
    expect(c.covered.has('branch:sales:busy')).toBe(true);
    expect(c.covered.has('branch:sales:noAnswer')).toBe(false);
    expect(c.covered.has('branch:main:option 4')).toBe(true);
    expect(c.covered.has('branch:office:open')).toBe(true);
    expect(c.covered.has('step:sales-busy')).toBe(true);
  });

  it('does not take notFound for found, and tells option 0 from retries running out', () => {
    const calls = [
      { trace: trace('find-account', { type: 'lookup', source: 'accounts', result: 'notFound', ms: 1 }, 'unknown-account') },
      { trace: trace('main', { type: 'timer', timer: 'noInput' }, { type: 'timer', timer: 'noInput' }, { type: 'timer', timer: 'noInput' }, 'agent') },
    ];
    const c = computeCoverage(acme, calls);
    expect(c.covered.has('branch:find-account:notFound')).toBe(true);
    expect(c.covered.has('branch:find-account:found')).toBe(false);
    expect(c.covered.has('event:main:noInput')).toBe(true);
    expect(c.covered.has('event:main:noMatch')).toBe(false);
    expect(c.covered.has('branch:main:exhausted')).toBe(true);
    expect(c.covered.has('branch:main:option 0')).toBe(false);
  });

  it('credits leaving the flow from the outcome', () => {
    const c = computeCoverage(acme, [{ trace: trace('agent'), outcome: { kind: 'queued', step: 'agent', queue: 'support' } }]);
    expect(c.covered.has('end:agent:queued')).toBe(true);
    expect(c.covered.has('end:sales:answered')).toBe(false);
  });

  it('reports a percentage and lists what is missing, and skeletons reach the missing items', () => {
    const c = computeCoverage(acme, [{ trace: trace('welcome', 'office', { type: 'match', entry: 'office', result: 'open' }, 'main') }]);
    const pct = coveragePercent(c);
    expect(pct).toBeGreaterThan(0);
    expect(pct).toBeLessThan(20);
    const report = formatCoverage([c]);
    expect(report).toMatch(/^acme-hotline: [0-9.]+% covered \(steps 3\/20, /);
    expect(report).toContain('missing: `sales` busy → `sales-busy`');
    const text = skeletons(acme, c);
    expect(text.match(/- name:/g)?.length).toBe(missingItems(c).length);
    expect(text).toContain('departments: { sales: busy }');
    expect(text).toContain('hours: { office: closed }');
    expect(text).toContain('- press: "4"');
    expect(coveragePercent({ ...c, items: [] })).toBe(100);
  });
});

describe('flow-wide keys', () => {
  it('are one item each, placed at the first menu or input where they act', () => {
    const keys = coverageItems(acme).filter((i) => i.kind === 'key');
    // `main` has its own option 0, so the flow-wide 0 acts first at the account prompt.
    expect(keys).toEqual([
      { id: 'key:0', kind: 'key', step: 'balance', label: 'key 0', target: 'agent', text: 'flow-wide key `0` → `agent`' },
      { id: 'key:*', kind: 'key', step: 'main', label: 'key *', target: 'back', text: 'flow-wide key `*` → `back`' },
    ]);
    const off = parse('flow: k\nlanguage: en\nstart: m\nprompts: { p: P }\nkeys: { "9": bye }\nsteps:\n  m: { menu: { prompt: p, options: { "1": bye }, keys: { "9": null } } }\n  bye: { hangup: true }\n') as FlowDoc;
    expect(coverageItems(off).filter((i) => i.kind === 'key')).toEqual([]);
  });

  it('are covered by a call that used one where it acts, not by an option with the same key', () => {
    const atMain = trace('welcome', 'office', { type: 'match', entry: 'office', result: 'open' }, 'main', { type: 'match', entry: '0', result: 'agent' }, 'agent');
    expect(computeCoverage(acme, [{ trace: atMain }]).covered.has('key:0')).toBe(false);
    const atBalance = trace('main', { type: 'match', entry: '1', result: 'balance' }, 'balance', { type: 'match', entry: '0', result: 'agent' }, 'agent');
    const c = computeCoverage(acme, [{ trace: atBalance }]);
    expect(c.covered.has('key:0')).toBe(true);
    expect(c.covered.has('branch:balance:next')).toBe(false);
    const back = trace('prices', { type: 'match', entry: '*', result: 'back' }, 'main');
    expect(computeCoverage(acme, [{ trace: back }]).covered.has('key:*')).toBe(true);
  });

  it('are covered by a call that used one in a menu inlined from a sub-flow, where they act too', () => {
    const doc = parse('flow: k\nlanguage: en\nstart: m\nprompts: { p: P }\nkeys: { "0": agent }\nsteps:\n  m: { menu: { prompt: p, options: { "1": lang } } }\n  lang: { subflow: { file: lang.yaml }, next: bye }\n  agent: { queue: support }\n  bye: { hangup: true }\n') as FlowDoc;
    const inSubflow = trace('m', { type: 'match', entry: '1', result: 'lang' }, 'lang', 'lang/ask', { type: 'match', entry: '0', result: 'agent' }, 'agent');
    expect(computeCoverage(doc, [{ trace: inSubflow }]).covered.has('key:0')).toBe(true);
    // The sub-flow's own key of that name (its target is qualified with the call step) is not the flow-wide one.
    const own = trace('m', { type: 'match', entry: '1', result: 'lang' }, 'lang', 'lang/ask', { type: 'match', entry: '0', result: 'lang/agent' }, 'lang/agent');
    expect(computeCoverage(doc, [{ trace: own }]).covered.has('key:0')).toBe(false);
  });

  it('get skeletons that press the key where it acts', () => {
    const c = computeCoverage(acme, []);
    const text = skeletons(acme, c);
    expect(text).toContain(['  - name: "TODO: flow-wide key 0 → agent"', '    hours: { office: open }', '    steps:', '      - press: "1"', '      - press: "0"', '      - expect step: agent'].join('\n'));
    expect(text).toContain('      - press: "*"\n      - expect prompt: TODO  # what the caller hears after `back`');
  });
});
