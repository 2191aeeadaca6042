/**
 * Running one benchmark as a child process with a time limit, and describing the machine it ran on.
 */
import { spawn } from 'node:child_process';
import { cpus, freemem, loadavg, totalmem, type as osType, release } from 'node:os';
import { performance } from 'node:perf_hooks';

/** What a finished child left behind. */
export interface ChildResult {
  output: string;
  code: number;
  timedOut: boolean;
  seconds: number;
}

/**
 * Runs `argv` (argv[0] is the program) and collects stdout and stderr together. A child past `timeoutMs` is sent
 * SIGKILL, so one stuck benchmark cannot hold up the whole run.
 */
export function runChild(argv: readonly string[], timeoutMs: number): Promise<ChildResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ output, code: code ?? 1, timedOut, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** The machine, in a few lines: figures mean little without it. */
export function machineInfo(): string[] {
  const cpu = cpus();
  const gib = (bytes: number): string => (bytes / 2 ** 30).toFixed(1);
  return [
    `date: ${new Date().toISOString()}`,
    `node ${process.version}, ${osType()} ${release()} ${process.arch}`,
    `cpu: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown'}`,
    `memory: ${gib(totalmem())} GiB (${gib(freemem())} GiB free at the start)`,
    `load average at the start: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`,
  ];
}
