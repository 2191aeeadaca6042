/** The examples in the README's testing section run as written. */
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseScenarioText } from '../../src/testing/scenario-parse.js';
import { runScenario } from '../../src/testing/run-scenarios.js';
import { compileFlowFile } from '../../src/testing/load-flow.js';

const readme = readFileSync('README.md', 'utf8');
const section = readme.slice(readme.indexOf('<!-- BEGIN testing -->'), readme.indexOf('<!-- END testing -->'));

it('the YAML scenario example passes against the default hotline', async () => {
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
  const parsed = parseScenarioText(yaml, resolve('flows/acme-hotline.test.yaml'));
  expect(parsed.diagnostics).toEqual([]);
  expect(parsed.scenarios.length).toBe(2);
  const flow = await compileFlowFile(parsed.flowPath!);
  for (const scenario of parsed.scenarios) {
    const result = await runScenario(flow, scenario);
    expect(result.failure?.message, scenario.name).toBeUndefined();
    expect(result.passed).toBe(true);
  }
});
