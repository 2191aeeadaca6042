/**
 * The error codes of AMI, callbacks and prompts are a public catalogue: every code the code can produce is in
 * the docs, and the docs list no code the code does not have.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const CODE = /(?:'|`)((?:ami|callback|prompt)-[a-z]+(?:-[a-z]+)*)(?:'|`)/g;

function codesIn(text: string): Set<string> {
  return new Set([...text.matchAll(CODE)].map((m) => m[1]!));
}

function sources(dir: string): string {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => readFileSync(join(root, dir, f), 'utf8'))
    .join('\n');
}

describe('error code catalogue', () => {
  // The queue step and the server's wiring report callback codes too (trace notes, refusals).
  const code = codesIn(['src/telephony/ami', 'src/callbacks', 'src/prompts', 'src/steps/queue', 'src/server'].map(sources).join('\n'));
  const docs = codesIn(['docs/asterisk-queues-callbacks.md', 'docs/prompts.md'].map((f) => readFileSync(join(root, f), 'utf8')).join('\n'));

  it('has codes to check', () => {
    expect(code.size).toBeGreaterThan(20);
  });

  it('documents every code the code produces', () => {
    expect([...code].filter((c) => !docs.has(c))).toEqual([]);
  });

  it('documents no code the code does not produce', () => {
    expect([...docs].filter((c) => !code.has(c))).toEqual([]);
  });
});
