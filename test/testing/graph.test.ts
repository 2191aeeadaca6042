import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { mermaid } from '../../src/graph/mermaid.js';
import type { FlowDoc } from '../../src/flow/types.js';
import { captureIO } from './capture-io.js';

const acme = parse(readFileSync('flows/acme-hotline.yaml', 'utf8')) as FlowDoc;

describe('mermaid', () => {
  it('draws every step once, shaped by kind, and labels edges as callers know them', () => {
    const text = mermaid(acme);
    expect(text.startsWith('flowchart TD\n')).toBe(true);
    for (const step of Object.keys(acme.steps)) expect(text).toContain(`s_${step.replace(/-/g, '_')}`);
    expect(text).toContain('s_main{{"main<br/><small>menu</small>"}}');
    expect(text).toContain('s_main -- "1" --> s_balance');
    expect(text).toContain('s_main -- "0, timeout / invalid" --> s_agent');
    expect(text).toContain('s_find_account -- "error" --> s_agent');
    expect(text).toContain('s_sales -- "busy, noAnswer" --> s_sales_busy');
    expect(text).toContain('s_welcome --> s_office');
    expect(text).toContain('error[/"any step on error"/] -. "error" .-> s_technical_problem');
  });

  it('names explicit no-input and no-match routes and keeps ids unique', () => {
    const flow = {
      flow: 'x',
      language: 'en',
      start: 'a-b',
      steps: {
        'a-b': { menu: { prompt: 'p', options: { '1': 'a_b', '*': 'back' }, noInput: { next: 'a_b' } }, exhausted: 'a_b' },
        a_b: { hangup: true },
      },
    } as unknown as FlowDoc;
    const text = mermaid(flow);
    expect(text).toContain('s_a_b -- "1, timeout, invalid" --> s_a_b_2');
    expect(text).toContain('s_a_b -- "*" --> a_back');
    expect(text).toContain('a_back(("back"))');
  });

  it('is the diagram shown in the README', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('<!-- BEGIN testing -->'), readme.indexOf('<!-- END testing -->'));
    const block = /```mermaid\n([\s\S]*?)```/.exec(section);
    expect(block?.[1], 'README testing section has no mermaid block; paste `touchtone graph --markdown flows/acme-hotline.yaml`').toBe(mermaid(acme));
  });
});

describe('touchtone graph', () => {
  it('prints the diagram of a valid flow', async () => {
    const io = captureIO();
    expect(await main(['graph', 'flows/acme-hotline.yaml'], io)).toBe(0);
    expect(io.text()).toBe(mermaid(acme).trimEnd());
  });

  it('prints diagnostics and exits 1 for a flow with errors', async () => {
    const io = captureIO();
    expect(await main(['graph', 'no/such/flow.yaml'], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('file-not-found');
  });
});
