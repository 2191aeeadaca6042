/** "Did you mean" for unknown names: the closest candidate within a small edit distance. */
import { distance } from 'fastest-levenshtein';

/**
 * Returns the candidate closest to `name`, if it is close enough to be a likely typo.
 * @example didYouMean('mian', ['main', 'agent']) // 'main'
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const d = isTransposition(lower, c) ? 1 : distance(lower, c);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(name.length / 3));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

/** ` Did you mean \`x\`?` or the empty string. */
export function didYouMeanText(name: string, candidates: Iterable<string>): string {
  const best = didYouMean(name, candidates);
  return best === undefined ? '' : ` Did you mean \`${best}\`?`;
}

/** Whether two strings differ only by two neighbouring characters swapped (`paly` / `play`). */
function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let i = 0;
  while (a[i] === b[i]) i++;
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}
