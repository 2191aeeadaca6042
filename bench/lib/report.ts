/**
 * BENCHMARKS.md from the runs: machine, one table of figures with the command behind each, then the raw output.
 */
import { cpus, loadavg } from 'node:os';
import type { BenchRun } from './figures.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The whole report as Markdown. */
export function renderReport(machine: string[], runs: BenchRun[], totalSec: number): string {
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/all.ts): each benchmark runs as its own child process, so heap figures are its',
    'own. Re-run it to refresh this file; the figures below are from the machine described here and move with its load.',
    '',
    '## Machine',
    '',
    ...machine.map((l) => `- ${l}`),
    `- whole run: ${totalSec.toFixed(0)} s`,
    ...busyNote(),
    '',
    '## Figures',
    '',
    '| figure | value | command |',
    '|---|---|---|',
  ];
  for (const run of runs) {
    for (const f of run.figures) lines.push(`| ${cell(f.label)} | ${cell(f.value)} | \`${cell(run.bench.command)}\` |`);
    if (run.code !== 0) lines.push(`| ${run.bench.name} exit status | ${run.code}${run.timedOut ? ' (stopped at its time limit)' : ''} | \`${cell(run.bench.command)}\` |`);
  }
  lines.push(
    '',
    'The soak run (`npm run soak -- --calls 1000 --minutes 10`: heap over time, stuck calls, one outcome per call in',
    'SQLite) and the fault and hostile-input figures are in RELIABILITY.md.',
  );
  lines.push('', '## What each benchmark does, and its raw output', '');
  for (const run of runs) {
    lines.push(`### ${run.bench.name}: ${run.bench.about}`, '', `Command: \`${run.bench.command}\` (${run.seconds.toFixed(1)} s)`, '', '```', run.output.trimEnd(), '```', '');
  }
  return lines.join('\n');
}

/** A warning when other work shared the machine: maxima then include other processes' time slices. */
function busyNote(): string[] {
  const load = loadavg()[0]!;
  const cores = cpus().length;
  if (load < cores) return [];
  return [
    `- **busy machine**: load ${load.toFixed(2)} on ${cores} cores at the end of the run. Medians and p99 hold up;`,
    '  maxima and event-loop blocks include time slices taken by other processes. Re-run on an idle machine to compare.',
  ];
}
