/**
 * Path coverage: which steps, menu options, no-input and no-match branches, lookup outcomes, transfer and
 * queue outcomes and hours branches the tests exercised. Items come from the flow graph (the step definitions'
 * edges); a call's trace says which of them it took.
 */
import { dirname, resolve } from 'node:path';
import type { FlowDoc, SubflowStep } from '../flow/types.js';
import type { CallOutcome, TraceEntry } from '../runtime/services.js';
import { flowGraph, type FlowGraph, type GraphStep } from '../graph/flow-graph.js';

export type CoverageItemKind = 'step' | 'branch' | 'event' | 'end' | 'key';

/** One thing a test can exercise. */
export interface CoverageItem {
  /** Stable id: `step:main`, `branch:main:option 1`, `event:main:noInput`, `end:sales:answered`, `key:0`. */
  id: string;
  kind: CoverageItemKind;
  /** The step; for a flow-wide key, the first menu or input where it acts (where a skeleton presses it). */
  step: string;
  /** The edge label (`option 1`, `found`, `noInput`, `key 0` …); empty for a step. */
  label: string;
  target?: string;
  /** How a report shows it. */
  text: string;
}

/** Coverage of one flow. */
export interface FlowCoverage {
  flow: string;
  doc: FlowDoc;
  file?: string;
  items: CoverageItem[];
  covered: Set<string>;
}

/** What one finished (or abandoned) call contributes to coverage. */
export interface CallRecord {
  trace: readonly TraceEntry[];
  outcome?: CallOutcome;
}

/** The coverage items of a flow. @example coverageItems(doc).map((i) => i.id) */
export function coverageItems(flow: FlowDoc): CoverageItem[] {
  const graph = flowGraph(flow);
  const items: CoverageItem[] = [];
  for (const step of graph.steps) {
    items.push({ id: `step:${step.name}`, kind: 'step', step: step.name, label: '', text: `step \`${step.name}\`` });
    if (step.kind === 'menu' || step.kind === 'input') {
      for (const label of ['noInput', 'noMatch']) {
        items.push({ id: `event:${step.name}:${label}`, kind: 'event', step: step.name, label, text: `\`${step.name}\` ${label === 'noInput' ? 'no input (timeout)' : 'no match (invalid entry)'}` });
      }
    }
    for (const e of step.edges) {
      items.push({ id: `branch:${step.name}:${e.label}`, kind: 'branch', step: step.name, label: e.label, target: e.target, text: `\`${step.name}\` ${e.label} → \`${e.target}\`` });
    }
    const end = implicitEnd(step);
    if (end) items.push({ id: `end:${step.name}:${end}`, kind: 'end', step: step.name, label: end, text: `\`${step.name}\` ${end} (leaves the flow)` });
  }
  // A flow-wide key is covered once a test used it at any menu or input that does not replace it.
  for (const [key, target] of Object.entries(flow.keys ?? {})) {
    const where = [graph.steps.find((s) => s.name === graph.start), ...graph.steps].find((s) => s !== undefined && actsAt(s, key, flow));
    if (where) items.push({ id: `key:${key}`, kind: 'key', step: where.name, label: `key ${key}`, target, text: `flow-wide key \`${key}\` → \`${target}\`` });
  }
  return items;
}

/** Whether a flow-wide key acts at a step: a menu or input without its own option or key for it. */
function actsAt(step: GraphStep, key: string, doc: FlowDoc): boolean {
  if (step.kind !== 'menu' && step.kind !== 'input') return false;
  if (step.edges.some((e) => e.label === `option ${key}`)) return false;
  const def = doc.steps[step.name] as { menu?: { keys?: object }; input?: { keys?: object } } | undefined;
  const own = def?.menu?.keys ?? def?.input?.keys;
  return !(own && Object.hasOwn(own, key)); // the step's own `keys` replace it there (`null` turns it off)
}

/** Steps that leave the flow without a named next step have an outcome to cover. */
function implicitEnd(step: GraphStep): string | undefined {
  if (step.kind === 'transfer' && !step.edges.some((e) => e.label === 'answered')) return 'answered';
  if (step.kind === 'queue') return 'queued';
  return undefined;
}

interface Visit {
  step: string;
  evidence: TraceEntry[];
}

