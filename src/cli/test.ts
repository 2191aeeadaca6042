/**
 * `touchtone test [paths…]`: runs YAML scenarios, prints failures at the scenario's `file:line:col`, and
 * optionally reports path coverage and prints scenario skeletons for what is not covered yet.
 * Exit codes: 0 all passed, 1 a scenario failed or coverage is below `--min-coverage`, 2 usage or an invalid
 * scenario file.
 */
import { basename, join, resolve } from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { EXIT, type CliIO } from './io.js';
import type { RegisterCommand } from './commands.js';
import { formatDiagnostics } from '../flow/load.js';
import { sourceFromText } from '../flow/source.js';
import { runTests, type TestRun } from '../testing/run-scenarios.js';
import { displayPath } from '../testing/load-flow.js';
import { coveragePercent, formatCoverage } from '../testing/coverage.js';
import { skeletons } from '../testing/skeletons.js';

interface TestOptions {
  coverage?: boolean;
  minCoverage?: string;
  skeletons?: boolean;
  /** Writes skeletons to this folder as `<flow>.skeletons.yaml` instead of printing them. */
  skeletonsDir?: string;
  format?: string;
}

/** Runs the test command's logic and resolves to its exit code (the CLI action and tests share it). */
export async function runTestCommand(paths: string[], options: TestOptions, io: CliIO): Promise<number> {
  const min = options.minCoverage === undefined ? undefined : Number(options.minCoverage);
  if (min !== undefined && (!Number.isFinite(min) || min < 0 || min > 100)) {
    io.err(`touchtone test: \`--min-coverage ${options.minCoverage}\` is not a percentage; give a number from 0 to 100.`);
    return EXIT.usage;
  }
  if (options.format !== undefined && options.format !== 'text' && options.format !== 'json') {
    io.err(`touchtone test: \`--format ${options.format}\` is not a format; use \`text\` or \`json\`.`);
    return EXIT.usage;
  }
  const show = (file: string) => displayPath(file, io.cwd);
  const given = paths.length ? paths : ['flows'];
  const resolved = given.map((p) => resolveFrom(io.cwd, p));
  const run = await runTests(resolved);
  if (run.missing.length) {
    // Named as the user wrote them: `/nonexist` read back as `../../../nonexist` looks like a different path.
    const missing = run.missing.map((m) => given[resolved.indexOf(m)] ?? show(m));
    io.err(`touchtone test: \`${missing.join('`, `')}\` ${missing.length > 1 ? 'do' : 'does'} not exist; give scenario files or folders that hold them.`);
    return EXIT.usage;
  }
  const scenarioCount = run.files.reduce((n, f) => n + f.results.length, 0);
  if (run.files.length === 0) {
    io.err(`touchtone test: no scenario files (\`*.test.yaml\`) under \`${(paths.length ? paths : ['flows']).join('`, `')}\`; write one beside each flow.`);
    return EXIT.usage;
  }
  // A flow that does not load fails its tests (exit 1); a scenario file that does not parse is a usage error (2).
  const brokenFlow = run.files.filter((f) => f.diagnostics.some((d) => d.code === 'scenario-flow'));
  const invalid = run.files.filter((f) => f.diagnostics.length && !brokenFlow.includes(f));
  const failed = run.files.flatMap((f) => f.results.filter((r) => !r.passed));
  const wantCoverage = options.coverage || min !== undefined || options.skeletons || options.skeletonsDir;
  const below = min === undefined ? [] : run.coverage.filter((c) => coveragePercent(c) < min);
  const untested = wantCoverage ? run.untested : [];

  if (options.format === 'json') {
    io.out(JSON.stringify(toJson(run, show), null, 2));
  } else {
    printText(run, io, show);
    if (wantCoverage) {
      io.out('');
      io.out(formatCoverage(run.coverage.map((c) => ({ ...c, file: c.file ? show(c.file) : undefined }) as typeof c)));
      for (const file of untested) io.out(`${show(file)}: 0% covered (no scenario file; write ${show(file).replace(/\.ya?ml$/, '.test.yaml')})`);
    }
    if (min !== undefined && (below.length || (untested.length && min > 0))) {
      io.out(`coverage below ${min}%: ${[...below.map((c) => c.flow), ...untested.map(show)].join(', ')}`);
    }
    io.out(`\n${scenarioCount} scenario(s): ${scenarioCount - failed.length} passed, ${failed.length} failed${invalid.length ? `; ${invalid.length} invalid scenario file(s)` : ''}${brokenFlow.length ? `; ${brokenFlow.length} flow(s) with errors` : ''}`);
  }
  if (options.skeletons || options.skeletonsDir) {
    for (const c of run.coverage) {
      if (!c.file) continue;
      const text = skeletons(c.doc, c);
      if (!text) continue;
      if (options.skeletonsDir) {
        const dir = resolve(io.cwd, options.skeletonsDir);
        await mkdir(dir, { recursive: true });
        // Not `*.test.yaml`: a skeleton holds TODOs and must not run until the author turns it into a scenario.
        const target = join(dir, basename(c.file).replace(/\.ya?ml$/, '.skeletons.yaml'));
        await writeFile(target, text);
        io.out(`wrote ${show(target)}: skeletons for ${c.flow}`);
      } else io.out(`\n# ${show(c.file).replace(/\.ya?ml$/, '.test.yaml')}\n${text}`);
    }
  }
  if (invalid.length) return EXIT.usage;
  if (failed.length || brokenFlow.length || below.length || (min !== undefined && min > 0 && untested.length)) return EXIT.failed;
  return EXIT.ok;
}

