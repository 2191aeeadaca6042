/**
 * Play items to media: the one place a flow's prompt names, templates and spoken values become `Media[]`.
 *
 * - a prompt name (`welcome` or `{ prompt: welcome }`) becomes a sound: `prompt.sound ?? name`, with the prompt's
 *   text in the call's language (else the flow's language, else the first text) and its `duration` if given;
 * - a `{ sound, text }` item may be a template (`products/${product.sound}`): it is rendered here, and a name that
 *   is not a safe relative sound name is skipped (`onUnsafeSound`), so data can never make the call play a path;
 * - `number`, `digits`, `characters` go straight to the port (ARI says them), with their value as text;
 * - `money`, `date`, `time` and `opening` are spoken by `src/say` in the call's language.
 */
import type { FlowDoc, PlayItem, PromptDef } from '../flow/types.js';
import type { Media } from '../telephony/port.js';
import type { HoursService } from './services.js';
import { renderString, renderTemplate } from '../flow/template.js';
import { parseDuration } from '../flow/duration.js';
import { sayOpening, sayValue } from '../say/index.js';

/** What resolving media needs besides the items. */
export interface MediaScope {
  doc: FlowDoc;
  language: string;
  vars: Readonly<Record<string, unknown>>;
  /** Time zone for dates and times: the flow's first hours time zone, else UTC. */
  timezone: string;
  now: number;
  hours: HoursService;
  /** Told about a templated sound whose rendered name was unsafe or empty and so was skipped. */
  onUnsafeSound?: (template: string, rendered: string) => void;
}

/** Longest sound name a template may render to. */
export const MAX_SOUND_NAME = 128;
const SAFE_SOUND_NAME = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

/** True for a relative sound name of letters, digits, `_` and `-` in `/`-separated parts (so no `..`, `:`, `,`, `?`). */
export function isSafeSoundName(name: string): boolean {
  return name.length <= MAX_SOUND_NAME && SAFE_SOUND_NAME.test(name);
}

/** The time zone a flow speaks dates in: its first `hours` entry's, else UTC. */
export function flowTimezone(doc: FlowDoc): string {
  for (const def of Object.values(doc.hours ?? {})) return def.timezone;
  return 'UTC';
}

/** The text of a prompt in a language: the language's, else the flow's, else the first one written. */
export function promptText(def: PromptDef, language: string, flowLanguage: string): string {
  if (typeof def === 'string') return def;
  const text = def.text;
  if (typeof text === 'string') return text;
  return text[language] ?? text[language.split('-')[0]!] ?? text[flowLanguage] ?? Object.values(text)[0] ?? '';
}

const promptCache = new WeakMap<FlowDoc, Map<string, Media>>();

/** The sound a prompt name plays, in a language. Unknown prompt names play a sound of that name (the validator
 *  reports them; at run time a missing sound is the telephony's problem, not a crash). Media of prompts are made
 *  once per document and language and shared: ports treat media as read-only. */
export function promptMedia(doc: FlowDoc, name: string, language: string): Media {
  let byKey = promptCache.get(doc);
  if (!byKey) promptCache.set(doc, (byKey = new Map()));
  const key = `${language}\u0000${name}`;
  let media = byKey.get(key);
  if (!media) byKey.set(key, (media = makePromptMedia(doc, name, language)));
  return media;
}

function makePromptMedia(doc: FlowDoc, name: string, language: string): Media {
  const def = doc.prompts?.[name];
  if (def === undefined) return { kind: 'sound', name, prompt: name };
  const media: Media = { kind: 'sound', name: typeof def === 'string' ? name : (def.sound ?? name), text: promptText(def, language, doc.language), prompt: name };
  if (typeof def !== 'string' && def.duration !== undefined) {
    const ms = parseDuration(def.duration);
    if (ms !== undefined) media.durationMs = ms;
  }
  return media;
}

function straight(kind: 'number' | 'digits' | 'characters', template: string, vars: Readonly<Record<string, unknown>>): Media[] {
  const value = renderString(template, vars);
  return value === '' ? [] : [{ kind, value, text: kind === 'number' ? value : value.split('').join(' ') }];
}

/** A rendered name as a trace note may show it: control characters dropped, bounded (the data may be anything). */
export function shownSoundName(rendered: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = rendered.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029`]/g, '');
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

/** A `{ sound, text }` item: literal names as written; a templated name rendered and checked, else skipped. */
function soundMedia(item: { sound: string; text?: string }, scope: MediaScope): Media | undefined {
  let name = item.sound;
  if (name.includes('${')) {
    name = renderString(name, scope.vars);
    if (!isSafeSoundName(name)) {
      scope.onUnsafeSound?.(item.sound, name);
      return undefined;
    }
  }
  if (item.text === undefined) return { kind: 'sound', name };
  const text = item.text.includes('${') ? renderString(item.text, scope.vars) : item.text;
  return text === '' ? { kind: 'sound', name } : { kind: 'sound', name, text };
}

/** Resolves play items to media. Items whose variables are missing play nothing. */
export function resolveMedia(items: readonly PlayItem[], scope: MediaScope): Media[] {
  const out: Media[] = [];
  for (const item of items) {
    if (typeof item === 'string') out.push(promptMedia(scope.doc, item, scope.language));
    else if ('prompt' in item) out.push(promptMedia(scope.doc, item.prompt, scope.language));
    else if ('sound' in item) {
      const media = soundMedia(item, scope);
      if (media) out.push(media);
    }
    else if ('number' in item) out.push(...straight('number', item.number, scope.vars));
    else if ('digits' in item) out.push(...straight('digits', item.digits, scope.vars));
    else if ('characters' in item) out.push(...straight('characters', item.characters, scope.vars));
    else if ('money' in item) out.push(...sayValue({ kind: 'money', value: renderTemplate(item.money, scope.vars), currency: item.currency }, scope.language, scope.timezone));
    else if ('date' in item) out.push(...sayValue({ kind: 'date', value: renderTemplate(item.date, scope.vars) }, scope.language, scope.timezone));
    else if ('time' in item) out.push(...sayValue({ kind: 'time', value: renderTemplate(item.time, scope.vars) }, scope.language, scope.timezone));
    else if ('recording' in item) {
      const name = renderString(item.recording, scope.vars);
      if (name) out.push({ kind: 'recording', name });
    } else if ('opening' in item) {
      const def = scope.doc.hours?.[item.opening];
      if (def) out.push(...sayOpening(scope.hours.evaluate(item.opening, def, scope.now), scope.language, def.timezone, scope.now));
    } else if ('silence' in item) {
      const ms = parseDuration(item.silence) ?? 0;
      if (ms > 0) out.push({ kind: 'silence', durationMs: ms });
    }
  }
  return out;
}
