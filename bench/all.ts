/**
 * `npm run bench`: runs every benchmark as its own child process (so heap figures are not polluted by the others),
 * collects their figures and writes BENCHMARKS.md with the machine, the command behind each figure and the raw
 * output. Prints figures, asserts nothing.
 *
 *   npm run bench                     all benchmarks, BENCHMARKS.md rewritten
 *   npm run bench -- --only engine    one of: validate, engine, store, ari
 *   npm run bench -- --out path.md    write elsewhere
 *
 * The benchmark scripts print plain text; the figures are read from it by `bench/lib/figures.ts`. A figure that
 * cannot be read shows as "not found" and the raw output beside it says why.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { BENCHES, figuresOf, type BenchRun } from './lib/figures.js';
import { machineInfo, runChild } from './lib/child.js';
import { renderReport } from './lib/report.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = option('--only');
const out = option('--out') ?? 'BENCHMARKS.md';

const machine = machineInfo();
const runs: BenchRun[] = [];
const started = performance.now();
for (const bench of BENCHES) {
  if (only && bench.name !== only) continue;
  process.stdout.write(`── ${bench.name}: ${bench.command}\n`);
  const result = await runChild(bench.argv, bench.timeoutMs);
  process.stdout.write(result.output);
  if (result.code !== 0) process.stdout.write(`   (exit ${result.code}${result.timedOut ? ', stopped at its time limit' : ''})\n`);
  runs.push({ bench, ...result, figures: figuresOf(bench.name, result.output) });
}
const totalSec = (performance.now() - started) / 1000;
writeFileSync(out, renderReport(machine, runs, totalSec));
process.stdout.write(`\nwrote ${out} (${totalSec.toFixed(0)} s)\n`);
if (runs.some((r) => r.code !== 0)) process.exitCode = 1;
