/** `touchtone prompts` with a sound named by data (`acme/products/${product.sound}`): listed as a pattern, never a file. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from '../../src/cli/io.js';
import { runPromptsCommand } from '../../src/cli/prompts.js';
import type { Synthesizer } from '../../src/prompts/render.js';
import { checkSounds, isSoundPattern } from '../../src/prompts/render.js';
import { promptInventory } from '../../src/prompts/inventory.js';
import { SoundFolder } from '../../src/prompts/sound-folder.js';
import { encodeWav } from '../../src/prompts/wav.js';
import { flowOf } from '../engine/helpers.js';

const SHOP = `flow: shop
language: en
start: say
variables: { product: "" }
prompts:
  costs: { sound: shop/costs, text: costs }
steps:
  say:
    play: [{ sound: "shop/products/\${product}", text: "\${product}" }, costs, { sound: "shop/$\${literal}", text: odd }]
    next: end
  end: { hangup: true }
`;

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

function workspace(): { cwd: string; sounds: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'touchtone-sound-pattern-'));
  dirs.push(cwd);
  mkdirSync(join(cwd, 'flows'));
  writeFileSync(join(cwd, 'flows/shop.yaml'), SHOP);
  const sounds = join(cwd, 'sounds');
  mkdirSync(join(sounds, 'en/shop/products'), { recursive: true });
  writeFileSync(join(sounds, 'en/shop/costs.gsm'), '');
  return { cwd, sounds };
}

function io(cwd: string): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), isTTY: false, cwd, env: {}, stdout, stderr };
}

describe('templated sounds in the prompt inventory', () => {
  it('a sound that reads a variable is a pattern; an escaped `$${` is a plain name', () => {
    expect(isSoundPattern('shop/products/${product}')).toBe(true);
    expect(isSoundPattern('shop/$${literal}')).toBe(false);
    expect(isSoundPattern('shop/costs')).toBe(false);
  });

  it('is listed as a pattern, not looked up as a file (and not refused as a bad name)', () => {
    const { sounds } = workspace();
    const statuses = checkSounds(promptInventory(flowOf(SHOP), 'flows/shop.yaml'), new SoundFolder(sounds));
    expect(statuses.map((s) => [s.entry.sound, s.state])).toEqual([
      ['shop/costs', 'present'],
      ['shop/products/${product}', 'pattern'],
      ['shop/$${literal}', 'refused'],
    ]);
  });

  it('the command shows it with `~`, counts it apart, never renders it, and exits by the other sounds', async () => {
    const { cwd, sounds } = workspace();
    const asked: string[] = [];
    const tts: Synthesizer = { name: 'fake-tts', synthesize: async (text) => (asked.push(text), encodeWav(new Int16Array(80))) };
    const out = io(cwd);
    const code = await runPromptsCommand(['flows'], { soundsDir: sounds, format: 'text', render: true }, out, { synthesizer: tts });
    const text = out.stdout.join('\n');
    expect(text).toContain('~ en    (inline)  shop/products/${product} (pattern)');
    expect(text).toContain('1 named by data');
    expect(asked).not.toContain('${product}');
    expect(readdirSync(join(sounds, 'en/shop/products'))).toEqual([]);
    expect(code).toBe(1); // the refused `$${literal}` name, not the pattern

    const json = io(cwd);
    await runPromptsCommand(['flows'], { soundsDir: sounds, format: 'json' }, json);
    const listed = JSON.parse(json.stdout.join('')) as { counts: Record<string, number>; prompts: { sound: string; state: string; exists: boolean | null }[] };
    expect(listed.counts.pattern).toBe(1);
    expect(listed.prompts.find((p) => p.sound === 'shop/products/${product}')).toMatchObject({ state: 'pattern', exists: null });
  });
});
