/**
 * Validation in two passes: shape (JSON Schema) then meaning (checks). Both report through one diagnostics
 * type with stable codes and JSON pointers; the caller places them in the file.
 *
 * The meaning checks run even when the shape pass found problems, so an author learns about a misspelled
 * option and a misspelled step name in one run. They run whenever the document is a map whose `steps` is a
 * map, and follow one rule so that no shape problem echoes as a meaning problem:
 * - A value the shape pass rejected (wrong type, bad value, unknown key, bad name) is never judged again:
 *   the checks see the flow with it blanked (`ShapeDamage.prune`), so they neither report it nor compare
 *   other values with it, no finding is reported at or inside it, and checks skip wrong types silently.
 * - A step the shape pass found any fault with (no kind, two kinds, or a problem inside it) is "uncertain".
 *   Its name still resolves, so references to it are fine. Its readable parts (prompts, names, conditions,
 *   references to other steps) are still checked. But it is never judged as part of the graph: it is left out
 *   of `input-free-loop`, `no-way-out` and `no-agent-exit` (it counts as a possible end and a possible way to
 *   an agent, since its fixed form may be one).
 * - Reachability is only trusted when no reached step is uncertain and `start`, `defaults.error` and `keys`
 *   passed the shape pass (an uncertain step may lead anywhere); otherwise `unreachable-step` waits for the
 *   shape fix. When it is trusted, every step nothing reaches is reported, uncertain or not: what leads to a
 *   step never depends on the step itself.
 * - A table (`prompts`, `departments` …) that is not a map makes every name in it unknowable, so names are not
 *   checked against it; likewise `languages`.
 * - When a part that sets variables was rejected (an uncertain step's `input`, `lookup`, `set` …, a step with
 *   no kind, `variables` or `params`), `undefined-variable` is not reported: the variable may be set there.
 * Sub-flows are still loaded only when the flow has no errors (see `load.ts`).
 */
import type { Diagnostic } from './diagnostics.js';
import type { FlowDoc } from './types.js';
import type { SourceFile } from './source.js';
import { schemaErrors } from './schema.js';
import { shapeDiagnostics } from './shape-errors.js';
import { codeInfo } from './codes.js';
import { runChecks } from './checks/index.js';
import { isMap, ShapeDamage } from './checks/damage.js';

/** Fills in the severity (from the catalogue) and the file, and keeps quoted user values short. */
export function finish(d: Omit<Diagnostic, 'severity'> & { severity?: Diagnostic['severity'] }, file?: string): Diagnostic {
  return { ...d, message: shortenQuotes(d.message), severity: d.severity ?? codeInfo(d.code)?.severity ?? 'error', ...(file !== undefined ? { file } : {}) };
}

const LONG_QUOTE = 80;

/**
 * Messages quote the author's values in backticks; a 10 KB string must not make a 10 KB message (it floods
 * terminals, logs and the dashboard). The code frame still shows where the value is.
 * @example shortenQuotes('`' + 'x'.repeat(200) + '` is not a step.') // '`xxx…` (200 characters) is not a step.'
 */
export function shortenQuotes(message: string): string {
  // Backticks pair up left to right: the odd pieces of the split are the quoted values.
  const pieces = message.split('`');
  for (let i = 1; i < pieces.length - 1; i += 2) {
    const quoted = pieces[i]!;
    if (quoted.length <= LONG_QUOTE) continue;
    pieces[i] = `${quoted.slice(0, 60)}…`;
    pieces[i + 1] = ` (${quoted.length} characters)${pieces[i + 1]}`;
  }
  return pieces.join('`');
}

/**
 * Validates a parsed flow: its shape, then its meaning (as far as the shape allows; see above).
 * @example validateFlow(parse(text), source).filter((d) => d.severity === 'error')
 */
export function validateFlow(value: unknown, source?: Pick<SourceFile, 'file'>): Diagnostic[] {
  const file = source?.file;
  const shape = shapeDiagnostics(schemaErrors(value), value);
  const done = shape.map((d) => finish(d, file));
  const damage = shape.length ? new ShapeDamage(shape) : undefined;
  const flow = damage ? damage.prune(value) : value;
  if (!isMap(flow) || !isMap(flow.steps)) return done;
  return done.concat(runChecks(flow as unknown as FlowDoc, damage).map((d) => finish(d, file)));
}
