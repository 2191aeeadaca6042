import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDoc } from '../../src/flow/types.js';
import { promptInventory } from '../../src/prompts/inventory.js';
import { checkSounds, renderMissing, type Synthesizer } from '../../src/prompts/render.js';
import { SoundFolder } from '../../src/prompts/sound-folder.js';
import { encodeWav, parseWav } from '../../src/prompts/wav.js';

const flow: FlowDoc = {
  flow: 'shop',
  language: 'en',
  languages: ['en', 'de'],
  start: 'hello',
  prompts: {
    hello: { sound: 'shop/hello', text: { en: 'Hello.', de: 'Hallo.' } },
    bye: { sound: 'shop/bye', text: 'Bye.' },
    only: { sound: 'shop/only', text: { en: 'English only.' } },
    plain: 'Just text.',
    regional: { text: { en: 'Hi.', 'de': 'Servus.' } },
    evil: { sound: '../../etc/evil', text: 'Evil.' },
  },
  steps: {
    hello: { play: ['hello', { sound: 'shop/beep', text: 'beep' }], next: 'end' },
    end: { hangup: { prompt: [{ sound: 'shop/bye' }] } },
  },
};

/** A synthesizer that records what it was asked and returns 0.1 s of silence. */
function fakeSynthesizer(fail?: string): Synthesizer & { asked: [string, string][] } {
  const asked: [string, string][] = [];
  return {
    name: 'fake-tts',
    asked,
    async synthesize(text, language) {
      asked.push([text, language]);
      if (fail && text.includes(fail)) throw new Error('voice not found');
      return encodeWav(new Int16Array(800));
    },
  };
}

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});
function folder(): SoundFolder {
  const dir = mkdtempSync(join(tmpdir(), 'touchtone-render-'));
  dirs.push(dir);
  return new SoundFolder(dir);
}

describe('prompt inventory', () => {
  it('lists each prompt per language with its text and sound, then inline sounds', () => {
    const rows = promptInventory(flow, 'flows/shop.yaml').map((e) => [e.prompt ?? '(inline)', e.language, e.text, e.sound, e.pointer]);
    expect(rows).toEqual([
      ['hello', 'en', 'Hello.', 'shop/hello', '/prompts/hello'],
      ['hello', 'de', 'Hallo.', 'shop/hello', '/prompts/hello'],
      ['bye', 'en', 'Bye.', 'shop/bye', '/prompts/bye'],
      ['bye', 'de', 'Bye.', 'shop/bye', '/prompts/bye'],
      ['only', 'en', 'English only.', 'shop/only', '/prompts/only'],
      ['only', 'de', undefined, 'shop/only', '/prompts/only'],
      ['plain', 'en', 'Just text.', 'plain', '/prompts/plain'],
      ['plain', 'de', 'Just text.', 'plain', '/prompts/plain'],
      ['regional', 'en', 'Hi.', 'regional', '/prompts/regional'],
      ['regional', 'de', 'Servus.', 'regional', '/prompts/regional'],
      ['evil', 'en', 'Evil.', '../../etc/evil', '/prompts/evil'],
      ['evil', 'de', 'Evil.', '../../etc/evil', '/prompts/evil'],
      ['(inline)', 'en', 'beep', 'shop/beep', '/steps/hello/play/1'],
      ['(inline)', 'de', 'beep', 'shop/beep', '/steps/hello/play/1'],
      ['(inline)', 'en', undefined, 'shop/bye', '/steps/end/hangup/prompt/0'],
      ['(inline)', 'de', undefined, 'shop/bye', '/steps/end/hangup/prompt/0'],
    ]);
  });

  it('takes the base language’s text for a regional language, as a call would hear it', () => {
    const entries = promptInventory({ ...flow, languages: ['de-AT'] }, 'f.yaml');
    expect(entries.find((e) => e.prompt === 'hello')).toMatchObject({ language: 'de-AT', text: 'Hallo.' });
  });

  it('uses the flow language when `languages` is not given', () => {
    const entries = promptInventory({ ...flow, languages: undefined, language: 'de' }, 'f.yaml');
    expect(new Set(entries.map((e) => e.language))).toEqual(new Set(['de']));
  });
});

