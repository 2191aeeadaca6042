/**
 * Runs YAML scenarios: each scenario is one simulated call on a virtual clock. Failures carry the scenario
 * file's line and column. The runner also keeps every call's trace, for path coverage.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Diagnostic } from '../flow/diagnostics.js';
import type { CompiledFlow } from '../compile/compile-flow.js';
import { parseScenarioText } from './scenario-parse.js';
import type { Scenario, ScenarioStep, SourceSpot } from './scenario-types.js';
import { simulateCall, CallExpectationError, type SimulatedCall } from './simulate-call.js';
import { compileFlowFile, displayPath, FlowLoadError } from './load-flow.js';
import type { SourceFile } from '../flow/source.js';
import { checkFlowNames } from './flow-names.js';
import { computeCoverage, subflowCalls, type CallRecord, type FlowCoverage } from './coverage.js';
import type { FlowDoc } from '../flow/types.js';

export interface ScenarioResult {
  name: string;
  at: SourceSpot;
  passed: boolean;
  /** Where and why it failed; `code` is the expectation's (`expect-prompt` …) or `internal-error`. */
  failure?: { at: SourceSpot; message: string; code: string };
  call?: CallRecord;
}

export interface ScenarioFileResult {
  file: string;
  /** The scenario file's text, for code frames under its diagnostics. */
  text?: string;
  /** Sources of the flow files the diagnostics point into (when the flow did not load). */
  sources?: ReadonlyMap<string, SourceFile>;
  flowPath?: string;
  /** Problems with the scenario file itself (or its flow): the file's scenarios did not run. */
  diagnostics: Diagnostic[];
  results: ScenarioResult[];
}

export interface TestRun {
  files: ScenarioFileResult[];
  coverage: FlowCoverage[];
  /** Flow files found beside the scenarios that no scenario file tests. */
  untested: string[];
}

const compiledCache = new Map<string, Promise<CompiledFlow>>();

/** Compiles each flow once per run of many scenario files; an edited file (new mtime) compiles again. */
async function compileOnce(path: string): Promise<CompiledFlow> {
  const mtime = await stat(path).then((s) => s.mtimeMs, () => 0);
  const key = `${path}@${mtime}`;
  let compiled = compiledCache.get(key);
  if (!compiled) {
    compiled = compileFlowFile(path);
    compiledCache.set(key, compiled);
    // A failed load is not cached: the author fixes the flow and runs again in the same process (watch mode).
    compiled.catch(() => compiledCache.delete(key));
  }
  return compiled;
}

/** Runs one scenario against a compiled flow. */
export async function runScenario(flow: CompiledFlow, scenario: Scenario): Promise<ScenarioResult> {
  let call: SimulatedCall | undefined;
  const base = { name: scenario.name, at: scenario.at };
  let current: SourceSpot = scenario.at;
  try {
    const { lookups, ...setup } = scenario.setup;
    call = await simulateCall(flow, { ...setup, ...(lookups ? { lookups } : {}) });
    for (const step of scenario.steps) {
      current = step.at;
      await runStep(call, step);
    }
    return { ...base, passed: true, call: snapshot(call) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof CallExpectationError ? error.code : 'internal-error';
    return { ...base, passed: false, failure: { at: current, message, code }, ...(call ? { call: snapshot(call) } : {}) };
  } finally {
    if (call && !call.ended) await call.hangup().catch(() => undefined);
  }
}

function snapshot(call: SimulatedCall): CallRecord {
  return { trace: [...call.trace], ...(call.outcome ? { outcome: call.outcome } : {}) };
}

async function runStep(call: SimulatedCall, step: ScenarioStep): Promise<void> {
  switch (step.kind) {
    case 'press':
      return call.press(step.keys, { gap: step.gapMs, times: step.times });
    case 'wait':
      return call.wait(step.ms);
    case 'hangup':
      return call.hangup();
    case 'expectPrompt':
      for (const prompt of step.prompts) await call.expectPrompt(prompt);
      return;
    case 'expectStep':
      await call.reachStep(step.step);
      return;
    case 'expectVariable':
      for (const [name, value] of Object.entries(step.values)) call.expectVariable(name, value);
      return;
    case 'expectOutcome':
      await call.expectOutcome(step.outcome);
      return;
  }
}

/** Parses and runs one scenario file. */
export async function runScenarioFile(path: string): Promise<ScenarioFileResult> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { file, diagnostics: [fileProblem(file, 'scenario-unreadable', `Cannot read scenario file \`${path}\`: ${(error as Error).message}.`, 'Check the path.')], results: [] };
  }
  const parsed = parseScenarioText(text, file);
  const result: ScenarioFileResult = { file, text, ...(parsed.flowPath ? { flowPath: parsed.flowPath } : {}), diagnostics: parsed.diagnostics, results: [] };
  if (!parsed.flowPath) return result;
  if (parsed.diagnostics.length) {
    // Report every problem of the file in one run: its unknown names too, when the flow loads.
    const flow = await compileOnce(parsed.flowPath).catch(() => undefined);
    if (flow) result.diagnostics = [...result.diagnostics, ...checkFlowNames(parsed, flow)].sort((a, b) => (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0));
    return result;
  }
  let flow: CompiledFlow;
  try {
    flow = await compileOnce(parsed.flowPath);
  } catch (error) {
    const flow = displayPath(parsed.flowPath);
    const problem: Diagnostic = {
      code: 'scenario-flow',
      severity: 'error',
      message: `The flow \`${flow}\` that this file tests cannot be loaded.`,
      hint: 'Fix the problems listed with it, or point `flow:` at the right file.',
      file,
      ...(parsed.flowRange ? { range: parsed.flowRange } : {}),
    };
    result.diagnostics.push(problem);
    if (error instanceof FlowLoadError && error.code === 'file-not-found' && error.diagnostics[0]?.file === parsed.flowPath) {
      // Nothing in the flow to show: say where it was looked for, and how the file finds its flow.
      problem.message = `The flow \`${flow}\` that this file tests does not exist.`;
      problem.hint = parsed.flowRange
        ? '`flow:` is relative to the scenario file; point it at the flow file.'
        : `A scenario file tests the flow of the same name (\`${basename(parsed.flowPath)}\`); add \`flow: <file>\` to test another one.`;
    } else if (error instanceof FlowLoadError) {
      result.diagnostics.push(...error.diagnostics);
      result.sources = error.sources;
    } else problem.message = `The flow \`${flow}\` that this file tests cannot be loaded: ${(error as Error).message}`;
    return result;
  }
  // Names the flow does not define would make a fake silently do nothing, or an expectation wait out the call.
  result.diagnostics.push(...checkFlowNames(parsed, flow));
  if (result.diagnostics.length) return result;
  for (const scenario of parsed.scenarios) result.results.push(await runScenario(flow, scenario));
  return result;
}

