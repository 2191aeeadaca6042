/**
 * Durations in flows: `500ms`, `5s`, `1.5s`, `2m`, or `0`. One syntax everywhere, parsed once at compile time.
 */
export const DURATION_PATTERN = '^(0|[0-9]+(\\.[0-9]+)?(ms|s|m))$';
const DURATION = new RegExp(DURATION_PATTERN);
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** Parses a duration to milliseconds, or returns undefined if it is not one. @example parseDuration('1.5s') // 1500 */
export function parseDuration(text: string | number | undefined): number | undefined {
  if (typeof text === 'number') return text === 0 ? 0 : undefined;
  if (typeof text !== 'string' || !DURATION.test(text)) return undefined;
  if (text === '0') return 0;
  const match = /^([0-9.]+)(ms|s|m)$/.exec(text)!;
  return Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
}

/** Like `parseDuration`, with a default for absent values. Invalid values are the validator's job; here they throw. */
export function durationMs(text: string | number | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`invalid duration \`${String(text)}\``);
  return ms;
}

/** Formats milliseconds the way authors write them. @example formatDuration(1500) // '1.5s' */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 || ms > 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}