describe('rendering missing sounds', () => {
  it('runs no more syntheses at once than asked', async () => {
    const sounds = folder();
    let running = 0;
    let peak = 0;
    const slow: Synthesizer = {
      name: 'slow-tts',
      async synthesize() {
        peak = Math.max(peak, ++running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        return encodeWav(new Int16Array(8));
      },
    };
    const statuses = await renderMissing(checkSounds(promptInventory(flow, 'f.yaml'), sounds), sounds, slow, { concurrency: 3 });
    expect(peak).toBe(3);
    expect(statuses.filter((s) => s.state === 'rendered')).toHaveLength(13);
  });

  it('writes 8 kHz mono WAV files per language, once per sound, and never touches refused names', async () => {
    const sounds = folder();
    const tts = fakeSynthesizer();
    const statuses = await renderMissing(checkSounds(promptInventory(flow, 'f.yaml'), sounds), sounds, tts);
    const states = statuses.map((s) => `${s.entry.prompt ?? s.entry.sound}/${s.entry.language}:${s.state}`);
    expect(states).toEqual([
      'hello/en:rendered', 'hello/de:rendered', 'bye/en:rendered', 'bye/de:rendered', 'only/en:rendered', 'only/de:failed',
      'plain/en:rendered', 'plain/de:rendered', 'regional/en:rendered', 'regional/de:rendered', 'evil/en:refused', 'evil/de:refused', 'shop/beep/en:rendered', 'shop/beep/de:rendered',
      'shop/bye/en:rendered', 'shop/bye/de:rendered',
    ]);
    // `shop/bye` appears twice per language (table and inline): it is spoken once per language.
    expect(tts.asked.map(([text, language]) => `${language}:${text}`).sort()).toEqual([
      'de:Bye.', 'de:Hallo.', 'de:Just text.', 'de:Servus.', 'de:beep', 'en:Bye.', 'en:English only.', 'en:Hello.', 'en:Hi.', 'en:Just text.', 'en:beep',
    ]);
    expect(readdirSync(join(sounds.root, 'de/shop')).sort()).toEqual(['beep.wav', 'bye.wav', 'hello.wav']);
    expect(readdirSync(join(sounds.root, 'de')).sort()).toEqual(['plain.wav', 'regional.wav', 'shop']);
    expect(parseWav(readFileSync(join(sounds.root, 'en/shop/hello.wav')))).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
    expect(statuses.find((s) => s.entry.prompt === 'only' && s.entry.language === 'de')?.problem).toEqual({
      code: 'prompt-no-text',
      message: 'Prompt `only` has no text in `de` to speak; add one under `text`.',
    });
    expect(existsSync(join(sounds.root, '..', 'etc'))).toBe(false);
    expect(checkSounds(promptInventory(flow, 'f.yaml'), sounds).filter((s) => s.state === 'present')).toHaveLength(13);
  });

  it('leaves present files alone', async () => {
    const sounds = folder();
    await renderMissing(checkSounds(promptInventory(flow, 'f.yaml'), sounds), sounds, fakeSynthesizer());
    const tts = fakeSynthesizer();
    const again = await renderMissing(checkSounds(promptInventory(flow, 'f.yaml'), sounds), sounds, tts);
    expect(tts.asked).toEqual([]);
    expect(again.filter((s) => s.state === 'rendered')).toHaveLength(0);
  });

  it('reports a failing engine per file and leaves no partial file', async () => {
    const sounds = folder();
    const statuses = await renderMissing(checkSounds(promptInventory(flow, 'f.yaml'), sounds), sounds, fakeSynthesizer('Hallo'));
    const failed = statuses.find((s) => s.entry.prompt === 'hello' && s.entry.language === 'de');
    expect(failed).toMatchObject({ state: 'failed', problem: { code: 'prompt-render-failed', message: 'fake-tts could not render `de/shop/hello.wav`: voice not found.' } });
    expect(readdirSync(join(sounds.root, 'de/shop')).sort()).toEqual(['beep.wav', 'bye.wav']);
  });
});
