/**
 * Turns what a test names (a flow file, a flow document, or an already compiled flow) into a compiled flow.
 * A flow with errors throws, with the validator's diagnostics in the message.
 */
import { resolve } from 'node:path';
import type { FlowDoc } from '../flow/types.js';
import { loadFlowFile, formatDiagnostics } from '../flow/load.js';
import { hasErrors } from '../flow/diagnostics.js';
import { compileFlow, type CompiledFlow } from '../compile/compile-flow.js';

export type FlowInput = string | CompiledFlow;

/** Thrown when a flow cannot be loaded: its message holds the formatted diagnostics. */
export class FlowLoadError extends Error {
  override name = 'FlowLoadError';
}

function isCompiled(value: unknown): value is CompiledFlow {
  return typeof value === 'object' && value !== null && 'machine' in value && 'doc' in value;
}

/** Loads, validates and compiles a flow file. */
export async function compileFlowFile(path: string): Promise<CompiledFlow> {
  const file = resolve(path);
  const loaded = await loadFlowFile(file);
  if (!loaded.flow || hasErrors(loaded.diagnostics)) {
    const text = formatDiagnostics(loaded.diagnostics.filter((d) => d.severity === 'error'), loaded.sources);
    throw new FlowLoadError(`Flow \`${path}\` has errors; run \`touchtone validate ${path}\` for details.\n${text}`);
  }
  return compileFlow({ flow: loaded.flow, file, subflows: loaded.subflows });
}

/** A compiled flow from a path, a document or a compiled flow. */
export async function loadCompiledFlow(flow: FlowInput | FlowDoc): Promise<CompiledFlow> {
  if (typeof flow === 'string') return compileFlowFile(flow);
  if (isCompiled(flow)) return flow;
  return compileFlow({ flow });
}