function fileProblem(file: string, code: string, message: string, hint: string): Diagnostic {
  return { code, severity: 'error', message, hint, file, range: { start: { line: 1, col: 1, offset: 0 }, end: { line: 1, col: 1, offset: 0 } } };
}

/** Whether a YAML file is a top-level flow (not a scenario file, a sub-flow or some other YAML). */
async function isTopLevelFlow(path: string): Promise<boolean> {
  try {
    const doc = parseYaml(await readFile(path, 'utf8')) as unknown;
    return typeof doc === 'object' && doc !== null && 'flow' in doc && 'steps' in doc && !('params' in doc);
  } catch {
    return false;
  }
}

/** Finds scenario files (`*.test.yaml`) and flow files under the given files and folders. */
export async function findTestFiles(paths: readonly string[]): Promise<{ scenarios: string[]; flows: string[]; missing: string[] }> {
  const scenarios: string[] = [];
  const flows: string[] = [];
  const missing: string[] = [];
  const walk = async (path: string, explicit: boolean): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch {
      if (explicit) missing.push(path);
      return;
    }
    if (info.isDirectory()) {
      const entries = (await readdir(path)).filter((e) => e !== 'node_modules' && !e.startsWith('.')).sort();
      for (const entry of entries) await walk(join(path, entry), false);
    } else if (/\.test\.ya?ml$/.test(path)) scenarios.push(resolve(path));
    else if (/\.ya?ml$/.test(path) && (await isTopLevelFlow(path))) flows.push(resolve(path));
  };
  for (const path of paths) await walk(path, true);
  return { scenarios, flows, missing };
}

/**
 * Runs every scenario file under `paths` and computes path coverage per flow.
 * @example const run = await runTests(['flows']); run.files.every((f) => f.results.every((r) => r.passed))
 */
export async function runTests(paths: readonly string[]): Promise<TestRun & { missing: string[] }> {
  const found = await findTestFiles(paths);
  const files: ScenarioFileResult[] = [];
  for (const file of found.scenarios) files.push(await runScenarioFile(file));
  const calls = new Map<string, CallRecord[]>();
  for (const f of files) {
    if (!f.flowPath || f.diagnostics.length) continue;
    const list = calls.get(f.flowPath) ?? [];
    for (const r of f.results) if (r.call) list.push(r.call);
    calls.set(f.flowPath, list);
  }
  const coverage: FlowCoverage[] = [];
  const subflows = new Map<string, { doc: FlowDoc; calls: CallRecord[] }>();
  for (const [flowPath, list] of calls) {
    const flow = await compileOnce(flowPath);
    coverage.push(computeCoverage(flow.doc, list, flowPath));
    for (const sub of subflowCalls(flow, list)) {
      const entry = subflows.get(sub.file) ?? { doc: sub.doc, calls: [] };
      entry.calls.push(...sub.calls);
      subflows.set(sub.file, entry);
    }
  }
  // A sub-flow shared by several flows is covered by all their scenarios together.
  for (const [file, sub] of subflows) if (!calls.has(file)) coverage.push(computeCoverage(sub.doc, sub.calls, file));
  const untested = found.flows.filter((f) => !calls.has(f));
  return { files, coverage, untested, missing: found.missing };
}
