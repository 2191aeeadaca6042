/**
 * Turns what a test names (a flow file, a flow document, or an already compiled flow) into a compiled flow.
 * A flow with errors throws, with the validator's diagnostics in the message.
 */
import { relative, resolve } from 'node:path';
import type { FlowDoc } from '../flow/types.js';
import { loadFlowFile, formatDiagnostics } from '../flow/load.js';
import { hasErrors, type Diagnostic } from '../flow/diagnostics.js';
import type { SourceFile } from '../flow/source.js';
import { compileFlow, type CompiledFlow } from '../compile/compile-flow.js';

export type FlowInput = string | CompiledFlow;

/** Thrown when a flow cannot be loaded: its message holds the formatted diagnostics; the fields hold them as data. */
export class FlowLoadError extends Error {
  override name = 'FlowLoadError';
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[],
    readonly sources: ReadonlyMap<string, SourceFile>,
  ) {
    super(message);
  }
}

function isCompiled(value: unknown): value is CompiledFlow {
  return typeof value === 'object' && value !== null && 'machine' in value && 'doc' in value;
}

/** Loads, validates and compiles a flow file. */
export async function compileFlowFile(path: string): Promise<CompiledFlow> {
  const file = resolve(path);
  const loaded = await loadFlowFile(file);
  if (!loaded.flow || hasErrors(loaded.diagnostics)) {
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    const shown = relative(process.cwd(), file) || file;
    const text = formatDiagnostics(errors, loaded.sources, { displayPath: (f) => relative(process.cwd(), f) || f });
    throw new FlowLoadError(`Flow \`${shown}\` has errors; fix them, then run \`touchtone validate ${shown}\` to check.\n${text}`, errors, loaded.sources);
  }
  return compileFlow({ flow: loaded.flow, file, subflows: loaded.subflows });
}

/** A compiled flow from a path, a document or a compiled flow. */
export async function loadCompiledFlow(flow: FlowInput | FlowDoc): Promise<CompiledFlow> {
  if (typeof flow === 'string') return compileFlowFile(flow);
  if (isCompiled(flow)) return flow;
  return compileFlow({ flow });
}
