/**
 * `touchtone prompts [flows]`: every prompt per language with its text, its sound name, and whether Asterisk has
 * the sound file. `--render` makes the missing ones with espeak-ng. Exit 0 when the listing (and any render)
 * worked, 1 when a flow does not exist or load, a name is refused or a render fails, 2 on usage problems.
 */
import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { formatDiagnostics, loadFlowFile, type LoadedFlow } from '../flow/load.js';
import { findFlowFiles } from '../flow/find-flows.js';
import { promptInventory, type PromptEntry } from '../prompts/inventory.js';
import { DEFAULT_SOUNDS_DIR, SoundFolder } from '../prompts/sound-folder.js';
import { checkSounds, renderMissing, type SoundStatus, type Synthesizer } from '../prompts/render.js';
import { createEspeakSynthesizer } from '../prompts/espeak.js';
import { CONFIG_FILE, loadConfig } from '../config/load-config.js';
import { EXIT, type CliIO } from './io.js';
import type { RegisterCommand } from './commands.js';

export interface PromptsOptions {
  soundsDir?: string;
  format: string;
  render?: boolean;
}

/** What the command needs from outside; tests inject a synthesizer so they run without espeak-ng. */
export interface PromptsDeps {
  synthesizer?: Synthesizer;
}

const MARK: Record<SoundStatus['state'], string> = { present: '✓', missing: '✗', rendered: '+', failed: '!', refused: '!', pattern: '~' };

/** Runs `touchtone prompts` and resolves to its exit code. */
export async function runPromptsCommand(paths: readonly string[], options: PromptsOptions, io: CliIO, deps: PromptsDeps = {}): Promise<number> {
  if (options.format !== 'text' && options.format !== 'json') {
    io.err(`touchtone prompts: \`--format ${options.format}\` is not a format; use \`text\` or \`json\`.`);
    return EXIT.usage;
  }
  const shown = (file: string) => relative(io.cwd, file) || file;
  const files: string[] = [];
  for (const path of paths.length ? paths : ['flows']) {
    const abs = resolve(io.cwd, path);
    const info = await stat(abs).catch(() => undefined);
    if (!info) {
      // As `validate`, `graph` and `simulate` report it: a flow that cannot be read, not a misused command.
      io.err(`touchtone prompts: file-not-found: \`${path}\` does not exist; name flow files or folders that hold them.`);
      return EXIT.failed;
    }
    files.push(...(info.isDirectory() ? await findFlowFiles(abs) : [abs]));
  }

  let failed = false;
  const entries: PromptEntry[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const loaded = await loadFlowFile(file);
    if (!loaded.flow) {
      io.err(formatDiagnostics(loaded.diagnostics.filter((d) => d.severity === 'error'), loaded.sources, { displayPath: shown }));
      failed = true;
      continue;
    }
    for (const flow of [loaded, ...loaded.subflows.values()] as LoadedFlow[]) {
      if (!flow.flow || seen.has(flow.file)) continue;
      seen.add(flow.file);
      entries.push(...promptInventory(flow.flow, shown(flow.file)));
    }
  }

  const soundsDir = soundsDirFor(options, io);
  const folder = new SoundFolder(soundsDir);
  let statuses = checkSounds(entries, folder);
  let engine: string | undefined;
  if (options.render && statuses.some((s) => s.state === 'missing')) {
    let synthesizer = deps.synthesizer;
    if (!synthesizer) {
      const made = await createEspeakSynthesizer();
      if (!made.ok) {
        io.err(`touchtone prompts: ${made.message}`);
        return EXIT.failed;
      }
      synthesizer = made.synthesizer;
    }
    engine = synthesizer.name;
    statuses = await renderMissing(statuses, folder, synthesizer);
  }
  if (statuses.some((s) => s.state === 'failed' || s.state === 'refused')) failed = true;

  if (options.format === 'json') io.out(JSON.stringify(toJson(statuses, soundsDir, engine), null, 2));
  else io.out(toText(statuses, soundsDir, options.render === true));
  return failed ? EXIT.failed : EXIT.ok;
}

