/**
 * Loading a flow: bytes → YAML → shape and meaning checks → sub-flows, with every diagnostic placed at
 * `file:line:col`. This is what the engine, the test harness and the CLI call.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { hasErrors, pointer, type Diagnostic } from './diagnostics.js';
import type { FlowDoc, SubflowStep } from './types.js';
import { locate, type SourceFile } from './source.js';
import { parseYamlText } from './yaml-text.js';
import { finish, validateFlow } from './validate.js';
import { didYouMeanText } from './did-you-mean.js';
import { callerInputOf, callerInputRead, soundNamedBy, type SubflowResolver } from './checks/subflow-taint.js';

export { formatDiagnostics, diagnosticsToJson } from './format.js';

export interface LoadedFlow {
  /** The file as given (absolute when loaded from disk). */
  file: string;
  /** The flow, set only when there are no errors (in it or its sub-flows). */
  flow?: FlowDoc;
  /** Every diagnostic, of this file and its sub-flows (each with its `file` and `range`). */
  diagnostics: Diagnostic[];
  source: SourceFile;
  /** Sub-flows by absolute path (including sub-flows of sub-flows). */
  subflows: Map<string, LoadedFlow>;
  /** Sources by file, for the formatter's code frames (this file and every sub-flow). */
  sources: Map<string, SourceFile>;
}

export interface LoadOptions {
  /** Reads a sub-flow file (tests inject one). Default: the file system. */
  readFile?: (path: string) => string | Uint8Array;
  /** Files being loaded above this one, to find sub-flow cycles. */
  stack?: readonly string[];
  /** Sub-flows already loaded in this run. */
  cache?: Map<string, LoadedFlow>;
}

/** Places a diagnostic in its source. */
function place(d: Diagnostic, source: SourceFile): Diagnostic {
  if (d.range || d.pointer === undefined) return d;
  const range = locate(source, d.pointer, d.atKey);
  return range ? { ...d, range } : d;
}

/**
 * Loads a flow from text or bytes. Never throws on bad input: problems come back as diagnostics.
 * @example const { flow, diagnostics } = loadFlowText('flow: x\n…', 'flows/x.yaml')
 */
export function loadFlowText(text: string | Uint8Array, file: string, opts: LoadOptions = {}): LoadedFlow {
  const parsed = parseYamlText(text, file);
  const subflows = new Map<string, LoadedFlow>();
  const sources = new Map<string, SourceFile>([[file, parsed.source]]);
  const result: LoadedFlow = { file, diagnostics: parsed.diagnostics, source: parsed.source, subflows, sources };
  if (parsed.value === undefined) return result;
  const diagnostics = [...parsed.diagnostics, ...validateFlow(parsed.value, parsed.source).map((d) => place(d, parsed.source))];
  if (!hasErrors(diagnostics)) {
    diagnostics.push(...loadSubflows(parsed.value as FlowDoc, file, opts, result));
  }
  result.diagnostics = diagnostics;
  if (!hasErrors(diagnostics)) result.flow = parsed.value as FlowDoc;
  return result;
}

/** Loads a flow file from disk. */
export async function loadFlowFile(path: string, opts: LoadOptions = {}): Promise<LoadedFlow> {
  const file = resolve(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return unreadable(file, error);
  }
  return loadFlowText(bytes, file, opts);
}

/** A result for a file that could not be read at all. */
export function unreadable(file: string, error: unknown): LoadedFlow {
  const parsed = parseYamlText('', file);
  const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
  const diagnostic = finish({ code: 'file-not-found', message: `\`${file}\` ${reason}.`, range: parsed.source.doc ? undefined : { start: { line: 1, col: 1, offset: 0 }, end: { line: 1, col: 1, offset: 0 } } }, file);
  return { file, diagnostics: [diagnostic], source: parsed.source, subflows: new Map(), sources: new Map([[file, parsed.source]]) };
}

