import { describe, expect, it } from 'vitest';
import { parseScenarioText, promptMatcher } from '../../src/testing/scenario-parse.js';
import { checkFlowNames } from '../../src/testing/flow-names.js';
import { compileFlowFile } from '../../src/testing/load-flow.js';

const file = '/tmp/flows/acme.test.yaml';

describe('parseScenarioText', () => {
  it('reads scenarios, their setup and their steps with lines', () => {
    const text = [
      'defaults:',
      '  now: 2026-12-07T10:00:00+01:00',
      '  data: { accounts: [{ number: "123456", balance: 5 }] }',
      'scenarios:',
      '  - name: agent',
      '    hours: { office: closed }',
      '    queues: { support: none }',
      '    departments: { sales: busy }',
      '    lookups: { accounts: error, prices: { slow: 5s } }',
      '    steps:',
      '      - expect prompt: [welcome, /Balance/i]',
      '      - press: 0',
      '      - press: { keys: "123#", gap: 500ms }',
      '      - wait: 6s',
      '      - expect step: agent',
      '      - expect variable: { account: "123456" }',
      '      - hangup',
      '      - expect outcome: { kind: queued, queue: support }',
    ].join('\n');
    const parsed = parseScenarioText(text, file);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.flowPath).toBe('/tmp/flows/acme.yaml');
    const [s] = parsed.scenarios;
    expect(s!.name).toBe('agent');
    expect(s!.at.line).toBe(5);
    expect(s!.setup).toMatchObject({
      now: '2026-12-07T10:00:00+01:00',
      data: { accounts: [{ number: '123456', balance: 5 }] },
      hours: { office: 'closed' },
      queues: { support: 'none' },
      departments: { sales: 'busy' },
      lookups: { accounts: { kind: 'error' }, prices: { kind: 'slow', delayMs: 5000 } },
    });
    expect(s!.steps.map((st) => [st.kind, st.at.line])).toEqual([
      ['expectPrompt', 11],
      ['press', 12],
      ['press', 13],
      ['wait', 14],
      ['expectStep', 15],
      ['expectVariable', 16],
      ['hangup', 17],
      ['expectOutcome', 18],
    ]);
    expect(s!.steps[1]).toMatchObject({ keys: '0' });
    expect(s!.steps[2]).toMatchObject({ keys: '123#', gapMs: 500 });
    expect(s!.steps[0]).toMatchObject({ prompts: ['welcome', /Balance/i] });
  });

  it('keeps leading zeros of unquoted keys', () => {
    const parsed = parseScenarioText('scenarios:\n  - name: a\n    steps:\n      - press: 007\n', file);
    expect(parsed.scenarios[0]!.steps[0]).toMatchObject({ keys: '007' });
  });

  it('reports unknown keys and bad values with their position', () => {
    const text = ['scenarios:', '  - name: a', '    hours: { office: shut }', '    colour: red', '    steps:', '      - presss: "1"', '      - wait: soon'].join('\n');
    const { diagnostics } = parseScenarioText(text, file);
    expect(diagnostics.map((d) => [d.code, d.range?.start.line, d.range?.start.col])).toEqual([
      ['scenario-invalid-value', 3, 22],
      ['scenario-unknown-key', 4, 5],
      ['scenario-unknown-step', 6, 9],
      ['scenario-invalid-value', 7, 15],
    ]);
    expect(diagnostics[0]!.message).toBe('`shut` is not an hours fake.');
    expect(diagnostics[2]!.hint).toContain('`press`');
  });

  it('reads talkTime as a duration, and reports one that is not', () => {
    const ok = parseScenarioText('scenarios:\n  - name: a\n    talkTime: 2m\n    steps: [hangup]\n', file);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.scenarios[0]!.setup.talkMs).toBe(120_000);
    const bad = parseScenarioText('scenarios:\n  - name: a\n    talkTime: long\n    steps: [hangup]\n', file);
    expect(bad.diagnostics.map((d) => [d.code, d.range?.start.line, d.message])).toEqual([['scenario-invalid-value', 3, '`talkTime` needs a duration such as `2m` or `45s`, not `long`.']]);
  });

  it('reads missingSounds as a list of names, and reports anything else', () => {
    const ok = parseScenarioText('scenarios:\n  - name: a\n    missingSounds: [welcome, acme/main-menu]\n    steps: [hangup]\n', file);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.scenarios[0]!.setup.missingSounds).toEqual(['welcome', 'acme/main-menu']);
    const bad = parseScenarioText('scenarios:\n  - name: a\n    missingSounds: welcome\n    steps: [hangup]\n', file);
    expect(bad.diagnostics.map((d) => [d.code, d.range?.start.line, d.range?.start.col, d.message])).toEqual([
      ['scenario-invalid-value', 3, 20, '`missingSounds` must list prompt names or sound files, like `[welcome, acme/main-menu]`.'],
    ]);
  });

  it('reports YAML syntax errors, missing scenarios and duplicate names', () => {
    expect(parseScenarioText('scenarios: [', file).diagnostics[0]!.code).toBe('scenario-yaml');
    expect(parseScenarioText('flow: x.yaml', file).diagnostics[0]!.code).toBe('scenario-missing-key');
    const dup = parseScenarioText('scenarios:\n  - { name: a, steps: [hangup] }\n  - { name: a, steps: [hangup] }\n', file);
    expect(dup.diagnostics.map((d) => d.code)).toEqual(['scenario-duplicate-name']);
  });

  it('reports an outcome kind or field that no outcome has, with a did-you-mean', () => {
    const text = ['scenarios:', '  - name: a', '    steps:', '      - expect outcome: transfered', '      - expect outcome: { kind: hungup, reason: gone }', '      - expect outcome: { qeue: support }'].join('\n');
    const { diagnostics } = parseScenarioText(text, file);
    expect(diagnostics.map((d) => [d.code, d.range?.start.line, d.range?.start.col, d.message, d.hint])).toEqual([
      ['scenario-invalid-value', 4, 25, '`transfered` is not an outcome kind. Did you mean `transferred`?', 'Use one of `completed`, `hungup`, `transferred`, `queued`, `failed`.'],
      ['scenario-unknown-key', 5, 41, '`reason` is not a field of a `hungup` outcome, so it can never match.', 'Use `kind`, `step`.'],
      ['scenario-unknown-key', 6, 27, '`qeue` is not a field of an outcome, so it can never match. Did you mean `queue`?', 'Use `kind`, `step`, `department`, `queue`, `code`, `reason`.'],
    ]);
  });

  it('checks the names of schedules, data sources, departments, queues, steps and prompts against the flow', async () => {
    const text = [
      'defaults:',
      '  hours: { ofice: closed, office: open }',
      'scenarios:',
      '  - name: a',
      '    data: { acts: [] }',
      '    lookups: { accounts: error, acts: error }',
      '    departments: { sales: busy, sals: busy }',
      '    queues: { suport: none }',
      '    steps:',
      '      - expect prompt: [welcome, okk, /anything/]',
      '      - expect step: mian',
      '      - expect outcome: { kind: hungup, step: find-acount }',
    ].join('\n');
    const flow = await compileFlowFile('flows/acme-hotline.yaml');
    const diagnostics = checkFlowNames(parseScenarioText(text, file), flow);
    expect(diagnostics.map((d) => [d.code, d.range?.start.line, d.range?.start.col])).toEqual([
      ['scenario-unknown-name', 2, 12],
      ['scenario-unknown-name', 5, 13],
      ['scenario-unknown-name', 6, 33],
      ['scenario-unknown-name', 7, 33],
      ['scenario-unknown-name', 8, 15],
      ['scenario-unknown-name', 10, 34],
      ['scenario-unknown-name', 11, 22],
      ['scenario-unknown-name', 12, 47],
    ]);
    expect(diagnostics[0]!.message).toBe('Flow `acme-hotline` has no schedule `ofice`, so this `hours` entry would be ignored. Did you mean `office`?');
    expect(diagnostics[0]!.hint).toBe('Name one of its schedules: `office`.');
    expect(diagnostics[3]!.message).toBe('Flow `acme-hotline` has no department `sals`, so this `departments` entry would be ignored. Did you mean `sales`?');
    expect(diagnostics[6]!.message).toBe('Flow `acme-hotline` has no step `mian`, so this expectation can never pass. Did you mean `main`?');
  });

  it('knows the steps and prompts of sub-flows (`<callStep>/<subStep>`)', async () => {
    const text = ['scenarios:', '  - name: a', '    steps:', '      - expect prompt: choose', '      - expect step: choose-language/ask', '      - expect step: choose-language/asc'].join('\n');
    const flow = await compileFlowFile('examples/clinic/clinic.yaml');
    const diagnostics = checkFlowNames(parseScenarioText(text, file), flow);
    expect(diagnostics.map((d) => [d.range?.start.line, d.message])).toEqual([[6, 'Flow `clinic` has no step `choose-language/asc`, so this expectation can never pass. Did you mean `choose-language/ask`?']]);
  });

  it('resolves `flow:` relative to the scenario file', () => {
    expect(parseScenarioText('flow: ../x.yaml\nscenarios:\n  - { name: a, steps: [hangup] }\n', file).flowPath).toBe('/tmp/x.yaml');
  });
});

describe('promptMatcher', () => {
  it('reads /…/flags as a regular expression and anything else as a name', () => {
    expect(promptMatcher('main-menu')).toBe('main-menu');
    expect(promptMatcher('/press 1/i')).toEqual(/press 1/i);
    expect(promptMatcher('/(/')).toBeUndefined();
  });
});
