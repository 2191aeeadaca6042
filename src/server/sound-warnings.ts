/**
 * With `sounds.dir` set, a flow's prompts are checked against the sound files Asterisk would play, and each missing
 * file is a warning on the flow (shown on the dashboard, logged on load). The flow still runs: the prompt's text
 * is what the browser phone shows, and Asterisk skips a missing file.
 */
import type { Diagnostic } from '../flow/diagnostics.js';
import { locate } from '../flow/source.js';
import type { LoadedFlow } from '../flow/load.js';
import { checkSounds, promptInventory, SoundFolder } from '../prompts/index.js';

/**
 * Warnings for sounds missing from `soundsDir`, placed at the prompt that names them.
 * @example loaded.diagnostics.push(...soundWarnings(loaded, '/var/lib/asterisk/sounds'))
 */
export function soundWarnings(loaded: LoadedFlow, soundsDir: string): Diagnostic[] {
  if (!loaded.flow) return [];
  const statuses = checkSounds(promptInventory(loaded.flow, loaded.file), new SoundFolder(soundsDir));
  return statuses
    .filter((s) => s.state === 'missing')
    .map((s) => ({
      code: 'sound-missing',
      severity: 'warning' as const,
      file: loaded.file,
      pointer: s.entry.pointer,
      range: locate(loaded.source, s.entry.pointer),
      message: `The sound \`${s.entry.sound}\` for language \`${s.entry.language}\` is not in \`${soundsDir}\`.`,
      hint: 'Record it, or make a stand-in with `touchtone prompts --render`.',
    }));
}