function loadSubflows(flow: FlowDoc, file: string, opts: LoadOptions, into: LoadedFlow): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stack = [...(opts.stack ?? []), resolve(file)];
  const cache = opts.cache ?? new Map<string, LoadedFlow>();
  const read = opts.readFile ?? ((p: string) => readFileSync(p));
  const report = (name: string, rel: string, code: string, message: string, atKey = false) =>
    out.push(place(finish({ code, message, pointer: pointer('steps', name) + rel, atKey }, file), into.source));
  let callerInput: Set<string> | undefined;
  /** A loaded sub-flow by the file a flow names, for the caller-input check through nested sub-flows. */
  const subflowOf: SubflowResolver = (from, name) => {
    const base = from === flow ? resolve(file) : [...into.subflows].find(([, s]) => s.flow === from)?.[0];
    return base ? into.subflows.get(resolve(dirname(base), name))?.flow : undefined;
  };
  for (const [name, step] of Object.entries(flow.steps)) {
    if (!('subflow' in step)) continue;
    const spec = (step as SubflowStep).subflow;
    const path = resolve(dirname(resolve(file)), spec.file);
    if (stack.includes(path)) {
      report(name, '/subflow/file', 'subflow-cycle', `Sub-flow \`${spec.file}\` runs itself again (through ${stack.map((s) => `\`${s.split('/').pop()}\``).join(' → ')}).`);
      continue;
    }
    let sub = cache.get(path);
    if (!sub) {
      let bytes: string | Uint8Array;
      try {
        bytes = read(path);
      } catch {
        report(name, '/subflow/file', 'subflow-not-found', `Sub-flow file \`${spec.file}\` does not exist next to this flow file.`);
        continue;
      }
      sub = loadFlowText(bytes, path, { ...opts, stack, cache });
      cache.set(path, sub);
      out.push(...sub.diagnostics);
    }
    into.subflows.set(path, sub);
    for (const [p, s] of sub.subflows) into.subflows.set(p, s);
    for (const [f, s] of sub.sources) into.sources.set(f, s);
    const parsedSub = sub.flow ?? (parseYamlText(sub.source.text, path).value as FlowDoc | undefined);
    if (!parsedSub || typeof parsedSub !== 'object') continue;
    if (parsedSub.params === undefined || parsedSub.params === null) {
      report(name, '/subflow/file', 'not-a-subflow', `\`${spec.file}\` is a flow, not a sub-flow: it declares no \`params\`.`);
      continue;
    }
    const declared = Object.keys(parsedSub.params);
    const passed = spec.params ?? {};
    for (const [param, fallback] of Object.entries(parsedSub.params)) {
      if (fallback === null && !(param in passed)) report(name, '/subflow', 'missing-param', `Sub-flow \`${spec.file}\` needs the parameter \`${param}\`: pass it in \`params\`.`, true);
    }
    for (const param of Object.keys(passed)) {
      if (!declared.includes(param)) report(name, `/subflow/params/${param}`, 'unknown-param', `Sub-flow \`${spec.file}\` has no parameter \`${param}\`.${didYouMeanText(param, declared)}`, true);
    }
    if (!sub.flow) continue;
    callerInput ??= callerInputOf(flow);
    for (const [param, value] of Object.entries(passed)) {
      const read = callerInputRead(value, callerInput);
      const found = read !== undefined && declared.includes(param) ? soundNamedBy(sub.flow, new Set([param]), subflowOf) : undefined;
      if (found === undefined) continue;
      const where = found.in ? `, in \`${found.in}\` which it calls` : '';
      report(name, `/subflow/params/${param}`, 'caller-input-in-sound', `Parameter \`${param}\` passes \`${read}\`, which the caller keyed or controls, to sub-flow \`${spec.file}\`, which names a sound file with it (\`${found.sound}\`${where}); caller input must never become a file name.`);
    }
  }
  return out;
}
