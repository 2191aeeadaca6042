import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenarioText } from '../../src/testing/scenario-parse.js';
import { main } from '../../src/cli/main.js';
import { captureIO } from './capture-io.js';

const dir = 'test/testing/fixtures';

async function run(...args: string[]) {
  const io = captureIO();
  const code = await main(['test', ...args], io);
  return { code, out: io.text(), err: io.stderr.join('\n') };
}

describe('touchtone test', () => {
  it('passes a complete scenario file with 100 % coverage (exit 0)', async () => {
    const r = await run('--min-coverage', '100', `${dir}/pass`);
    expect(r.out).toContain('  ✓ yes');
    expect(r.out).toContain('  ✓ silence');
    expect(r.out).toContain('  ✓ wrong keys');
    expect(r.out).toMatch(/tiny \(test\/testing\/fixtures\/pass\/tiny\.yaml\): 100% covered \(steps 2\/2, options 1\/1, no-input\/no-match 3\/3/);
    expect(r.out).toContain('3 scenario(s): 3 passed, 0 failed');
    expect(r.code).toBe(0);
  });

  it('prints a failure at the scenario line with what was heard (exit 1)', async () => {
    const r = await run(`${dir}/fail`);
    expect(r.out).toContain('  ✓ passes');
    expect(r.out).toContain('  ✗ expects a prompt that never plays');
    expect(r.out).toContain(`${dir}/fail/tiny.test.yaml:10:9: Expected the caller to hear prompt \`sorry\`, but heard \`ask\` "Press 1 for yes.", \`bye\` "Goodbye."`);
    expect(r.code).toBe(1);
  });

  it('fails below --min-coverage, lists what is missing and prints skeletons', async () => {
    const r = await run('--min-coverage', '90', '--skeletons', `${dir}/fail`);
    expect(r.out).toMatch(/tiny .*: [0-9.]+% covered/);
    expect(r.out).toContain('missing: `ask` no input (timeout)');
    expect(r.out).toContain('coverage below 90%: tiny');
    expect(r.out).toContain('- name: "TODO: ask no input (timeout)"');
    expect(r.code).toBe(1);
  });

  it('writes skeletons to a folder, as scenario YAML whose only problems are the TODOs', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tt-skeletons-'));
    const r = await run('--skeletons-dir', out, `${dir}/fail`);
    expect(r.out).toContain(`skeletons for tiny`);
    const text = readFileSync(join(out, 'tiny.skeletons.yaml'), 'utf8');
    expect(text).toContain('- name: "TODO: ask no input (timeout)"');
    const parsed = parseScenarioText(text, join(out, 'tiny.skeletons.yaml'));
    expect(parsed.scenarios.length).toBeGreaterThan(0);
    expect(parsed.diagnostics.every((d) => d.message.includes('TODO'))).toBe(true);
  });

  it('rejects an invalid scenario file with its position (exit 2)', async () => {
    const r = await run(`${dir}/invalid`);
    expect(r.out).toContain(`${dir}/invalid/tiny.test.yaml:5:9: error scenario-unknown-step: Unknown scenario step \`pres\`.`);
    expect(r.out).toContain('  > 5 |       - pres: "1"');
    expect(r.code).toBe(2);
  });

  it('rejects names the flow does not define before running anything (exit 2)', async () => {
    const r = await run(`${dir}/unknown-names`);
    expect(r.out).toContain(`${dir}/unknown-names/acme.test.yaml:3:12: error scenario-unknown-name: Flow \`acme-hotline\` has no schedule \`ofice\`, so this \`hours\` entry would be ignored. Did you mean \`office\`?`);
    expect(r.out).toContain('  > 8 |     departments: { sales: busy, sals: busy }');
    expect(r.out).toContain('hint: Name one of its departments: `sales`.');
    expect(r.out).toContain('error scenario-unknown-name: Flow `acme-hotline` has no step `lookk`, so this expectation can never pass.');
    expect(r.out).toContain('error scenario-invalid-value: `transfered` is not an outcome kind. Did you mean `transferred`?');
    expect(r.out).toContain('error scenario-unknown-key: `reason` is not a field of a `hungup` outcome, so it can never match.');
    expect(r.out).toContain('0 scenario(s): 0 passed, 0 failed; 1 invalid scenario file(s)');
    expect(r.code).toBe(2);
  });

  it('fails (exit 1) when the flow under test has errors, and shows them', async () => {
    const r = await run(`${dir}/broken-flow`);
    expect(r.out).toContain('cannot be loaded');
    expect(r.out).toContain('unknown-step');
    expect(r.out).toContain('1 flow(s) with errors');
    expect(r.code).toBe(1);
  });

  it('points at `flow:` when the flow under test does not exist, and shows paths outside the working directory as given', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tt-missing-flow-'));
    writeFileSync(join(out, 'a.test.yaml'), 'flow: nope.yaml\nscenarios:\n  - { name: a, steps: [hangup] }\n');
    writeFileSync(join(out, 'b.test.yaml'), 'scenarios:\n  - { name: b, steps: [hangup] }\n');
    const r = await run(out);
    expect(r.out).toContain(`${out}/a.test.yaml:1:7: error scenario-flow: The flow \`${out}/nope.yaml\` that this file tests does not exist.\n  > 1 | flow: nope.yaml`);
    expect(r.out).toContain('hint: `flow:` is relative to the scenario file; point it at the flow file.');
    expect(r.out).toContain(`${out}/b.test.yaml: error scenario-flow: The flow \`${out}/b.yaml\` that this file tests does not exist.`);
    expect(r.out).toContain('hint: A scenario file tests the flow of the same name (`b.yaml`); add `flow: <file>` to test another one.');
    expect(r.out).not.toContain('file-not-found');
    expect(r.out).not.toContain('..');
    expect(r.code).toBe(1);
  });

  it('exits 2 for a path that does not exist, a folder without scenarios, or a bad option', async () => {
    const missing = await run('no/such/dir', '/nonexist');
    expect(missing.code).toBe(2);
    expect(missing.err).toBe('touchtone test: `no/such/dir`, `/nonexist` do not exist; give scenario files or folders that hold them.');
    expect((await run('/nonexist')).err).toBe('touchtone test: `/nonexist` does not exist; give scenario files or folders that hold them.');
    expect((await run('src/graph')).code).toBe(2);
    const bad = await run('--min-coverage', 'lots', `${dir}/pass`);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('`--min-coverage lots` is not a percentage');
  });

  it('writes JSON for tools', async () => {
    const r = await run('--format', 'json', `${dir}/fail`);
    const json = JSON.parse(r.out) as { files: { scenarios: { passed: boolean; failure?: { line: number } }[] }[]; coverage: { percent: number }[] };
    expect(json.files[0]!.scenarios.map((s) => s.passed)).toEqual([true, false]);
    expect(json.files[0]!.scenarios[1]!.failure!.line).toBe(10);
    expect(json.coverage[0]!.percent).toBeLessThan(100);
  });
});
