import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFlowFiles, isFlowFileName } from './find-flows.js';

const dir = mkdtempSync(join(tmpdir(), 'touchtone-find-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('findFlowFiles', () => {
  it('finds YAML files with a top-level flow or steps key, skipping scenarios, data, node_modules and hidden folders', async () => {
    mkdirSync(join(dir, 'sub'));
    mkdirSync(join(dir, 'node_modules'));
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'a.yaml'), 'flow: a\n');
    writeFileSync(join(dir, 'sub', 'b.yml'), '# comment\nsteps: {}\n');
    writeFileSync(join(dir, 'a.test.yaml'), 'flow: a\n');
    writeFileSync(join(dir, 'data.yaml'), 'accounts: []\n');
    writeFileSync(join(dir, 'node_modules', 'c.yaml'), 'flow: c\n');
    writeFileSync(join(dir, '.git', 'd.yaml'), 'flow: d\n');
    writeFileSync(join(dir, 'notes.txt'), 'flow: e\n');
    expect(await findFlowFiles(dir)).toEqual([join(dir, 'a.yaml'), join(dir, 'sub', 'b.yml')]);
  });

  it('judges names', () => {
    expect(isFlowFileName('x.yaml')).toBe(true);
    expect(isFlowFileName('x.YML')).toBe(true);
    expect(isFlowFileName('x.test.yaml')).toBe(false);
    expect(isFlowFileName('x.json')).toBe(false);
  });
});