/** `--sounds-dir`, else `sounds.dir` from touchtone.yaml or TOUCHTONE_SOUNDS_DIR (as `serve` reads them), else the default. */
function soundsDirFor(options: PromptsOptions, io: CliIO): string {
  if (options.soundsDir) return resolve(io.cwd, options.soundsDir);
  const loaded = loadConfig({ cwd: io.cwd, env: io.env });
  if (loaded.config) return loaded.config.sounds.dir ?? DEFAULT_SOUNDS_DIR;
  io.err(`touchtone prompts: the settings (\`${CONFIG_FILE}\` or TOUCHTONE_*) have errors, so their \`sounds.dir\` is not used; run \`touchtone serve\` to see them, or pass \`--sounds-dir\`.`);
  return resolve(io.cwd, io.env.TOUCHTONE_SOUNDS_DIR ?? DEFAULT_SOUNDS_DIR);
}

function counts(statuses: readonly SoundStatus[]): Record<SoundStatus['state'], number> {
  const out: Record<SoundStatus['state'], number> = { present: 0, missing: 0, rendered: 0, failed: 0, refused: 0, pattern: 0 };
  for (const s of statuses) out[s.state]++;
  return out;
}

function toJson(statuses: readonly SoundStatus[], soundsDir: string, engine: string | undefined): object {
  return {
    soundsDir,
    ...(engine ? { engine } : {}),
    counts: counts(statuses),
    prompts: statuses.map((s) => ({
      file: s.entry.file,
      flow: s.entry.flow,
      prompt: s.entry.prompt ?? null,
      origin: s.entry.origin,
      pointer: s.entry.pointer,
      language: s.entry.language,
      text: s.entry.text ?? null,
      sound: s.entry.sound,
      state: s.state,
      // A pattern names many files, decided per call: whether they exist is not known here.
      exists: s.state === 'pattern' ? null : s.state === 'present' || s.state === 'rendered',
      path: s.file ?? null,
      ...(s.problem ? { problem: s.problem } : {}),
    })),
  };
}

function clip(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > width ? flat.slice(0, width - 1) + '…' : flat;
}

function toText(statuses: readonly SoundStatus[], soundsDir: string, rendered: boolean): string {
  const lines = [`Sounds folder: ${soundsDir}`];
  let file: string | undefined;
  const nameWidth = Math.min(28, Math.max(6, ...statuses.map((s) => label(s).length)));
  const whereWidth = Math.min(40, Math.max(10, ...statuses.map((s) => where(s).length)));
  for (const s of statuses) {
    if (s.entry.file !== file) {
      file = s.entry.file;
      lines.push('', `${s.entry.flow} (${file})`);
    }
    const name = label(s).padEnd(nameWidth);
    const text = s.entry.text === undefined ? '(no text)' : `"${clip(s.entry.text, 60)}"`;
    lines.push(`  ${MARK[s.state]} ${s.entry.language.padEnd(5)} ${name}  ${where(s).padEnd(whereWidth)}  ${text}`);
    if (s.problem) lines.push(`      ${s.problem.message}`);
  }
  const c = counts(statuses);
  const parts = [`${c.present} present`, `${c.missing} missing`];
  if (c.rendered) parts.push(`${c.rendered} rendered`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.refused) parts.push(`${c.refused} refused`);
  if (c.pattern) parts.push(`${c.pattern} named by data`);
  lines.push('', `${statuses.length} prompt${statuses.length === 1 ? '' : 's'}: ${parts.join(', ')}.`);
  if (c.missing && !rendered) lines.push('Run with `--render` to make the missing ones from their text with espeak-ng.');
  if (c.pattern) lines.push('Sounds named by data (`~`) are chosen per call from a record; record one file per value, they are not checked here.');
  return lines.join('\n');
}

function label(s: SoundStatus): string {
  // Inline and built-in sounds have no prompt name; the next column shows their sound.
  return s.entry.prompt ?? `(${s.entry.origin})`;
}

function where(s: SoundStatus): string {
  if (s.file) return s.state === 'rendered' ? `${s.file} (rendered)` : s.file;
  return `${s.entry.sound} (${s.state})`;
}

/** Registers `touchtone prompts`. */
export const registerPrompts: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('prompts')
    .description('List every prompt per language with its text and sound file, and whether Asterisk has the file; --render makes missing ones with espeak-ng.')
    .argument('[paths...]', 'flow files or folders (default: flows)')
    .option('--sounds-dir <dir>', `Asterisk sounds folder (default: sounds.dir in touchtone.yaml, env TOUCHTONE_SOUNDS_DIR, else ${DEFAULT_SOUNDS_DIR})`)
    .option('--format <format>', 'text or json', 'text')
    .option('--render', 'synthesize each missing sound from its text (8 kHz mono 16-bit WAV) into the sounds folder')
    .action(async (paths: string[], options: PromptsOptions) => {
      setExit(await runPromptsCommand(paths, options, io));
    });
};
