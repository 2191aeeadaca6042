import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { callCodes } from './call-codes.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

describe('call codes', () => {
  it('every code the engine reports is in the catalogue, and every catalogued code is used', () => {
    const root = new URL('../', import.meta.url).pathname;
    const sources = [
      ...files(join(root, 'compile')),
      join(root, 'runtime', 'call-session.ts'),
      join(root, 'runtime', 'engine.ts'),
      ...readdirSync(join(root, 'steps')).map((kind) => join(root, 'steps', kind, 'compile.ts')).filter((p) => existsSync(p)),
    ];
    const used = new Set<string>();
    for (const file of sources) {
      for (const m of readFileSync(file, 'utf8').matchAll(/code: '([a-z-]+)'|reject\('([a-z-]+)'/g)) used.add(m[1] ?? m[2]!);
    }
    expect([...used].sort()).toEqual(Object.keys(callCodes).sort());
  });
});
