/**
 * `touchtone validate [files or folders]`: checks flows and prints each problem at its line with a code frame
 * and a hint. Exit 0 without errors, 1 with errors (a path that does not exist is one, as in `graph` and
 * `simulate`) or warnings under `--strict`, 2 on usage problems.
 */
import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { loadFlowFile, type LoadedFlow } from '../flow/load.js';
import { findFlowFiles } from '../flow/find-flows.js';
import { checkSounds } from '../flow/sounds.js';
import { diagnosticsToGithub, diagnosticsToJson, formatDiagnostics } from '../flow/format.js';
import type { Diagnostic } from '../flow/diagnostics.js';
import type { SourceFile } from '../flow/source.js';
import { finish } from '../flow/validate.js';
import { EXIT, type CliIO } from './io.js';
import type { RegisterCommand } from './commands.js';

interface ValidateOptions {
  format: string;
  sounds?: string;
  strict?: boolean;
  color?: boolean;
}

/** Expands the paths to flow files; a missing path stays, to be reported as `file-not-found` like any unreadable file. */
async function expand(paths: readonly string[], io: CliIO): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const abs = resolve(io.cwd, p);
    const info = await stat(abs).catch(() => undefined);
    files.push(...(info?.isDirectory() ? await findFlowFiles(abs) : [abs]));
  }
  return [...new Set(files)];
}

/** The sound checks, or why they cannot run: a folder that is not there would report every sound missing. */
async function soundsCheck(loaded: readonly LoadedFlow[], sounds: string, io: CliIO): Promise<Diagnostic[]> {
  const dir = resolve(io.cwd, sounds);
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory()) return soundDiagnostics(loaded, dir);
  const what = info ? 'is not a folder' : 'does not exist';
  return [finish({ code: 'sounds-not-found', message: `The sounds folder \`${sounds}\` ${what}, so no sound file could be checked.` }, dir)];
}

function key(d: Diagnostic): string {
  return `${d.file}|${d.range?.start.offset}|${d.code}|${d.message}`;
}

/** Loads every file and gathers their diagnostics once each (a sub-flow is also checked through its parents). */
export async function validateFiles(files: readonly string[]): Promise<{ diagnostics: Diagnostic[]; sources: Map<string, SourceFile>; loaded: LoadedFlow[] }> {
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, SourceFile>();
  const loaded: LoadedFlow[] = [];
  for (const file of files) {
    const result = await loadFlowFile(file);
    loaded.push(result);
    for (const [f, s] of result.sources) sources.set(f, s);
    for (const d of result.diagnostics) {
      if (seen.has(key(d))) continue;
      seen.add(key(d));
      diagnostics.push(d);
    }
  }
  return { diagnostics, sources, loaded };
}

/** Sound checks for every loaded flow and sub-flow, once each. */
function soundDiagnostics(loaded: readonly LoadedFlow[], dir: string): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const flow of loaded.flatMap((l) => [l, ...l.subflows.values()])) {
    if (!flow.flow || seen.has(flow.file)) continue;
    seen.add(flow.file);
    out.push(...checkSounds(flow.flow, flow.source, dir));
  }
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

async function run(paths: string[], opts: ValidateOptions, io: CliIO): Promise<number> {
  if (!['text', 'json', 'github'].includes(opts.format)) {
    io.err(`touchtone validate: \`--format ${opts.format}\` is not a format; use \`text\`, \`json\` or \`github\`.`);
    return EXIT.usage;
  }
  const files = await expand(paths.length ? paths : ['flows'], io);
  if (!files.length) {
    io.err(`touchtone validate: found no flow files (YAML with a top-level \`flow:\` or \`steps:\`) in ${(paths.length ? paths : ['flows']).map((p) => `\`${p}\``).join(', ')}.`);
    return EXIT.usage;
  }
  const { diagnostics, sources, loaded } = await validateFiles(files);
  if (opts.sounds !== undefined) diagnostics.push(...(await soundsCheck(loaded, opts.sounds, io)));
  const displayPath = (file: string) => relative(io.cwd, file) || file;
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const failed = errors > 0 || (opts.strict === true && warnings > 0);
  if (opts.format === 'json') {
    io.out(JSON.stringify({ files: files.map(displayPath), errors, warnings, ok: !failed, diagnostics: diagnosticsToJson(diagnostics, { displayPath }) }, null, 2));
  } else if (opts.format === 'github') {
    if (diagnostics.length) io.out(diagnosticsToGithub(diagnostics, { displayPath }));
  } else {
    const color = opts.color !== false && io.isTTY && !io.env.NO_COLOR;
    if (diagnostics.length) io.out(formatDiagnostics(diagnostics, sources, { color, displayPath }) + '\n');
    const counts = diagnostics.length ? `${plural(errors, 'error')}, ${plural(warnings, 'warning')}` : 'no problems';
    io.out(`${failed ? '✗' : '✓'} ${plural(files.length, 'flow file')} checked: ${counts}.`);
  }
  return failed ? EXIT.failed : EXIT.ok;
}

/** Registers `touchtone validate`. */
export const registerValidate: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('validate')
    .description('Check flow files (or every flow in the folders given): shape, then meaning. Default folder: flows.')
    .argument('[paths...]', 'flow files or folders')
    .option('--format <format>', 'text, json, or github (annotations for GitHub Actions)', 'text')
    .option('--strict', 'fail on warnings too')
    .option('--sounds <dir>', 'also warn about prompts whose sound file is missing for a language (Asterisk layout: <dir>/<lang>/<sound>.wav)')
    .option('--no-color', 'print without colours')
    .action(async (paths: string[], opts: ValidateOptions) => {
      setExit(await run(paths, opts, io));
    });
};
