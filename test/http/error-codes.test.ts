/** Every code the server reports is in the catalogue and the README, and every catalogued code is used. */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serverCodes } from '../../src/http/error-codes.js';

function sources(): string {
  const dirs = ['src/config', 'src/http', 'src/server'];
  const files = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'error-codes.ts').map((f) => join(d, f)));
  return [...files, 'src/cli/serve.ts'].map((f) => readFileSync(f, 'utf8')).join('\n');
}

describe('server codes', () => {
  it('catalogues exactly the codes the server uses', () => {
    const used = new Set([...sources().matchAll(/(?:code: '|sendError\(res, \d+, ')([a-z-]+)'/g)].map((m) => m[1]!));
    expect([...used].sort()).toEqual(Object.keys(serverCodes).sort());
  });

  it('lists every code in the README server section', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('<!-- BEGIN server -->'), readme.indexOf('<!-- END server -->'));
    for (const [code, meaning] of Object.entries(serverCodes)) expect(section, code).toContain(`| \`${code}\` | ${meaning} |`);
  });
});
