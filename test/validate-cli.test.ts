/**
 * Golden output of `touchtone validate`, run in-process through `main()`. Rewrite the golden files with
 * `UPDATE_GOLDEN=1 npx vitest run test/validate-cli.test.ts` and review the diff.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { CliIO } from '../src/cli/io.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}.txt`, import.meta.url));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (t) => void (out += t.endsWith('\n') ? t : t + '\n'),
    err: (t) => void (err += t.endsWith('\n') ? t : t + '\n'),
    isTTY: false,
    cwd: root,
    env: {},
  };
  const code = await main(args, io);
  return { code, out, err };
}

function matchGolden(name: string, text: string): void {
  const path = golden(name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

const cases: { name: string; args: string[]; code: number }[] = [
  { name: 'valid-flows', args: ['validate', 'flows'], code: 0 },
  { name: 'unknown-step', args: ['validate', 'test/corpus/23-unknown-step.yaml'], code: 1 },
  { name: 'shape-errors', args: ['validate', 'test/corpus/14-unknown-option.yaml', 'test/corpus/22-invalid-duration.yaml', 'test/corpus/12-unknown-step-kind.yaml'], code: 1 },
  { name: 'combined', args: ['validate', 'test/corpus/66-combined-typos.yaml', 'test/corpus/68-combined-broken-table.yaml'], code: 1 },
  { name: 'yaml-problems', args: ['validate', 'test/corpus/03-tabs.yaml', 'test/corpus/04-unclosed-quote.yaml', 'test/corpus/08-not-utf8.yaml', 'test/corpus/11-unquoted-hash.yaml'], code: 1 },
  { name: 'warning-only', args: ['validate', 'test/corpus/33-ambiguous-option.yaml'], code: 0 },
  { name: 'warning-strict', args: ['validate', '--strict', 'test/corpus/33-ambiguous-option.yaml'], code: 1 },
  { name: 'json', args: ['validate', '--format', 'json', 'test/corpus/31-no-way-out.yaml'], code: 1 },
  { name: 'github', args: ['validate', '--format', 'github', 'test/corpus/31-no-way-out.yaml', 'test/corpus/65-error-in-subflow.yaml'], code: 1 },
];

describe('touchtone validate (golden output)', () => {
  for (const c of cases) {
    it(`${c.name}: exit ${c.code}`, async () => {
      const { code, out, err } = await run(c.args);
      matchGolden(c.name, out + (err ? `--- stderr ---\n${err}` : ''));
      expect(code).toBe(c.code);
    });
  }

  it('prints nothing but a summary for the shipped flows and examples', async () => {
    const { code, out, err } = await run(['validate', 'flows', 'examples']);
    expect(err).toBe('');
    expect(out).toMatch(/^✓ \d+ flow files? checked: no problems\.\n$/);
    expect(code).toBe(0);
  });

  it('reports a path that does not exist as file-not-found, like graph and simulate, and checks the others', async () => {
    const { code, out, err } = await run(['validate', 'no/such/flow.yaml', 'flows/acme-hotline.yaml']);
    expect(err).toBe('');
    expect(out).toContain(`no/such/flow.yaml:1:1: error file-not-found: \`${join(root, 'no/such/flow.yaml')}\` does not exist.\n  hint: Check the path`);
    expect(out).toMatch(/^✗ 2 flow files checked: 1 error, 0 warnings\.$/m);
    expect(code).toBe(1);
  });

  it('reports a --sounds folder that does not exist once, instead of every sound as missing', async () => {
    const { code, out } = await run(['validate', '--sounds', 'no/such/sounds', 'flows/acme-hotline.yaml']);
    expect(out).toMatch(/^no\/such\/sounds: error sounds-not-found: The sounds folder `no\/such\/sounds` does not exist, so no sound file could be checked\.$/m);
    expect(out).not.toContain('missing-sound');
    expect(out).toMatch(/1 error, 0 warnings\.$/m);
    expect(code).toBe(1);
  });

  it('warns about sound files missing for a language with --sounds, and fails on it only with --strict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'touchtone-sounds-'));
    try {
      const acme = readFileSync(join(root, 'flows/acme-hotline.yaml'), 'utf8');
      const sounds = [...acme.matchAll(/sound: (acme\/[a-z-]+)/g)].map((m) => m[1]!);
      mkdirSync(join(dir, 'en', 'acme'), { recursive: true });
      for (const sound of sounds.filter((s) => s !== 'acme/costs')) writeFileSync(join(dir, 'en', `${sound}.wav`), '');
      const lenient = await run(['validate', '--sounds', dir, 'flows/acme-hotline.yaml']);
      expect(lenient.out).toMatch(/^flows\/acme-hotline\.yaml:\d+:\d+: warning missing-sound: Sound `acme\/costs` of prompt `costs` is missing for `en`/m);
      expect(lenient.out).toMatch(/0 errors, 1 warning\.$/m);
      expect(lenient.code).toBe(0);
      expect((await run(['validate', '--strict', '--sounds', dir, 'flows/acme-hotline.yaml'])).code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 for a folder without flows', async () => {
    const { code, err } = await run(['validate', 'test/golden']);
    expect(code).toBe(2);
    expect(err).toContain('found no flow files');
  });

  it('exits 2 for an unknown format', async () => {
    const { code, err } = await run(['validate', '--format', 'xml', 'flows']);
    expect(code).toBe(2);
    expect(err).toContain('`--format xml` is not a format');
  });

  it('exits 2 for an unknown option', async () => {
    const { code } = await run(['validate', '--strcit', 'flows']);
    expect(code).toBe(2);
  });

  it('checks a folder of broken flows, skipping sub-flow helpers only by content', async () => {
    const { code, out } = await run(['validate', 'test/corpus']);
    expect(code).toBe(1);
    expect(out).toMatch(/flow files checked: \d+ errors, \d+ warnings\.$/m);
  });
});
