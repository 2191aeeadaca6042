import type { CliIO } from '../../src/cli/io.js';

/** A CliIO that records what a command prints, for in-process CLI tests. */
export function captureIO(cwd: string = process.cwd(), stdin?: NodeJS.ReadableStream): CliIO & { stdout: string[]; stderr: string[]; text(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => void stdout.push(t),
    err: (t) => void stderr.push(t),
    isTTY: false,
    cwd,
    env: {},
    ...(stdin ? { stdin } : {}),
    text: () => stdout.join('\n'),
  };
}
