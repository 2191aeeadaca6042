/**
 * Reading call records: recent calls, one call's trace, and funnel statistics per flow and menu.
 */
import type Database from 'better-sqlite3';
import type { TraceEntry } from '../runtime/services.js';

/** One call as `touchtone calls` lists it. */
export interface CallRow {
  id: string;
  channel: string;
  caller: string;
  dialled: string;
  flow: string;
  version: string;
  startedAt: number;
  endedAt: number | null;
  outcome: string | null;
  outcomeDetail: string | null;
  lastStep: string | null;
  durationMs: number | null;
}

/** One call with its trace and the inputs it took (secrets masked). */
export interface CallTrace {
  call: CallRow;
  events: TraceEntry[];
  inputs: { at: number; step: string; name: string; value: string }[];
}

/** Funnel figures of one menu or input step. Rates are per attempt (a retry is another attempt). */
export interface MenuStats {
  step: string;
  kind: 'menu' | 'input';
  /** Times callers entered the step. */
  entries: number;
  /** Attempts that ended: by a timeout, an invalid entry or a match. */
  attempts: number;
  timeouts: number;
  invalid: number;
  timeoutRate: number;
  invalidRate: number;
}

/** Funnel figures of one flow. */
export interface FlowStats {
  flow: string;
  calls: number;
  outcomes: Record<string, number>;
  /** Where callers hung up: last step of calls with outcome `hungup`, most first. */
  dropOff: { step: string; calls: number }[];
  menus: MenuStats[];
  /** Seconds from the start of a call to its transfer or queueing. */
  timeToAgent: { calls: number; averageSec: number; medianSec: number } | null;
}

const CALL_COLUMNS = `id, channel, caller, dialled, flow, version, started_at AS startedAt, ended_at AS endedAt, outcome,
  outcome_detail AS outcomeDetail, last_step AS lastStep, duration_ms AS durationMs`;

/** Timer names the engine uses for a caller who pressed nothing. */
const TIMEOUT_TIMERS = ['noInput', 'timeout', 'no-input'];
/** Match results for a key that is not an option. */
const INVALID_RESULTS = ['noMatch', 'invalid', 'no-match'];

/** The most recent calls, newest first (at most 10,000). @example recentCalls(db, { limit: 20, flow: 'acme-hotline' }) */
export function recentCalls(db: Database.Database, options: { limit?: number; flow?: string } = {}): CallRow[] {
  const limit = Math.max(1, Math.min(options.limit ?? 20, 10_000));
  if (options.flow) {
    return db.prepare(`SELECT ${CALL_COLUMNS} FROM calls WHERE flow = ? ORDER BY started_at DESC LIMIT ?`).all(options.flow, limit) as CallRow[];
  }
  return db.prepare(`SELECT ${CALL_COLUMNS} FROM calls ORDER BY started_at DESC LIMIT ?`).all(limit) as CallRow[];
}

/** One call's record and trace, or undefined. @example callTrace(db, 'sim-1')?.events */
export function callTrace(db: Database.Database, id: string): CallTrace | undefined {
  const call = db.prepare(`SELECT ${CALL_COLUMNS} FROM calls WHERE id = ?`).get(id) as CallRow | undefined;
  if (!call) return undefined;
  const events = (db.prepare('SELECT data FROM step_events WHERE call_id = ? ORDER BY id').all(id) as { data: string }[]).map(
    (row) => JSON.parse(row.data) as TraceEntry,
  );
  const inputs = db.prepare('SELECT at, step, name, value FROM inputs WHERE call_id = ? ORDER BY id').all(id) as CallTrace['inputs'];
  return { call, events, inputs };
}

const placeholders = (list: readonly string[]) => list.map(() => '?').join(', ');

