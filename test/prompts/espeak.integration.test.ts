/**
 * The real TTS engine. When espeak-ng is installed this renders real speech (through sox, and through the
 * built-in resampler); when it is not, it checks that the command explains how to install it. Either way it runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { available, createEspeakSynthesizer } from '../../src/prompts/espeak.js';
import { parseWav } from '../../src/prompts/wav.js';

const hasEspeak = await available('espeak-ng');
const hasSox = await available('sox');
if (!hasEspeak) process.stderr.write('espeak-ng is not installed: only the "not installed" path of the TTS engine is tested (apt-get install espeak-ng sox).\n');
const dir = mkdtempSync(join(tmpdir(), 'touchtone-espeak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`espeak-ng synthesizer (espeak-ng ${hasEspeak ? 'installed' : 'absent'}, sox ${hasSox ? 'installed' : 'absent'})`, () => {
  it('renders speech as 8 kHz mono 16-bit WAV through each resampler, or explains how to install espeak-ng', async () => {
    for (const sox of ['sox', 'touchtone-no-such-sox']) {
      const made = await createEspeakSynthesizer({ sox });
      if (!hasEspeak) {
        expect(made).toEqual({ ok: false, message: '`espeak-ng` is not installed, so prompts cannot be rendered; install it (`apt-get install espeak-ng`) or record the sound files.' });
        continue;
      }
      if (!made.ok) throw new Error(made.message);
      expect(made.resampler).toBe(sox === 'sox' && hasSox ? 'sox' : 'built-in');
      // Text that looks like options or shell goes in on stdin and is spoken, never run.
      const trap = join(dir, 'pwned');
      const wav = await made.synthesizer.synthesize(`-w ${trap}.wav; Welcome to ACME $(touch ${trap}).`, 'en');
      expect(existsSync(trap) || existsSync(`${trap}.wav`)).toBe(false);
      const audio = parseWav(wav);
      expect(audio).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
      expect(audio.samples.length / 8000).toBeGreaterThan(1);
      expect(Math.max(...audio.samples.map(Math.abs))).toBeGreaterThan(1000);
    }
  });

  it('falls back from a missing voice variant to the base language', async () => {
    const made = await createEspeakSynthesizer();
    if (!made.ok) {
      expect(made.message).toMatch(/is not installed/);
      return;
    }
    const audio = parseWav(await made.synthesizer.synthesize('Bonjour.', 'fr-XX'));
    expect(audio.samples.length).toBeGreaterThan(0);
  });
});
