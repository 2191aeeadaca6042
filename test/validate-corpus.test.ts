/**
 * The bad-input corpus: every file under test/corpus named `NN-name.yaml` states in header comments the
 * diagnostics it must produce (`# expect: unknown-step 12:15`), and produces exactly those.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFlowText } from '../src/flow/load.js';
import { codes } from '../src/flow/codes.js';

const dir = fileURLToPath(new URL('./corpus/', import.meta.url));
const files = readdirSync(dir).filter((f) => /^\d\d-.*\.ya?ml$/.test(f)).sort();

/** `# expect: code line:col` lines; a problem inside a sub-flow adds its path: `# expect: code 7:29 sub/x.yaml`. */
function expectations(bytes: Buffer): string[] {
  return [...bytes.toString('latin1').matchAll(/^# expect: (\S+ \d+:\d+(?: \S+)?)$/gm)].map((m) => m[1]!).sort();
}

function actual(bytes: Uint8Array, file: string): string[] {
  return loadFlowText(bytes, file)
    .diagnostics.map((d) => `${d.code} ${d.range?.start.line}:${d.range?.start.col}${d.file === file ? '' : ` ${relative(dir, d.file!)}`}`)
    .sort();
}

const seen = new Set<string>();

describe('bad-input corpus', () => {
  it('has at least 40 broken flows', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  for (const name of files) {
    it(name, () => {
      const bytes = readFileSync(join(dir, name));
      const expected = expectations(bytes);
      expect(expected.length, 'the file states what it expects').toBeGreaterThan(0);
      const got = actual(bytes, join(dir, name));
      got.forEach((g) => seen.add(g.split(' ')[0]!));
      expect(got).toEqual(expected);
    });
  }

  it('reports a 5 MB file without reading it as YAML', () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 'a: 1\n');
    const got = loadFlowText(big, 'big.yaml').diagnostics;
    expect(got.map((d) => `${d.code} ${d.range?.start.line}:${d.range?.start.col}`)).toEqual(['file-too-large 1:1']);
    seen.add('file-too-large');
  });

  it('survives 100,000 levels of nesting', () => {
    const deep = 'a: ' + '['.repeat(100_000) + ']'.repeat(100_000) + '\n';
    const got = loadFlowText(deep, 'deep.yaml').diagnostics;
    expect(got.map((d) => d.code)).toEqual(['too-deep']);
  });

  it('reports deep block nesting once', () => {
    const got = loadFlowText('- '.repeat(3000) + 'x\n', 'deep.yaml').diagnostics;
    expect(got.map((d) => d.code)).toEqual(['too-deep']);
  });

  it('survives an alias bomb of nine levels', () => {
    let text = 'l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i < 9; i++) text += `l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]\n`;
    const got = loadFlowText(text, 'bomb.yaml').diagnostics;
    expect(got.map((d) => d.code)).toEqual(['alias-bomb']);
  });

  it('exercises every code in the catalogue (except those only the CLI reports, which its test covers)', () => {
    const cliOnly = ['file-not-found', 'missing-sound', 'sounds-not-found'];
    const missing = Object.keys(codes).filter((c) => !seen.has(c) && !cliOnly.includes(c));
    expect(missing).toEqual([]);
  });
});