function resolveFrom(cwd: string, path: string): string {
  return path.startsWith('/') ? path : `${cwd}/${path}`;
}

function printText(run: TestRun, io: CliIO, show: (file: string) => string): void {
  for (const f of run.files) {
    io.out(show(f.file));
    if (f.diagnostics.length) {
      const sources = new Map(f.sources ?? []);
      if (f.text !== undefined) sources.set(f.file, sourceFromText(f.file, f.text));
      io.out(indent(formatDiagnostics(f.diagnostics, sources, { displayPath: show })));
      continue;
    }
    for (const r of f.results) {
      if (r.passed) io.out(`  ✓ ${r.name}`);
      else {
        io.out(`  ✗ ${r.name}`);
        io.out(`    ${show(r.failure!.at.file)}:${r.failure!.at.line}:${r.failure!.at.col}: ${r.failure!.message}`);
      }
    }
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

function toJson(run: TestRun, show: (file: string) => string): object {
  return {
    files: run.files.map((f) => ({
      file: show(f.file),
      diagnostics: f.diagnostics.map((d) => ({ code: d.code, message: d.message, line: d.range?.start.line, col: d.range?.start.col })),
      scenarios: f.results.map((r) => ({ name: r.name, passed: r.passed, ...(r.failure ? { failure: { ...r.failure.at, file: show(r.failure.at.file), code: r.failure.code, message: r.failure.message } } : {}) })),
    })),
    coverage: run.coverage.map((c) => ({
      flow: c.flow,
      file: c.file ? show(c.file) : undefined,
      percent: coveragePercent(c),
      missing: c.items.filter((i) => !c.covered.has(i.id)).map((i) => i.id),
    })),
  };
}

/** Registers `touchtone test`. */
export const registerTest: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('test')
    .description('Run the YAML scenarios (*.test.yaml) of flows, with optional path coverage.')
    .argument('[paths...]', 'scenario files or folders to search (default: flows)')
    .option('--coverage', 'report path coverage per flow')
    .option('--min-coverage <percent>', 'fail when a flow is covered less than this')
    .option('--skeletons', 'print scenario skeletons for the items not covered yet')
    .option('--skeletons-dir <dir>', 'write the skeletons to <dir>/<flow>.skeletons.yaml instead')
    .option('--format <format>', 'text (default) or json')
    .action(async (paths: string[], options: TestOptions) => {
      setExit(await runTestCommand(paths, options, io));
    });
};
