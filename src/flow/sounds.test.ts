import { describe, expect, it } from 'vitest';
import { checkSounds } from './sounds.js';
import { loadFlowText } from './load.js';

const text = `flow: t
language: en
languages: [en, de]
start: main
prompts:
  hello: { sound: t/hello, text: { en: Hello, de: Hallo } }
  bye: { text: { en: Bye, de: Tschüss } }
steps:
  main: { hangup: [hello, bye] }
`;

describe('checkSounds', () => {
  it('warns once per prompt, naming the languages without the file, and skips prompts without a sound', () => {
    const loaded = loadFlowText(text, 'f.yaml');
    const files = new Set(['/s/en/t/hello.gsm']);
    const diags = checkSounds(loaded.flow!, loaded.source, '/s', (p) => files.has(p));
    expect(diags.map((d) => [d.code, d.severity, d.range?.start.line, d.message])).toEqual([
      ['missing-sound', 'warning', 6, 'Sound `t/hello` of prompt `hello` is missing for `de` in `/s`.'],
    ]);
  });

  it('is quiet when every language has the file in some format', () => {
    const loaded = loadFlowText(text, 'f.yaml');
    const files = new Set(['/s/en/t/hello.wav', '/s/de/t/hello.sln16']);
    expect(checkSounds(loaded.flow!, loaded.source, '/s', (p) => files.has(p))).toEqual([]);
  });
});
