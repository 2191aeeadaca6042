/**
 * Versioned schema migrations. The schema version lives in SQLite's `user_version`; each migration runs once,
 * in order, inside a transaction, when the store opens. Add a migration; never edit one that has shipped.
 */
import type Database from 'better-sqlite3';

/** The schema, one migration per version (index 0 is version 1). */
export const MIGRATIONS: readonly string[] = [
  // 1: call records, traces, inputs, recordings, flow versions, hours overrides, PIN lockouts.
  `
  CREATE TABLE calls (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL DEFAULT '',
    caller TEXT NOT NULL DEFAULT '',
    dialled TEXT NOT NULL DEFAULT '',
    flow TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '',
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    outcome TEXT,
    outcome_detail TEXT,
    last_step TEXT,
    duration_ms INTEGER
  );
  CREATE INDEX calls_by_start ON calls (started_at);
  CREATE INDEX calls_by_flow ON calls (flow, started_at);

  CREATE TABLE step_events (
    id INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    step TEXT NOT NULL,
    detail TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX step_events_by_call ON step_events (call_id);

  CREATE TABLE inputs (
    id INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    step TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL
  );
  CREATE INDEX inputs_by_call ON inputs (call_id);

  CREATE TABLE recordings (
    id INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    name TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    at INTEGER NOT NULL,
    caller TEXT NOT NULL,
    vars TEXT NOT NULL,
    handled_at INTEGER
  );
  CREATE INDEX recordings_by_at ON recordings (at);

  CREATE TABLE flow_versions (
    flow TEXT NOT NULL,
    version TEXT NOT NULL,
    source TEXT NOT NULL,
    hash TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    published_by TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (flow, version)
  );

  CREATE TABLE hours_overrides (
    hours TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    reason TEXT NOT NULL,
    until INTEGER,
    set_at INTEGER NOT NULL,
    set_by TEXT
  );

  CREATE TABLE pin_lockouts (
    scope TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until INTEGER,
    lockouts INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // 2: the file a flow version was published from (the admin API shows it; hot reload compares it).
  `
  ALTER TABLE flow_versions ADD COLUMN file TEXT NOT NULL DEFAULT '';
  `,
  // 3: the persisted state of calls in progress, so a restarted engine can take them back.
  `
  CREATE TABLE live_calls (
    id TEXT PRIMARY KEY,
    flow TEXT NOT NULL,
    version TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // 4: callback requests and every attempt to call back, so requests survive a restart.
  `
  CREATE TABLE callbacks (
    id TEXT PRIMARY KEY,
    call_id TEXT NOT NULL,
    number TEXT NOT NULL,
    caller TEXT NOT NULL,
    queue TEXT NOT NULL,
    position INTEGER,
    requested_at INTEGER NOT NULL,
    at INTEGER,
    due_at INTEGER,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    vars TEXT NOT NULL,
    flow TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX callbacks_open ON callbacks (state, requested_at);

  CREATE TABLE callback_attempts (
    request_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    reason TEXT,
    PRIMARY KEY (request_id, attempt)
  );
  `,
];

/** Brings the schema to the newest version; returns the versions it applied. */
export function migrate(db: Database.Database): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const applied: number[] = [];
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version - 1]!);
      db.pragma(`user_version = ${version}`);
    })();
    applied.push(version);
  }
  return applied;
}
