/**
 * How long validation takes for generated flows of 10, 100 and 1,000 steps (parse, schema, meaning checks).
 * Run: `npx tsx bench/validate.ts`. Target: a 1,000-step flow in under 200 ms. The fastest run shows the cost on
 * an idle machine; the median includes whatever else the machine is doing.
 */
import { performance } from 'node:perf_hooks';
import { loadFlowText } from '../src/flow/load.js';

/** A valid flow of `n` steps mixing menus, inputs, lookups, branches, plays and sets. */
export function generateFlow(n: number): string {
  const lines = [
    'flow: bench',
    'language: en',
    'start: s0',
    'defaults: { timeout: 5s, retries: 2, error: bye }',
    'prompts:',
    '  hello: { sound: bench/hello, text: "Hello ${call.caller}" }',
    '  menu: { text: "Press 1 to go on, 2 to skip, 0 for an agent." }',
    'data:',
    '  accounts: { file: { path: accounts.csv, key: number }, timeout: 2s }',
    'queues:',
    '  support: {}',
    'keys: { "0": agent, "*": back }',
    'steps:',
  ];
  const next = (i: number, k = 1) => (i + k < n ? `s${i + k}` : 'bye');
  for (let i = 0; i < n; i++) {
    switch (i % 6) {
      case 0:
        lines.push(`  s${i}:`, '    menu:', '      prompt: menu', `      options: { "1": ${next(i)}, "2": ${next(i, 2)}, "3": agent }`, '      noInput: { retries: 1, prompt: [hello] }', `    exhausted: agent`);
        break;
      case 1:
        lines.push(`  s${i}:`, `    input: { prompt: hello, digits: 4-8, into: v${i} }`, `    next: ${next(i)}`, '    exhausted: agent');
        break;
      case 2:
        lines.push(`  s${i}:`, `    lookup: { source: accounts, key: "\${v${i - 1}}", into: r${i}, timeout: 3s }`, `    found: ${next(i)}`, '    notFound: agent', '    error: bye');
        break;
      case 3:
        lines.push(`  s${i}:`, '    branch:', `      - { if: 'r${i - 1}.balance > 100 && call.hour < 18', then: ${next(i)} }`, `    else: ${next(i)}`);
        break;
      case 4:
        lines.push(`  s${i}: { play: [hello, { money: "\${r${i - 2}.balance}", currency: EUR }, { silence: 500ms }], next: ${next(i)} }`);
        break;
      default:
        lines.push(`  s${i}: { set: { count${i}: { expr: "1 + 2" }, note${i}: "\${v${i - 4}}" }, next: ${next(i)} }`);
    }
  }
  lines.push('  agent: { queue: { name: support, noAgents: bye } }', '  bye: { hangup: [hello] }');
  return lines.join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(text: string, runs: number): { first: number; median: number; min: number } {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const loaded = loadFlowText(text, 'bench.yaml');
    times.push(performance.now() - t0);
    if (!loaded.flow) throw new Error(`generated flow does not validate: ${loaded.diagnostics[0]?.message}`);
  }
  return { first: times[0]!, median: median(times), min: Math.min(...times) };
}

/** Prints the figures (an aggregate bench script may call this). */
export function runValidateBench(): void {
  // Compile the schema once, as a long-running server or CLI run does.
  const cold = measure(generateFlow(10), 1);
  process.stdout.write(`schema compile + first 10-step validation: ${cold.first.toFixed(1)} ms\n`);
  for (const n of [10, 100, 1000]) {
    const text = generateFlow(n);
    const { first, median: med, min } = measure(text, n === 1000 ? 20 : 50);
    process.stdout.write(`${String(n).padStart(5)} steps (${(text.length / 1024).toFixed(0)} KB): median ${med.toFixed(2)} ms, fastest ${min.toFixed(2)} ms, first run ${first.toFixed(2)} ms\n`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) runValidateBench();
