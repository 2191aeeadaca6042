/**
 * Validation in two passes: shape (JSON Schema) then meaning (checks). Both report through one diagnostics
 * type with stable codes and JSON pointers; the caller places them in the file.
 */
import type { Diagnostic } from './diagnostics.js';
import type { FlowDoc } from './types.js';
import type { SourceFile } from './source.js';
import { schemaErrors } from './schema.js';
import { shapeDiagnostics } from './shape-errors.js';
import { codeInfo } from './codes.js';
import { runChecks } from './checks/index.js';

/** Fills in the severity (from the catalogue) and the file. */
export function finish(d: Omit<Diagnostic, 'severity'> & { severity?: Diagnostic['severity'] }, file?: string): Diagnostic {
  return { ...d, severity: d.severity ?? codeInfo(d.code)?.severity ?? 'error', ...(file !== undefined ? { file } : {}) };
}

/**
 * Validates a parsed flow: its shape, then (when the shape is right) its meaning.
 * @example validateFlow(parse(text), source).filter((d) => d.severity === 'error')
 */
export function validateFlow(value: unknown, source?: Pick<SourceFile, 'file'>): Diagnostic[] {
  const file = source?.file;
  const shape = shapeDiagnostics(schemaErrors(value), value).map((d) => finish(d, file));
  if (shape.length) return shape;
  return runChecks(value as FlowDoc).map((d) => finish(d, file));
}
