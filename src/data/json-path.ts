/**
 * The small path syntax that maps an HTTP response to variables: names joined by dots, list positions in
 * brackets or as numbers, an optional leading `$`. No filters, no wildcards, no code.
 * @example readJsonPath({ order: { items: [{ name: 'Lamp' }] } }, 'order.items[0].name') // 'Lamp'
 */
export function readJsonPath(data: unknown, path: string): unknown {
  const segments = parseJsonPath(path);
  if (!segments) return undefined;
  let value = data;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) {
      const index = Number(segment);
      value = Number.isInteger(index) ? value[index < 0 ? value.length + index : index] : undefined;
    } else {
      value = Object.prototype.hasOwnProperty.call(value, segment) ? (value as Record<string, unknown>)[segment] : undefined;
    }
  }
  return value;
}

const SEGMENT = /^(?:\.?([A-Za-z_][A-Za-z0-9_-]*)|\.?(-?\d+)|\[(-?\d+)\]|\[["']([^"']+)["']\])/;

/** Splits a path into segments, or returns undefined when it is not valid (for the validator). */
export function parseJsonPath(path: string): string[] | undefined {
  let rest = path.trim().replace(/^\$/, '');
  const segments: string[] = [];
  while (rest.length) {
    const m = SEGMENT.exec(rest);
    if (!m) return undefined;
    segments.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
    rest = rest.slice(m[0].length);
  }
  return segments;
}
