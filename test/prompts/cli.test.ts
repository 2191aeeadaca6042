import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { runPromptsCommand } from '../../src/cli/prompts.js';
import type { Synthesizer } from '../../src/prompts/render.js';
import { encodeWav } from '../../src/prompts/wav.js';

const SHOP = `flow: shop
language: en
languages: [en, de]
start: hello
prompts:
  hello: { sound: shop/hello, text: { en: "Hello.", de: "Hallo." } }
  bye: "Goodbye."
steps:
  hello: { play: [hello, { sound: shop/beep, text: beep }], next: end }
  end: { hangup: [bye] }
`;
const EVIL = `flow: evil
language: en
start: hello
prompts:
  hello: { sound: ../../../etc/evil, text: "Hello." }
steps:
  hello: { hangup: [hello] }
`;

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

function workspace(files: Record<string, string>): { cwd: string; sounds: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'touchtone-prompts-cli-'));
  dirs.push(cwd);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(cwd, name, '..'), { recursive: true });
    writeFileSync(join(cwd, name), text);
  }
  const sounds = join(cwd, 'sounds');
  mkdirSync(join(sounds, 'de/shop'), { recursive: true });
  writeFileSync(join(sounds, 'de/shop/hello.gsm'), '');
  return { cwd, sounds };
}

function io(cwd: string, env: Record<string, string> = {}): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), isTTY: false, cwd, env, stdout, stderr };
}

const tts: Synthesizer = { name: 'fake-tts', synthesize: async () => encodeWav(new Int16Array(80)) };

describe('touchtone prompts', () => {
  it('lists every prompt per language with its text, sound and whether the file exists', async () => {
    const { cwd } = workspace({ 'flows/shop.yaml': SHOP });
    const out = io(cwd, { TOUCHTONE_SOUNDS_DIR: 'sounds' });
    expect(await main(['prompts'], out)).toBe(0);
    expect(out.stdout.join('\n')).toBe(
      [
        `Sounds folder: ${join(cwd, 'sounds')}`,
        '',
        'shop (flows/shop.yaml)',
        '  ✗ en    hello     shop/hello (missing)  "Hello."',
        '  ✓ de    hello     de/shop/hello.gsm     "Hallo."',
        '  ✗ en    bye       bye (missing)         "Goodbye."',
        '  ✗ de    bye       bye (missing)         "Goodbye."',
        '  ✗ en    (inline)  shop/beep (missing)   "beep"',
        '  ✗ de    (inline)  shop/beep (missing)   "beep"',
        '',
        '6 prompts: 1 present, 5 missing.',
        'Run with `--render` to make the missing ones from their text with espeak-ng.',
      ].join('\n'),
    );
  });

  it('prints JSON with --format json, and --sounds-dir wins over the environment', async () => {
    const { cwd } = workspace({ 'flows/shop.yaml': SHOP });
    const out = io(cwd, { TOUCHTONE_SOUNDS_DIR: '/nonexistent' });
    expect(await main(['prompts', 'flows/shop.yaml', '--format', 'json', '--sounds-dir', 'sounds'], out)).toBe(0);
    const json = JSON.parse(out.stdout.join('\n'));
    expect(json.soundsDir).toBe(join(cwd, 'sounds'));
    expect(json.counts).toEqual({ present: 1, missing: 5, rendered: 0, pattern: 0, failed: 0, refused: 0 });
    expect(json.prompts[1]).toEqual({
      file: 'flows/shop.yaml', flow: 'shop', prompt: 'hello', origin: 'prompt', pointer: '/prompts/hello', language: 'de', text: 'Hallo.', sound: 'shop/hello',
      state: 'present', exists: true, path: 'de/shop/hello.gsm',
    });
  });

  it('takes the sounds folder from touchtone.yaml, as `serve` does', async () => {
    const { cwd } = workspace({ 'flows/shop.yaml': SHOP, 'touchtone.yaml': 'sounds: { dir: sounds }\n' });
    const out = io(cwd);
    expect(await main(['prompts'], out)).toBe(0);
    expect(out.stdout.join('\n')).toContain(`Sounds folder: ${join(cwd, 'sounds')}\n`);
    expect(out.stdout.join('\n')).toContain('✓ de    hello');
  });

  it('says so when the settings are broken, and falls back to TOUCHTONE_SOUNDS_DIR', async () => {
    const { cwd } = workspace({ 'flows/shop.yaml': SHOP, 'touchtone.yaml': 'sounds: { folder: x }\n' });
    const out = io(cwd, { TOUCHTONE_SOUNDS_DIR: 'sounds' });
    expect(await main(['prompts'], out)).toBe(0);
    expect(out.stderr.join('\n')).toContain('have errors, so their `sounds.dir` is not used');
    expect(out.stdout.join('\n')).toContain(`Sounds folder: ${join(cwd, 'sounds')}`);
  });

  it('renders the missing sounds into the folder with --render', async () => {
    const { cwd, sounds } = workspace({ 'flows/shop.yaml': SHOP });
    const out = io(cwd);
    expect(await runPromptsCommand([], { format: 'text', render: true, soundsDir: 'sounds' }, out, { synthesizer: tts })).toBe(0);
    expect(out.stdout.join('\n')).toContain('6 prompts: 1 present, 0 missing, 5 rendered.');
    expect(readdirSync(join(sounds, 'en/shop')).sort()).toEqual(['beep.wav', 'hello.wav']);
    expect(readdirSync(join(sounds, 'de/shop')).sort()).toEqual(['beep.wav', 'hello.gsm']);
    expect(readdirSync(join(sounds, 'de')).sort()).toEqual(['bye.wav', 'shop']);
  });

  it('refuses a sound name that leaves the sounds folder, and exits 1', async () => {
    const { cwd } = workspace({ 'flows/evil.yaml': EVIL });
    const out = io(cwd);
    expect(await runPromptsCommand([], { format: 'text', render: true, soundsDir: 'sounds' }, out, { synthesizer: tts })).toBe(1);
    expect(out.stdout.join('\n')).toContain('The sound name `../../../etc/evil` is not a relative name inside the sounds folder');
    expect(readdirSync(join(cwd, 'sounds'))).toEqual(['de']);
  });

  it('exits 1 with the flow’s errors when a flow does not load', async () => {
    const { cwd } = workspace({ 'flows/broken.yaml': 'flow: broken\nsteps: {}\n' });
    const out = io(cwd);
    expect(await main(['prompts', 'flows/broken.yaml', '--sounds-dir', 'sounds'], out)).toBe(1);
    expect(out.stderr.join('\n')).toMatch(/broken\.yaml:\d+:\d+/);
  });

  it.each([
    [['prompts', '--format', 'xml'], 2, '`--format xml` is not a format; use `text` or `json`.'],
    [['prompts', 'nowhere.yaml'], 1, 'file-not-found: `nowhere.yaml` does not exist; name flow files or folders that hold them.'],
  ] as const)('%o exits %i', async (argv, code, message) => {
    const { cwd } = workspace({});
    const out = io(cwd);
    expect(await main([...argv], out)).toBe(code);
    expect(out.stderr.join('\n')).toContain(message);
  });
});
