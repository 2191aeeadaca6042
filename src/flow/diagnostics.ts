/**
 * One diagnostics type for every problem a user can see in a flow: shape errors (JSON Schema), meaning checks,
 * YAML syntax errors, and load problems (file too large, not UTF-8).
 *
 * Positions stay abstract until printed: a check reports a JSON pointer into the document (`/steps/main/menu`),
 * and only the formatter turns it into `file:line:col` with a code frame, using the source map from `source.ts`.
 */

export type Severity = 'error' | 'warning';

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  col: number;
  /** 0-based character offset. */
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Diagnostic {
  /** Stable code from the catalogue (`src/flow/codes.ts`), for example `unknown-step`. Never reused. */
  code: string;
  severity: Severity;
  /** One sentence. User values in backticks. */
  message: string;
  /** How to fix it. */
  hint?: string;
  /** The file the problem is in. */
  file?: string;
  /** JSON pointer to the node at fault. `''` is the document root. */
  pointer?: string;
  /** Point at the key (for unknown properties, duplicates) rather than the value. */
  atKey?: boolean;
  /** Filled by `locate()` from `pointer`, or set directly for YAML-level problems. */
  range?: Range;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Builds a JSON pointer from path segments, escaping `~` and `/` (RFC 6901). */
export function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Splits a JSON pointer into its unescaped segments. */
export function pointerSegments(ptr: string): string[] {
  if (ptr === '') return [];
  return ptr
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
