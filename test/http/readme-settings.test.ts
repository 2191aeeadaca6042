/** The README's settings table, the settings list and the config schema must agree. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { configSchema, SETTINGS } from '../../src/config/schema.js';

type Node = { type?: string; properties?: Record<string, Node>; additionalProperties?: unknown };

/** Every setting path in the schema: leaves, and maps (`ari.routes`) as one setting. */
function schemaPaths(node: Node, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return child.type === 'object' && child.properties ? schemaPaths(child, path) : [path];
  });
}

function readmeRows(): { path: string; env: string; def: string }[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('<!-- BEGIN server -->'), readme.indexOf('<!-- END server -->'));
  return section
    .split('\n')
    .filter((line) => /^\| `[a-zA-Z.]+` \|/.test(line))
    .map((line) => {
      const cells = line.split(' | ').map((c) => c.replace(/^\| /, '').trim());
      return { path: cells[0]!.replace(/`/g, ''), env: cells[1]!.replace(/`/g, ''), def: cells[2]!.replace(/`/g, '') };
    });
}

describe('settings documentation', () => {
  it('lists every schema setting once, in the README table, with its variable and default', () => {
    const rows = readmeRows();
    expect(rows.map((r) => r.path).sort()).toEqual(schemaPaths(configSchema as unknown as Node).sort());
    expect(SETTINGS.map((s) => s.path).sort()).toEqual(rows.map((r) => r.path).sort());
    for (const s of SETTINGS) {
      const row = rows.find((r) => r.path === s.path)!;
      expect(row.env, s.path).toBe(s.env ?? '—');
      expect(row.def, s.path).toBe(s.default === undefined ? '—' : String(s.default));
    }
  });

  it('gives every variable the TOUCHTONE_ prefix and no two settings the same variable', () => {
    const envs = SETTINGS.flatMap((s) => (s.env ? [s.env] : []));
    expect(new Set(envs).size).toBe(envs.length);
    for (const e of envs) expect(e).toMatch(/^TOUCHTONE_[A-Z_]+$/);
  });
});
