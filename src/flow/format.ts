/**
 * Printing diagnostics: `file:line:col: error|warning CODE: message`, a code frame under it, and a hint.
 * `diagnosticsToJson` gives the same data for tools.
 */
import type { Diagnostic } from './diagnostics.js';
import type { SourceFile } from './source.js';
import { codeInfo } from './codes.js';

export interface FormatOptions {
  color?: boolean;
  /** Shown instead of absolute paths (for example relative to the working directory). */
  displayPath?: (file: string) => string;
}

type Sources = ReadonlyMap<string, SourceFile> | readonly SourceFile[] | undefined;

const paint = (on: boolean, code: string, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

function findSource(sources: Sources, file: string | undefined): SourceFile | undefined {
  if (!sources || file === undefined) return undefined;
  if (sources instanceof Map) return sources.get(file);
  return (sources as readonly SourceFile[]).find((s) => s.file === file);
}

/** Two lines of context before the problem, the line itself, and a caret under the column. */
export function codeFrame(source: SourceFile, d: Diagnostic, color = false): string {
  // A file that is missing or empty has no line to show.
  if (!d.range || source.text === '') return '';
  const lines = source.text.split('\n');
  const { line, col } = d.range.start;
  if (line < 1 || line > lines.length) return '';
  const width = String(line).length;
  // Long lines (minified or generated YAML) show a window around the column, the same for every line shown.
  const from = col > 100 ? col - 60 : 0;
  const clip = (text: string) => (from ? '…' : '') + (text.length - from > 120 ? text.slice(from, from + 117) + '…' : text.slice(from));
  const out: string[] = [];
  for (let n = Math.max(1, line - 2); n <= line; n++) {
    const text = (lines[n - 1] ?? '').replace(/\t/g, ' ').replace(/\r$/, '');
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${clip(text)}`);
  }
  const endCol = d.range.end.line === line ? Math.max(d.range.end.col, col + 1) : (lines[line - 1]?.length ?? col) + 1;
  const len = Math.max(1, Math.min(endCol - col, 60));
  const pad = col - 1 - from + (from ? 1 : 0);
  out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, pad))}${paint(color, d.severity === 'error' ? '31' : '33', '^'.repeat(len))}`);
  return out.join('\n');
}

/** One diagnostic's heading line. */
export function headline(d: Diagnostic, opts: FormatOptions = {}): string {
  const file = d.file === undefined ? '<flow>' : (opts.displayPath?.(d.file) ?? d.file);
  const at = d.range ? `${file}:${d.range.start.line}:${d.range.start.col}` : file;
  const sev = paint(!!opts.color, d.severity === 'error' ? '1;31' : '1;33', d.severity);
  return `${at}: ${sev} ${d.code}: ${d.message}`;
}

/**
 * Formats diagnostics for people, sorted by file and position.
 * @example formatDiagnostics(loaded.diagnostics, loaded.sources)
 */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], sources?: Sources, opts: FormatOptions = {}): string {
  return sortDiagnostics(diagnostics)
    .map((d) => {
      const parts = [headline(d, opts)];
      const source = findSource(sources, d.file);
      const frame = source ? codeFrame(source, d, opts.color) : '';
      if (frame) parts.push(frame);
      const hint = d.hint ?? codeInfo(d.code)?.hint;
      if (hint) parts.push(`  ${paint(!!opts.color, '36', 'hint:')} ${hint}`);
      return parts.join('\n');
    })
    .join('\n\n');
}

/** Diagnostics in file, line and column order. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0) || a.code.localeCompare(b.code),
  );
}

/** The same data as the text format, for tools: one object per diagnostic. */
export function diagnosticsToJson(diagnostics: readonly Diagnostic[], opts: FormatOptions = {}): object[] {
  return sortDiagnostics(diagnostics).map((d) => ({
    file: d.file === undefined ? undefined : (opts.displayPath?.(d.file) ?? d.file),
    line: d.range?.start.line,
    column: d.range?.start.col,
    endLine: d.range?.end.line,
    endColumn: d.range?.end.col,
    severity: d.severity,
    code: d.code,
    message: d.message,
    hint: d.hint ?? codeInfo(d.code)?.hint,
    pointer: d.pointer,
  }));
}

/** GitHub Actions workflow commands, so CI shows each problem on the line it is about. */
export function diagnosticsToGithub(diagnostics: readonly Diagnostic[], opts: FormatOptions = {}): string {
  const esc = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (text: string) => esc(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return sortDiagnostics(diagnostics)
    .map((d) => {
      const file = d.file === undefined ? undefined : (opts.displayPath?.(d.file) ?? d.file);
      const where = [file !== undefined ? `file=${prop(file)}` : '', d.range ? `line=${d.range.start.line},col=${d.range.start.col}` : '', `title=${prop(d.code)}`].filter(Boolean).join(',');
      return `::${d.severity} ${where}::${esc(d.message)}`;
    })
    .join('\n');
}