function visitsOf(trace: readonly TraceEntry[]): Visit[] {
  const visits: Visit[] = [];
  for (const entry of trace) {
    if (entry.type === 'step') visits.push({ step: entry.step, evidence: [] });
    else visits.at(-1)?.evidence.push(entry);
  }
  return visits;
}

/** Words a visit's trace entries carry (match results, lookup results, timers, notes), lower-cased. */
function evidenceWords(visit: Visit): string[] {
  const words: string[] = [];
  for (const e of visit.evidence) {
    for (const [key, value] of Object.entries(e)) if (key !== 'step' && key !== 'at' && typeof value === 'string') words.push(value.toLowerCase());
  }
  return words;
}

const EVENT_WORDS: Record<string, string[]> = {
  noInput: ['noinput', 'no-input', 'no_input'],
  noMatch: ['nomatch', 'no-match', 'no_match'],
};

/** Marks what one call exercised. */
export function recordCall(coverage: FlowCoverage, call: CallRecord, graph: FlowGraph): void {
  const steps = new Map(graph.steps.map((s) => [s.name, s]));
  const globalKeys: Record<string, string> = coverage.doc.keys ?? {};
  const visits = visitsOf(call.trace);
  const usedFlowWideKey = (visit: Visit, actsHere: (key: string) => boolean): void => {
    for (const e of visit.evidence) {
      if (e.type === 'match' && Object.hasOwn(globalKeys, e.entry) && globalKeys[e.entry] === e.result && actsHere(e.entry)) coverage.covered.add(`key:${e.entry}`);
    }
  };
  visits.forEach((visit, i) => {
    const step = steps.get(visit.step);
    if (!step) {
      // A menu inlined from a sub-flow (`<callStep>/<subStep>`) has its coverage in the sub-flow's file, but this
      // flow's keys act there too. Its own key of that name would have led to a step of the sub-flow instead.
      if (visit.step.includes('/')) usedFlowWideKey(visit, () => true);
      return;
    }
    coverage.covered.add(`step:${step.name}`);
    usedFlowWideKey(visit, (key) => actsAt(step, key, coverage.doc));
    const words = evidenceWords(visit);
    for (const [label, synonyms] of Object.entries(EVENT_WORDS)) {
      if (words.some((w) => synonyms.some((s) => w.includes(s)))) coverage.covered.add(`event:${step.name}:${label}`);
    }
    // Steps inlined from a sub-flow (`<callStep>/<subStep>`) run between a subflow step and its `next`.
    const next = visits.slice(i + 1).find((v) => !v.step.startsWith(`${visit.step}/`))?.step;
    if (next !== undefined) {
      const taken = edgeTaken(step, next, visit, words);
      if (taken) coverage.covered.add(`branch:${step.name}:${taken}`);
    } else if (call.outcome && call.outcome.step === step.name) {
      const end = implicitEnd(step);
      if ((end === 'answered' && call.outcome.kind === 'transferred') || (end === 'queued' && call.outcome.kind === 'queued')) {
        coverage.covered.add(`end:${step.name}:${end}`);
      }
    }
  });
}

/** Which edge of `step` a visit that went on to `next` took, as an edge label. */
function edgeTaken(step: GraphStep, next: string, visit: Visit, words: string[]): string | undefined {
  const entries = visit.evidence.flatMap((e) => (e.type === 'match' ? [e.entry] : []));
  const keyed = step.edges.find((e) => /^(option|key) /.test(e.label) && entries.includes(e.label.replace(/^(option|key) /, '')));
  if (keyed && (keyed.target === next || ['back', 'top', 'repeat'].includes(keyed.target))) return keyed.label;
  const candidates = step.edges.filter((e) => e.target === next);
  if (candidates.length === 1) return candidates[0]!.label;
  // Results are words like `busy`, `notFound` or `error:timeout`; `found` must not match `notfound`.
  const named = candidates.find((e) => words.some((w) => w === e.label.toLowerCase() || w.startsWith(`${e.label.toLowerCase()}:`)));
  if (named) return named.label;
  // `next` beside a named outcome to the same step (`next` and `failed` both to `goodbye`): no outcome word means next.
  const plain = candidates.find((e) => e.label === 'next');
  if (plain && !candidates.some((e) => e !== plain && words.includes(e.label.toLowerCase()))) return plain.label;
  // noInput/noMatch exhaustion to the same step: the event words decide.
  const exhausted = candidates.find((e) => e.label === 'exhausted');
  return exhausted && words.some((w) => [...EVENT_WORDS['noInput']!, ...EVENT_WORDS['noMatch']!].some((s) => w.includes(s))) ? exhausted.label : undefined;
}

