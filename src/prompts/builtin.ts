/**
 * Touchtone's own sounds (`touchtone/…`) that a flow needs because of what it speaks: currency names for
 * `money`, "one" before a unit in German and French, and the opening-hours phrases for `opening`. Asterisk's core
 * sounds have none of them, so a fresh install has to record or render them like any prompt.
 * The names and texts come from `src/say/words.ts`, the same tables the engine speaks from.
 */
import type { FlowDoc } from '../flow/types.js';
import { CURRENCY_SOUNDS, PHRASE_SOUNDS, WORDS, sayLanguage } from '../say/words.js';
import type { PromptEntry } from './inventory.js';

const OWN = 'touchtone/';

/** What a flow speaks that needs our own sounds, with the pointer of the first step that does. */
interface Uses {
  currencies: Map<string, string>;
  opening?: string;
}

/**
 * The built-in sounds a flow needs, one entry per sound and language, after its prompts.
 *
 * @example builtinSounds(flow, 'flows/acme-hotline.yaml').map((e) => e.sound) // ['touchtone/euro', 'touchtone/euros', …]
 */
export function builtinSounds(flow: FlowDoc, file: string, languages: readonly string[]): PromptEntry[] {
  const uses: Uses = { currencies: new Map() };
  scan(flow.steps, '/steps', uses);
  const entries: PromptEntry[] = [];
  const add = (pointer: string, language: string, sound: string, text: string): void => {
    if (sound.startsWith(OWN) && text.trim() && !entries.some((e) => e.sound === sound && e.language === language)) {
      entries.push({ flow: flow.flow, file, pointer, language, text, sound, origin: 'builtin' });
    }
  };
  for (const language of languages) {
    const words = WORDS[sayLanguage(language)];
    for (const [code, pointer] of uses.currencies) {
      const names = words.currencies[code];
      const sounds = CURRENCY_SOUNDS[code];
      if (!names || !sounds) continue;
      for (const i of [0, 1] as const) {
        add(pointer, language, sounds.majorSound[i], names.major[i]);
        add(pointer, language, sounds.minorSound[i], names.minor[i]);
      }
      // English says "1 euro" with the number; German and French say "ein Euro" / "une livre" with a word sound.
      if (sayLanguage(language) !== 'en') {
        add(pointer, language, names.feminine ? 'touchtone/one-f' : 'touchtone/one-m', names.feminine ? words.one.f : words.one.m);
        add(pointer, language, 'touchtone/one-m', words.one.m);
      }
    }
    if (uses.opening) {
      const p = words.phrases;
      const texts: Record<keyof typeof PHRASE_SOUNDS, string> = { ...p, closedHoliday: p.closedToday };
      for (const [key, sound] of Object.entries(PHRASE_SOUNDS) as [keyof typeof PHRASE_SOUNDS, string][]) add(uses.opening, language, sound, texts[key]);
    }
  }
  return entries;
}

function scan(node: unknown, at: string, uses: Uses): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => scan(item, `${at}/${i}`, uses));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if ('money' in record) {
    const code = (typeof record.currency === 'string' ? record.currency : 'EUR').toUpperCase();
    if (!uses.currencies.has(code)) uses.currencies.set(code, at);
  }
  if (typeof record.opening === 'string' && uses.opening === undefined) uses.opening = at;
  for (const [key, value] of Object.entries(record)) scan(value, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, uses);
}
