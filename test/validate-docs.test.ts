/**
 * The README's reference sections are generated (`npx tsx scripts/gen-docs.ts`) and must be current, and the
 * code catalogue, the README and the codes the source reports agree (fastify style).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codes } from '../src/flow/codes.js';
import { STEP_KINDS } from '../src/flow/types.js';
import { README_PATH, codesReference, sectionBody, stepsReference } from '../scripts/gen-docs.js';

const readme = () => readFileSync(README_PATH, 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('README reference', () => {
  it('reference-steps is current (run `npx tsx scripts/gen-docs.ts`)', () => {
    expect(sectionBody(readme(), 'reference-steps')).toBe(stepsReference());
  });

  it('reference-codes is current (run `npx tsx scripts/gen-docs.ts`)', () => {
    expect(sectionBody(readme(), 'reference-codes')).toBe(codesReference());
  });

  it('documents every step kind and every code', () => {
    const text = readme();
    for (const kind of STEP_KINDS) expect(text).toContain(`### \`${kind}\``);
    for (const code of Object.keys(codes)) expect(text).toContain(`#### \`${code}\``);
  });

  it('every code the validator reports is in the catalogue', () => {
    const root = fileURLToPath(new URL('../src/', import.meta.url));
    const files = [...sourceFiles(join(root, 'flow')), ...sourceFiles(join(root, 'steps')).filter((f) => f.endsWith('definition.ts'))];
    const used = new Set<string>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/code: '([a-z0-9-]+)'|report\('([a-z0-9-]+)'|diag\(source, '([a-z0-9-]+)'|report\(name, '[^']*', '([a-z0-9-]+)'/g)) {
        used.add(m[1] ?? m[2] ?? m[3] ?? m[4]!);
      }
    }
    expect(used.size).toBeGreaterThan(30);
    expect([...used].filter((c) => !(c in codes))).toEqual([]);
  });
});
