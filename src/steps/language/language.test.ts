import { describe, expect, it } from 'vitest';
import { startCall } from '../../../test/engine/helpers.js';

describe('language', () => {
  it('switches the call language; prompts are then spoken in it', async () => {
    const rig = await startCall(`
flow: langs
language: en
languages: [en, de]
start: m
prompts: { hi: { text: { en: "Hello", de: "Hallo" }, duration: 1s } }
steps:
  m: { menu: { prompt: hi, options: { "2": german } } }
  german: { language: de, next: again }
  again: { play: [hi], next: bye }
  bye: { hangup: true }
`);
    expect(rig.phone.playbacks[0]?.text()).toBe('Hello');
    await rig.press('2');
    expect(rig.call.language).toBe('de');
    expect(rig.phone.playbacks[1]?.text()).toBe('Hallo');
  });

  it('a call starts in the channel language when the flow speaks it', async () => {
    const rig = await startCall(
      `
flow: langs2
language: en
languages: [en, de]
start: p
prompts: { hi: { text: { en: "Hello", de: "Hallo" }, duration: 1s } }
steps:
  p: { play: [hi], next: bye }
  bye: { hangup: true }
`,
      { facts: { language: 'de' } },
    );
    expect(rig.phone.playbacks[0]?.text()).toBe('Hallo');
  });
});
