/**
 * `--render`: makes the missing sound files from the prompts' texts with a TTS engine, so a flow can be called on
 * a real Asterisk before the studio recordings exist. The engine is injected (`Synthesizer`), so the logic is
 * tested without one; `espeak.ts` is the one production uses.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { availableParallelism } from 'node:os';
import { checkLanguage, checkSoundName, type NameProblem, type SoundFolder } from './sound-folder.js';
import type { PromptEntry } from './inventory.js';
import { templatePaths } from '../flow/template.js';

/** Turns text into an 8 kHz mono 16-bit WAV file (the bytes). */
export interface Synthesizer {
  readonly name: string;
  synthesize(text: string, language: string): Promise<Uint8Array>;
}

/** Where one prompt's sound stands after the check (and the render, if asked). */
export interface SoundStatus {
  entry: PromptEntry;
  /** The file found or written, relative to the sounds folder (`en/acme/welcome.wav`). */
  file?: string;
  /** `pattern`: the sound is a template named by data at run time (`acme/products/${product.sound}`), so no one file is checked. */
  state: 'present' | 'missing' | 'rendered' | 'failed' | 'refused' | 'pattern';
  problem?: NameProblem | { code: 'prompt-render-failed' | 'prompt-no-text'; message: string };
}

/** True for a sound name that reads variables, so the engine renders it per call (and checks it then). */
export function isSoundPattern(sound: string): boolean {
  return templatePaths(sound).length > 0;
}

/**
 * Looks up each entry's sound in the folder; a templated sound is a pattern, listed but not looked up or rendered.
 * @example checkSounds(entries, new SoundFolder('/var/lib/asterisk/sounds'))
 */
export function checkSounds(entries: readonly PromptEntry[], folder: SoundFolder): SoundStatus[] {
  return entries.map((entry): SoundStatus => {
    if (isSoundPattern(entry.sound)) return { entry, state: 'pattern' };
    const problem = checkSoundName(entry.sound) ?? checkLanguage(entry.language);
    if (problem) return { entry, state: 'refused', problem };
    const file = folder.find(entry.language, entry.sound);
    return file ? { entry, state: 'present', file } : { entry, state: 'missing' };
  });
}

/**
 * Synthesizes every missing sound into `<folder>/<lang>/<sound>.wav`, a few at a time (each TTS run is a process
 * that keeps one core busy, so more than the cores would only queue). A file is written under a temporary name and
 * renamed, so Asterisk never plays half a file. The same sound in the same language is rendered once, from the
 * first entry that names it.
 */
export async function renderMissing(
  statuses: readonly SoundStatus[],
  folder: SoundFolder,
  synthesizer: Synthesizer,
  options: { concurrency?: number } = {},
): Promise<SoundStatus[]> {
  const firsts = new Map<string, PromptEntry>();
  const keyOf = (status: SoundStatus): string | undefined => (status.state === 'missing' ? `${status.entry.language}/${status.entry.sound}.wav` : undefined);
  for (const status of statuses) {
    const key = keyOf(status);
    if (key !== undefined && !firsts.has(key)) firsts.set(key, status.entry);
  }
  const keys = [...firsts.keys()];
  const results = new Map<string, SoundStatus>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++]!;
      results.set(key, await renderOne(firsts.get(key)!, key, folder, synthesizer));
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? Math.min(4, availableParallelism()), keys.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  folder.refresh();
  return statuses.map((status) => {
    const key = keyOf(status);
    return key === undefined ? status : { ...results.get(key)!, entry: status.entry };
  });
}

async function renderOne(entry: PromptEntry, relative: string, folder: SoundFolder, synthesizer: Synthesizer): Promise<SoundStatus> {
  const text = entry.text?.trim();
  if (!text) {
    return { entry, state: 'failed', problem: { code: 'prompt-no-text', message: `Prompt \`${entry.prompt ?? entry.sound}\` has no text in \`${entry.language}\` to speak; add one under \`text\`.` } };
  }
  let path: string;
  try {
    path = folder.pathOf(relative);
  } catch (error) {
    return { entry, state: 'refused', problem: { code: 'prompt-bad-sound-name', message: (error as Error).message } };
  }
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const wav = await synthesizer.synthesize(text, entry.language);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, wav);
    await rename(temporary, path);
    return { entry, state: 'rendered', file: relative };
  } catch (error) {
    await rm(temporary, { force: true });
    const reason = error instanceof Error ? error.message : String(error);
    return { entry, state: 'failed', problem: { code: 'prompt-render-failed', message: `${synthesizer.name} could not render \`${relative}\`: ${reason}.` } };
  }
}
