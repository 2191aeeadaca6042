/**
 * Where Asterisk finds a sound: `<sounds>/<lang>/<name>.<ext>`, then `<sounds>/<name>.<ext>`, for any format it
 * has a module for. Sound names come from flow files only, and are still checked: a name that climbs out of the
 * folder (`..`, an absolute path) is refused before any file is touched.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

/** The default Asterisk sounds folder (`astdatadir`/sounds). */
export const DEFAULT_SOUNDS_DIR = '/var/lib/asterisk/sounds';

/**
 * File extensions of the formats Asterisk plays, as `core show file formats` lists them on 22.10 (plus `ogg`,
 * from the optional format_ogg_vorbis), in the order we report them.
 */
export const SOUND_EXTENSIONS = [
  'wav', 'WAV', 'wav49', 'wav16', 'gsm', 'ulaw', 'ul', 'mu', 'ulw', 'pcm', 'alaw', 'al', 'alw', 'au', 'g722', 'g719', 'g729', 'g723', 'g723sf', 'g726',
  'ilbc', 'siren7', 'siren14', 'sln', 'slin', 'raw', 'sln12', 'sln16', 'sln24', 'sln32', 'sln44', 'sln48', 'sln96', 'sln192', 'vox', 'ogg',
];

const SOUND_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;
const LANGUAGE = /^[a-z]{2,3}([-_][A-Za-z]{2,4})?$/;

/** A sound or language name we refuse to turn into a path, with why. */
export interface NameProblem {
  code: 'prompt-bad-sound-name' | 'prompt-bad-language';
  message: string;
}

/**
 * Checks a sound name from a flow before it becomes a path.
 * @example checkSoundName('acme/welcome') // undefined (fine); checkSoundName('../etc/passwd') // a problem
 */
export function checkSoundName(sound: string): NameProblem | undefined {
  const climbs = sound.split('/').some((part) => part === '..' || part === '.');
  if (climbs || !SOUND_NAME.test(sound) || sound.length > 200) {
    return {
      code: 'prompt-bad-sound-name',
      message: `The sound name \`${sound.slice(0, 80)}\` is not a relative name inside the sounds folder; use letters, digits, \`_\`, \`-\`, \`.\` and \`/\`, without \`..\` or a leading \`/\`.`,
    };
  }
  return undefined;
}

/** Checks a language code before it becomes a folder name. */
export function checkLanguage(language: string): NameProblem | undefined {
  if (LANGUAGE.test(language)) return undefined;
  return { code: 'prompt-bad-language', message: `The language \`${language.slice(0, 20)}\` is not a language code such as \`en\` or \`fr-CA\`.` };
}

/** A sounds folder, read lazily: each sub-folder is listed once. */
export class SoundFolder {
  readonly root: string;
  private readonly listings = new Map<string, Set<string>>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  /**
   * The file Asterisk would play for `sound` in `language`, relative to the root (`en/acme/welcome.wav`), or
   * undefined. Names must have passed `checkSoundName` and `checkLanguage`.
   */
  find(language: string, sound: string): string | undefined {
    for (const base of [`${language}/${sound}`, sound]) {
      const names = this.list(dirname(base));
      const stem = base.slice(base.lastIndexOf('/') + 1);
      for (const ext of SOUND_EXTENSIONS) {
        if (names.has(`${stem}.${ext}`)) return `${base}.${ext}`;
      }
    }
    return undefined;
  }

  /** The absolute path for a relative name, refusing anything that resolves outside the root. */
  pathOf(relative: string): string {
    const path = resolve(this.root, relative);
    if (!path.startsWith(this.root + sep)) throw new Error(`\`${relative}\` resolves outside the sounds folder \`${this.root}\`.`);
    return path;
  }

  /** Forgets listings (after files were written). */
  refresh(): void {
    this.listings.clear();
  }

  private list(relativeDir: string): Set<string> {
    const key = relativeDir === '.' ? '' : relativeDir;
    let names = this.listings.get(key);
    if (!names) {
      try {
        names = new Set(readdirSync(join(this.root, key)));
      } catch {
        names = new Set();
      }
      this.listings.set(key, names);
    }
    return names;
  }
}