/** Outcomes, drop-off, menu rates and time to agent per flow, for calls started since `since`. @example stats(db, { since: Date.now() - 7 * 86_400_000 }) */
export function stats(db: Database.Database, options: { flow?: string; since?: number } = {}): FlowStats[] {
  const since = options.since ?? 0;
  const flowFilter = options.flow ? 'AND c.flow = ?' : '';
  const args = options.flow ? [since, options.flow] : [since];
  const flows = new Map<string, FlowStats>();
  const flowOf = (flow: string): FlowStats => {
    let f = flows.get(flow);
    if (!f) {
      f = { flow, calls: 0, outcomes: {}, dropOff: [], menus: [], timeToAgent: null };
      flows.set(flow, f);
    }
    return f;
  };

  const outcomes = db
    .prepare(`SELECT c.flow, COALESCE(c.outcome, 'in-progress') AS outcome, COUNT(*) AS n FROM calls c WHERE c.started_at >= ? ${flowFilter} GROUP BY 1, 2 ORDER BY 1, 3 DESC`)
    .all(...args) as { flow: string; outcome: string; n: number }[];
  for (const row of outcomes) {
    const f = flowOf(row.flow);
    f.outcomes[row.outcome] = row.n;
    f.calls += row.n;
  }

  const drops = db
    .prepare(`SELECT c.flow, c.last_step AS step, COUNT(*) AS n FROM calls c WHERE c.outcome = 'hungup' AND c.started_at >= ? ${flowFilter} GROUP BY 1, 2 ORDER BY 1, 3 DESC`)
    .all(...args) as { flow: string; step: string; n: number }[];
  for (const row of drops) flowOf(row.flow).dropOff.push({ step: row.step, calls: row.n });

  // Each attempt at a menu or input ends in exactly one of: a no-input timer, a no-match, or a match. Retries stay
  // in the step, so attempts are counted from those endings, not from step entries.
  const menus = db
    .prepare(
      `SELECT c.flow, e.step,
         MAX(CASE WHEN e.type = 'step' THEN e.detail END) AS kind,
         SUM(e.type = 'step') AS entries,
         SUM(e.type = 'timer' AND e.detail IN (${placeholders(TIMEOUT_TIMERS)})) AS timeouts,
         SUM(e.type = 'match' AND e.detail IN (${placeholders(INVALID_RESULTS)})) AS invalid,
         SUM(e.type = 'match' AND e.detail NOT IN (${placeholders(INVALID_RESULTS)})) AS matched
       FROM step_events e JOIN calls c ON c.id = e.call_id
       WHERE c.started_at >= ? ${flowFilter} AND e.type IN ('step', 'timer', 'match')
       GROUP BY 1, 2 HAVING kind IN ('menu', 'input') ORDER BY 1, 2`,
    )
    .all(...TIMEOUT_TIMERS, ...INVALID_RESULTS, ...INVALID_RESULTS, ...args) as {
    flow: string;
    step: string;
    kind: 'menu' | 'input';
    entries: number;
    timeouts: number;
    invalid: number;
    matched: number;
  }[];
  for (const row of menus) {
    const attempts = row.timeouts + row.invalid + row.matched;
    flowOf(row.flow).menus.push({
      step: row.step,
      kind: row.kind,
      entries: row.entries,
      attempts,
      timeouts: row.timeouts,
      invalid: row.invalid,
      timeoutRate: attempts ? round(row.timeouts / attempts) : 0,
      invalidRate: attempts ? round(row.invalid / attempts) : 0,
    });
  }

  const agentCalls = db
    .prepare(`SELECT c.flow, c.duration_ms AS ms FROM calls c WHERE c.outcome IN ('queued', 'transferred') AND c.duration_ms IS NOT NULL AND c.started_at >= ? ${flowFilter} ORDER BY 1, 2`)
    .all(...args) as { flow: string; ms: number }[];
  const byFlow = new Map<string, number[]>();
  for (const row of agentCalls) byFlow.set(row.flow, [...(byFlow.get(row.flow) ?? []), row.ms]);
  for (const [flow, list] of byFlow) {
    const sum = list.reduce((a, b) => a + b, 0);
    const mid = Math.floor(list.length / 2);
    const median = list.length % 2 ? list[mid]! : (list[mid - 1]! + list[mid]!) / 2;
    flowOf(flow).timeToAgent = { calls: list.length, averageSec: round(sum / list.length / 1000), medianSec: round(median / 1000) };
  }
  return [...flows.values()].sort((a, b) => a.flow.localeCompare(b.flow));
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
