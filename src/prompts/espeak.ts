/**
 * The local TTS engine for `--render`: Debian's `espeak-ng`, resampled to 8 kHz mono 16-bit by `sox` when it is
 * installed, or by `wav.ts` when not. Programs run without a shell, and the text goes in on stdin, so a prompt's
 * text can never become an option or a command.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Synthesizer } from './render.js';
import { encodeWav, parseWav, toTelephone } from './wav.js';

export interface EspeakOptions {
  espeak?: string;
  sox?: string;
  /** Bound on one program run. */
  timeoutMs?: number;
}

interface RunResult {
  code: number | null;
  stderr: string;
  missing: boolean;
}

function run(program: string, args: readonly string[], input: string | undefined, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ['pipe', 'ignore', 'pipe'], timeout: timeoutMs });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    child.on('error', (error: NodeJS.ErrnoException) => resolve({ code: null, stderr: error.message, missing: error.code === 'ENOENT' }));
    child.on('close', (code) => resolve({ code, stderr: stderr.trim(), missing: false }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** Whether a program can be started (`<program> --version` exits 0). */
export async function available(program: string, timeoutMs = 10_000): Promise<boolean> {
  const result = await run(program, ['--version'], undefined, timeoutMs);
  return !result.missing && result.code === 0;
}

/**
 * Builds the espeak-ng synthesizer, or explains why it cannot.
 *
 * @example
 *   const tts = await createEspeakSynthesizer();
 *   if (tts.ok) await tts.synthesizer.synthesize('Welcome to ACME.', 'en');
 */
export async function createEspeakSynthesizer(options: EspeakOptions = {}): Promise<{ ok: true; synthesizer: Synthesizer; resampler: 'sox' | 'built-in' } | { ok: false; message: string }> {
  const espeak = options.espeak ?? 'espeak-ng';
  const sox = options.sox ?? 'sox';
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!(await available(espeak, timeoutMs))) {
    return { ok: false, message: `\`${espeak}\` is not installed, so prompts cannot be rendered; install it (\`apt-get install espeak-ng\`) or record the sound files.` };
  }
  const useSox = await available(sox, timeoutMs);
  const synthesizer: Synthesizer = {
    name: espeak,
    async synthesize(text, language) {
      const dir = await mkdtemp(join(tmpdir(), 'touchtone-tts-'));
      try {
        const raw = join(dir, 'raw.wav');
        // espeak-ng voices are lower-case (`fr-ca`); fall back to the base language (`fr`) when the variant is missing.
        const voices = [...new Set([language.toLowerCase().replace('_', '-'), language.toLowerCase().split(/[-_]/)[0]!])];
        let result: RunResult | undefined;
        for (const voice of voices) {
          result = await run(espeak, ['-v', voice, '-w', raw, '--stdin'], text, timeoutMs);
          if (result.code === 0) break;
        }
        if (result?.code !== 0) throw new Error(result?.stderr || `exit code ${String(result?.code)}`);
        if (!useSox) return encodeWav(toTelephone(parseWav(await readFile(raw))));
        const out = join(dir, 'out.wav');
        const converted = await run(sox, [raw, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', out], undefined, timeoutMs);
        if (converted.code !== 0) throw new Error(`sox: ${converted.stderr || `exit code ${String(converted.code)}`}`);
        return await readFile(out);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
  return { ok: true, synthesizer, resampler: useSox ? 'sox' : 'built-in' };
}
