/**
 * Every prompt of a flow, per language: its name, text and sound file name. Covers the `prompts` table, sounds
 * named inline in steps (`play: [{ sound: acme/beep, text: … }]`), and Touchtone's own sounds the flow needs for
 * `money` and `opening` (see `builtin.ts`).
 */
import type { FlowDoc, PromptDef } from '../flow/types.js';
import { pointer } from '../flow/diagnostics.js';
import { builtinSounds } from './builtin.js';

/** One prompt in one language. */
export interface PromptEntry {
  /** The flow's name (`flow:` in the file). */
  flow: string;
  file: string;
  /** The prompt's name in `prompts`; unset for inline and built-in sounds. */
  prompt?: string;
  /** `prompt` (the `prompts` table), `inline` (a sound named in a step) or `builtin` (Touchtone's own phrase). */
  origin: 'prompt' | 'inline' | 'builtin';
  /** JSON pointer to where it is defined, for messages. */
  pointer: string;
  language: string;
  /** What it says in this language; unset when the flow has no text for it. */
  text?: string;
  /** Sound file name without extension (`acme/welcome`): the prompt's `sound`, else its name, as the engine plays it. */
  sound: string;
}

/**
 * Lists the prompts of one flow file, one entry per prompt and language, in file order.
 *
 * @example promptInventory(flow, 'flows/acme-hotline.yaml')[0]
 *   // { flow: 'acme-hotline', prompt: 'welcome', language: 'en', text: 'Welcome to ACME.', sound: 'acme/welcome', … }
 */
export function promptInventory(flow: FlowDoc, file: string): PromptEntry[] {
  const languages = flow.languages?.length ? flow.languages : [flow.language];
  const entries: PromptEntry[] = [];
  for (const [name, def] of Object.entries(flow.prompts ?? {})) {
    for (const language of languages) entries.push(entry(flow.flow, file, pointer('prompts', name), language, textOf(def, language), soundOf(def, name), name));
  }
  for (const [at, sound, text] of inlineSounds(flow.steps, pointer('steps'))) {
    for (const language of languages) entries.push(entry(flow.flow, file, at, language, text, sound));
  }
  return [...entries, ...builtinSounds(flow, file, languages)];
}

function entry(flow: string, file: string, at: string, language: string, text: string | undefined, sound: string, prompt?: string): PromptEntry {
  return { flow, file, ...(prompt !== undefined ? { prompt } : {}), origin: prompt !== undefined ? 'prompt' : 'inline', pointer: at, language, ...(text !== undefined ? { text } : {}), sound };
}

/** The text written for this language, or for its base language (`fr` for `fr-CA`), as a call would hear it. */
function textOf(def: PromptDef, language: string): string | undefined {
  if (typeof def === 'string') return def;
  if (typeof def.text === 'string') return def.text;
  return def.text[language] ?? def.text[language.split(/[-_]/)[0]!];
}

/** Same rule as the engine (`src/runtime/media.ts`): a prompt without `sound` plays the sound of its own name. */
function soundOf(def: PromptDef, name: string): string {
  return typeof def === 'string' ? name : (def.sound ?? name);
}

/** Finds `{ sound: …, text?: … }` play items anywhere under the steps. */
function inlineSounds(node: unknown, at: string): [string, string, string | undefined][] {
  if (Array.isArray(node)) return node.flatMap((item, i) => inlineSounds(item, `${at}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  if (typeof record.sound === 'string') return [[at, record.sound, typeof record.text === 'string' ? record.text : undefined]];
  return Object.entries(record).flatMap(([key, value]) => inlineSounds(value, at + pointer(key)));
}