/** Coverage of a flow from the calls its tests made. */
export function computeCoverage(flow: FlowDoc, calls: readonly CallRecord[], file?: string): FlowCoverage {
  const coverage: FlowCoverage = { flow: flow.flow, doc: flow, ...(file ? { file } : {}), items: coverageItems(flow), covered: new Set() };
  const graph = flowGraph(flow);
  for (const call of calls) recordCall(coverage, call, graph);
  return coverage;
}

/** Covered items as a percentage (one decimal). 100 when a flow has no items. */
export function coveragePercent(coverage: FlowCoverage): number {
  if (coverage.items.length === 0) return 100;
  const hit = coverage.items.filter((i) => coverage.covered.has(i.id)).length;
  return Math.floor((hit / coverage.items.length) * 1000) / 10;
}

/** Items not covered yet. */
export function missingItems(coverage: FlowCoverage): CoverageItem[] {
  return coverage.items.filter((i) => !coverage.covered.has(i.id));
}

const GROUPS: { title: string; test: (i: CoverageItem) => boolean }[] = [
  { title: 'steps', test: (i) => i.kind === 'step' },
  { title: 'options', test: (i) => /^(option|pattern|key) /.test(i.label) },
  { title: 'no-input/no-match', test: (i) => i.kind === 'event' || ['noInput', 'noMatch', 'exhausted'].includes(i.label) },
  { title: 'outcomes', test: (i) => i.kind === 'end' || (i.kind === 'branch' && !/^(option|pattern|key) /.test(i.label) && !['noInput', 'noMatch', 'exhausted'].includes(i.label)) },
];

/** A plain-text coverage report: one line per flow with the figures per group, then the missing items. */
export function formatCoverage(coverages: readonly FlowCoverage[]): string {
  const lines: string[] = [];
  for (const c of coverages) {
    const groups = GROUPS.map((g) => {
      const items = c.items.filter(g.test);
      return `${g.title} ${items.filter((i) => c.covered.has(i.id)).length}/${items.length}`;
    });
    lines.push(`${c.flow}${c.file ? ` (${c.file})` : ''}: ${coveragePercent(c)}% covered (${groups.join(', ')})`);
    for (const item of missingItems(c)) lines.push(`  missing: ${item.text}`);
  }
  return lines.join('\n');
}

/** One sub-flow as the calls through its parent saw it: its own step names, without the call step's prefix. */
export interface SubflowCalls {
  file: string;
  doc: FlowDoc;
  calls: CallRecord[];
}

/**
 * Splits out what calls did inside the sub-flows a flow calls (steps `<callStep>/<subStep>`), so each sub-flow
 * file gets its own coverage. `docFiles` is the compiled flow's map of documents to files.
 */
export function subflowCalls(flow: { doc: FlowDoc; file?: string; docFiles: ReadonlyMap<FlowDoc, string> }, calls: readonly CallRecord[]): SubflowCalls[] {
  if (!flow.file) return [];
  const byPath = new Map([...flow.docFiles].map(([doc, file]) => [file, doc]));
  const out: SubflowCalls[] = [];
  for (const [name, def] of Object.entries(flow.doc.steps)) {
    const file = (def as Partial<SubflowStep>).subflow?.file;
    if (typeof file !== 'string') continue;
    const path = resolve(dirname(flow.file), file);
    const doc = byPath.get(path);
    if (!doc) continue;
    const prefix = `${name}/`;
    const strip = (step: string) => step.slice(prefix.length);
    out.push({
      file: path,
      doc,
      calls: calls.map((call) => ({
        trace: call.trace.filter((e) => e.step.startsWith(prefix)).map((e) => ({ ...e, step: strip(e.step) })),
        ...(call.outcome?.step.startsWith(prefix) ? { outcome: { ...call.outcome, step: strip(call.outcome.step) } } : {}),
      })),
    });
  }
  return out;
}
