import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLanguage, checkSoundName, SoundFolder } from '../../src/prompts/sound-folder.js';

const root = mkdtempSync(join(tmpdir(), 'touchtone-sounds-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
for (const file of ['en/acme/welcome.gsm', 'de/acme/welcome.wav', 'acme/fallback.ulaw', 'en/acme/notes.txt', 'en/beep.sln16']) {
  mkdirSync(join(root, file, '..'), { recursive: true });
  writeFileSync(join(root, file), '');
}

describe('sound folder', () => {
  const folder = new SoundFolder(root);

  it.each([
    ['en', 'acme/welcome', 'en/acme/welcome.gsm'],
    ['de', 'acme/welcome', 'de/acme/welcome.wav'],
    ['en', 'beep', 'en/beep.sln16'],
    ['en', 'acme/fallback', 'acme/fallback.ulaw'],
    ['fr', 'acme/welcome', undefined],
    ['en', 'acme/notes', undefined],
    ['en', 'acme/missing', undefined],
  ])('finds %s `%s` as %s', (language, sound, expected) => {
    expect(folder.find(language, sound)).toBe(expected);
  });

  it('refuses a path that resolves outside the folder', () => {
    expect(() => folder.pathOf('en/../../etc/passwd.wav')).toThrow(/outside the sounds folder/);
    expect(folder.pathOf('en/acme/x.wav')).toBe(join(root, 'en/acme/x.wav'));
  });
});

describe('sound and language names', () => {
  it.each(['acme/welcome', 'beep', 'digits/1', 'acme/v1.2/hello', 'custom/a_b-c'])('accepts `%s`', (name) => {
    expect(checkSoundName(name)).toBeUndefined();
  });

  it.each(['../etc/passwd', 'acme/../../x', '/etc/passwd', './x', 'a//b', 'a\\b', 'a b', '', 'acme/', '.hidden', 'x'.repeat(201), 'a\nb'])('refuses `%s`', (name) => {
    expect(checkSoundName(name)?.code).toBe('prompt-bad-sound-name');
  });

  it.each([['en', true], ['fr-CA', true], ['en_GB', true], ['../en', false], ['EN', false], ['', false]])('language `%s` ok: %s', (language, ok) => {
    expect(checkLanguage(language) === undefined).toBe(ok);
  });
});
