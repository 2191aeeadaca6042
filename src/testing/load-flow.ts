/**
 * Turns what a test names (a flow file, a flow document, or an already compiled flow) into a compiled flow.
 * A flow with errors throws, with the validator's diagnostics in the message; a document is validated as a file is.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import type { FlowDoc } from '../flow/types.js';
import { loadFlowFile, loadFlowText, formatDiagnostics, type LoadedFlow } from '../flow/load.js';
import { hasErrors, type Diagnostic } from '../flow/diagnostics.js';
import type { SourceFile } from '../flow/source.js';
import { compileFlow, type CompiledFlow } from '../compile/compile-flow.js';

export type FlowInput = string | CompiledFlow;

/** Thrown when a flow cannot be loaded: its message holds the formatted diagnostics; the fields hold them as data. */
export class FlowLoadError extends Error {
  override name = 'FlowLoadError';
  /** The first diagnostic's code (`file-not-found`, `unknown-step` …), stable like the diagnostics' codes. */
  readonly code: string;
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[],
    readonly sources: ReadonlyMap<string, SourceFile>,
  ) {
    super(message);
    this.code = diagnostics[0]?.code ?? 'flow-invalid';
  }
}

/** Where diagnostics of a flow document (not a file) point: the document written out as YAML. */
const DOCUMENT_FILE = '<flow document>';

/** A load error for a flow with errors, or undefined when it has none. `shown` is the file as given. */
function loadError(loaded: LoadedFlow, shown: string): FlowLoadError | undefined {
  if (loaded.flow && !hasErrors(loaded.diagnostics)) return undefined;
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  const missing = errors.length === 1 && errors[0]!.code === 'file-not-found' && errors[0]!.file === loaded.file ? errors[0]! : undefined;
  if (missing) {
    // A path that leads nowhere has no code frame to show, and the hint about searched folders is the CLI's.
    const reason = missing.message.endsWith('does not exist.') ? 'does not exist' : 'cannot be read';
    const where = shown === loaded.file ? '' : ` (looked for \`${loaded.file}\`)`;
    return new FlowLoadError(`Flow file \`${shown}\` ${reason}${where}; check the path, which is relative to the working directory.`, errors, loaded.sources);
  }
  const text = formatDiagnostics(errors, loaded.sources, { displayPath: (f) => (f === DOCUMENT_FILE ? f : displayPath(f)) });
  const what = loaded.file === DOCUMENT_FILE ? `document${shown ? ` \`${shown}\`` : ''} has errors (at their positions in it written out as YAML); fix them` : `\`${shown}\` has errors; fix them, then run \`touchtone validate ${shown}\` to check`;
  return new FlowLoadError(`Flow ${what}.\n${text}`, errors, loaded.sources);
}

/**
 * A path as people read it: relative to the working directory, unless that climbs out of it (`/srv/x.yaml`
 * read back as `../../srv/x.yaml` looks like another path).
 * @example displayPath('/work/flows/a.yaml', '/work') // 'flows/a.yaml'
 */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? path : rel;
}

function isCompiled(value: unknown): value is CompiledFlow {
  return typeof value === 'object' && value !== null && 'machine' in value && 'doc' in value;
}

/** Loads, validates and compiles a flow file. */
export async function compileFlowFile(path: string): Promise<CompiledFlow> {
  const file = resolve(path);
  const loaded = await loadFlowFile(file);
  const error = loadError(loaded, displayPath(file));
  if (error) throw error;
  return compileFlow({ flow: loaded.flow!, file, subflows: loaded.subflows });
}

/** A compiled flow from a path, a document or a compiled flow. */
export async function loadCompiledFlow(flow: FlowInput | FlowDoc): Promise<CompiledFlow> {
  if (typeof flow === 'string') return compileFlowFile(flow);
  if (isCompiled(flow)) return flow;
  // A document gets the checks a file gets: unchecked, `start: nope` would fail only inside the running machine.
  const loaded = loadFlowText(stringify(flow), DOCUMENT_FILE);
  const error = loadError(loaded, typeof (flow as Partial<FlowDoc>).flow === 'string' ? flow.flow : '');
  if (error) throw error;
  return compileFlow({ flow });
}
