/**
 * The server's logger: pino, JSON lines by default, readable colours on a terminal (pino-pretty).
 * Secrets are redacted by path, so a token or password that slips into a log object is printed as `****`.
 */
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

/** Paths pino redacts in every log line. Keep in step with the secret settings in `src/config/schema.ts`. */
export const REDACTED_PATHS = [
  'token',
  'password',
  'secret',
  'authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.*.token',
  '*.*.password',
  '*.*.secret',
  'req.headers.authorization',
  'headers.authorization',
];

export interface LoggerOptions {
  level: string;
  /** Pretty output (for a terminal). */
  pretty?: boolean;
  /** Where lines go; default stdout. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

/**
 * Creates the server logger.
 * @example const log = createLogger({ level: 'info', pretty: process.stdout.isTTY });
 */
export function createLogger(options: LoggerOptions): PinoLogger {
  const base = { level: options.level, base: { app: 'touchtone' }, redact: { paths: REDACTED_PATHS, censor: '****' } };
  if (options.pretty && !options.destination) {
    return pino(base, pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,app', sync: true }));
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}

export type { PinoLogger };
