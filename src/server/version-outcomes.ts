/**
 * Outcomes per flow version since the server started, so a canary can be compared with the version it may replace
 * (the store's stats are per flow, across versions).
 */
import type { EngineLike } from './contracts.js';

export interface VersionOutcomes {
  flow: string;
  version: string;
  calls: number;
  outcomes: Record<string, number>;
}

/**
 * Call outcomes counted per flow version.
 * @example const o = new OutcomesByVersion(); o.follow(engine); o.list('acme-hotline');
 */
export class OutcomesByVersion {
  private readonly rows = new Map<string, VersionOutcomes>();

  /** Counts every call that ends on `engine`. Returns the unsubscribe function. */
  follow(engine: Pick<EngineLike, 'onCallEnded'>): () => void {
    return engine.onCallEnded((call) => this.add(call.flow.name, call.flow.version, call.outcome?.kind ?? 'unknown'));
  }

  add(flow: string, version: string, outcome: string): void {
    const key = `${flow}@${version}`;
    let row = this.rows.get(key);
    if (!row) this.rows.set(key, (row = { flow, version, calls: 0, outcomes: {} }));
    row.calls++;
    row.outcomes[outcome] = (row.outcomes[outcome] ?? 0) + 1;
  }

  /** Rows of one flow (or all), newest version first. */
  list(flow?: string): VersionOutcomes[] {
    return [...this.rows.values()].filter((r) => flow === undefined || r.flow === flow).sort((a, b) => a.flow.localeCompare(b.flow) || Number(b.version) - Number(a.version));
  }
}
