import { loadConfig } from '../config/load-config.js';
import { resolveDbPath } from '../store/index.js';

/**
 * The CLI's window on the world. Commands write through this instead of `console`, so golden tests can run
 * them in-process and capture exactly what a user would see.
 */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (colours, interactive phone). */
  readonly isTTY: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Standard input, for the interactive simulator. */
  readonly stdin?: NodeJS.ReadableStream;
}

export const processIO: CliIO = {
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  isTTY: Boolean(process.stdout.isTTY),
  cwd: process.cwd(),
  env: process.env,
  stdin: process.stdin,
};

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Thrown by a command to exit with a code after printing its own message. */
export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * The store the report commands (`calls`, `stats`, `hours`) read: `--db`, else `TOUCHTONE_DB`, else the server's own
 * setting (`TOUCHTONE_STORE_PATH`, then `store.path` in `touchtone.yaml`), else `.touchtone/touchtone.db`. So they
 * see what `touchtone serve` writes, run from the same folder with the same environment. A problem with another
 * setting does not stop the reports; a configuration whose store path cannot be told is reported (exit 2) rather
 * than guessed around: `hours` writes, and a guess would write to a store the server never reads.
 * @example const path = storePathFor(io, opts.db);
 */
export function storePathFor(io: CliIO, db: string | undefined): string {
  if (db !== undefined || io.env.TOUCHTONE_DB) return resolveDbPath(io.cwd, io.env, db);
  const { config, diagnostics } = loadConfig({ cwd: io.cwd, env: io.env });
  if (config) return config.store.path;
  // Only the store's own variable: a wrong port or token must not keep the reports from running.
  const storeOnly = loadConfig({ cwd: io.cwd, env: { TOUCHTONE_STORE_PATH: io.env.TOUCHTONE_STORE_PATH } }).config;
  if (storeOnly) return storeOnly.store.path;
  const problem = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
  io.err(`touchtone: the configuration cannot be read for the store's path (${problem ? `${problem.code}: ${problem.message}` : 'unknown problem'}); fix it as \`touchtone serve\` reports, or name the store with --db.`);
  throw new CliExit(EXIT.usage);
}
