/**
 * The optional sound check: every prompt's `sound` exists for every language of the flow, in Asterisk's layout
 * (`<sounds>/<language>/<sound>.<format>`). Run by `touchtone validate --sounds <dir>`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pointer, type Diagnostic } from './diagnostics.js';
import type { FlowDoc } from './types.js';
import type { SourceFile } from './source.js';
import { locate } from './source.js';
import { finish } from './validate.js';

/** Formats Asterisk can play, by file extension. */
export const SOUND_FORMATS = ['wav', 'wav16', 'gsm', 'ulaw', 'alaw', 'g722', 'g729', 'sln', 'sln16', 'mp3'] as const;

/**
 * Warns about prompts whose sound file is missing for a language.
 * @example checkSounds(loaded.flow, loaded.source, '/usr/share/asterisk/sounds')
 */
export function checkSounds(flow: FlowDoc, source: SourceFile, soundsDir: string, exists: (path: string) => boolean = existsSync): Diagnostic[] {
  const out: Diagnostic[] = [];
  const languages = flow.languages ?? [flow.language];
  for (const [name, prompt] of Object.entries(flow.prompts ?? {})) {
    if (typeof prompt === 'string' || !prompt.sound) continue;
    const sound = prompt.sound;
    const missing = languages.filter((lang) => !SOUND_FORMATS.some((ext) => exists(join(soundsDir, lang, `${sound}.${ext}`))));
    if (!missing.length) continue;
    const at = pointer('prompts', name, 'sound');
    const d = finish({ code: 'missing-sound', pointer: at, message: `Sound \`${sound}\` of prompt \`${name}\` is missing for ${missing.map((m) => `\`${m}\``).join(', ')} in \`${soundsDir}\`.` }, source.file);
    const range = locate(source, at);
    out.push(range ? { ...d, range } : d);
  }
  return out;
}
