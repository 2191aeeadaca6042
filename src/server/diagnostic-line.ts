/** One diagnostic as one log line, in the same `file:line:col: error code: message` form the CLI prints. */
import type { Diagnostic } from '../flow/diagnostics.js';
import { headline } from '../flow/format.js';

/**
 * @example diagnosticLine(d) // 'flows/x.yaml:9:14: error unknown-step: …'
 */
export function diagnosticLine(d: Diagnostic): string {
  return headline(d) + (d.hint ? ` (${d.hint})` : '');
}
