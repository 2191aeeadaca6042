/**
 * The store's small tables: flow versions, hours overrides, PIN lockouts and recordings. These are written
 * directly (they change rarely, by an admin or once per PIN check), unlike call records, which are batched.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { HoursOverride, HoursOverrideStore } from '../data/hours-overrides.js';
import { overrideActive } from '../data/hours-overrides.js';
import type { LockoutRecord, LockoutRepository } from '../data/lockout.js';
import { createMemoryLockouts } from '../data/lockout.js';
import type { Logger, RecordingEntry } from '../runtime/services.js';

/** A published, immutable version of a flow, with its source text. */
export interface FlowVersion {
  flow: string;
  version: string;
  source: string;
  hash: string;
  publishedAt: number;
  publishedBy: string;
  note: string;
  /** The file it was published from; `''` for versions saved before schema version 2. */
  file: string;
}

/** The answer of `FlowVersions.save`: saved (or already there with the same text), or refused. */
export type SaveVersionResult = { ok: true; version: FlowVersion; created: boolean } | { ok: false; code: 'version-exists'; message: string };

/** Published flow versions: save, list, get, latest. */
export interface FlowVersions {
  /** Saves a published version. Versions are immutable: the same version with other source text is refused. */
  save(entry: { flow: string; version: string; source: string; publishedAt: number; publishedBy?: string; note?: string; file?: string }): SaveVersionResult;
  list(flow?: string): Omit<FlowVersion, 'source'>[];
  get(flow: string, version: string): FlowVersion | undefined;
  latest(flow: string): FlowVersion | undefined;
}

const VERSION_COLUMNS = 'flow, version, hash, published_at AS publishedAt, published_by AS publishedBy, note, file';

/** Flow versions on a connection. @example flowVersions(db).save({ flow: 'acme', version: '3', source, publishedAt: Date.now() }) */
export function flowVersions(db: Database.Database): FlowVersions {
  const get = (flow: string, version: string) =>
    db.prepare(`SELECT ${VERSION_COLUMNS}, source FROM flow_versions WHERE flow = ? AND version = ?`).get(flow, version) as FlowVersion | undefined;
  return {
    save(entry) {
      const hash = createHash('sha256').update(entry.source).digest('hex');
      const existing = get(entry.flow, entry.version);
      if (existing) {
        if (existing.hash === hash) return { ok: true, version: existing, created: false };
        return {
          ok: false,
          code: 'version-exists',
          message: `version \`${entry.version}\` of flow \`${entry.flow}\` is already published with other content: publish it under a new version`,
        };
      }
      const version: FlowVersion = {
        flow: entry.flow,
        version: entry.version,
        source: entry.source,
        hash,
        publishedAt: entry.publishedAt,
        publishedBy: entry.publishedBy ?? '',
        note: entry.note ?? '',
        file: entry.file ?? '',
      };
      db.prepare('INSERT INTO flow_versions (flow, version, source, hash, published_at, published_by, note, file) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        version.flow,
        version.version,
        version.source,
        version.hash,
        version.publishedAt,
        version.publishedBy,
        version.note,
        version.file,
      );
      return { ok: true, version, created: true };
    },
    list(flow) {
      const sql = `SELECT ${VERSION_COLUMNS} FROM flow_versions ${flow ? 'WHERE flow = ?' : ''} ORDER BY flow, published_at, rowid`;
      return (flow ? db.prepare(sql).all(flow) : db.prepare(sql).all()) as Omit<FlowVersion, 'source'>[];
    },
    get,
    latest(flow) {
      return db
        .prepare(`SELECT ${VERSION_COLUMNS}, source FROM flow_versions WHERE flow = ? ORDER BY published_at DESC, rowid DESC LIMIT 1`)
        .get(flow) as FlowVersion | undefined;
    },
  };
}

interface OverrideRow {
  hours: string;
  state: 'open' | 'closed';
  reason: string;
  until: number | null;
  set_at: number;
  set_by: string | null;
}

function toOverride(row: OverrideRow): HoursOverride {
  return {
    hours: row.hours,
    state: row.state,
    reason: row.reason,
    setAt: row.set_at,
    ...(row.until !== null ? { until: row.until } : {}),
    ...(row.set_by ? { setBy: row.set_by } : {}),
  };
}

/**
 * Hours overrides in SQLite. The hours service reads them on every `hours` step, so reads are cached briefly
 * (one second): an override set by the CLI in another process shows up within that second.
 */
export function hoursOverrides(db: Database.Database, now: () => number): HoursOverrideStore {
  let cache: { at: number; rows: HoursOverride[] } | undefined;
  const all = (): HoursOverride[] => {
    const t = now();
    if (!cache || t - cache.at > 1000 || t < cache.at) {
      cache = { at: t, rows: (db.prepare('SELECT * FROM hours_overrides ORDER BY hours').all() as OverrideRow[]).map(toOverride) };
    }
    return cache.rows;
  };
  return {
    get(hours, at) {
      return all().find((o) => o.hours === hours && overrideActive(o, at));
    },
    set(o) {
      db.prepare(
        `INSERT INTO hours_overrides (hours, state, reason, until, set_at, set_by) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (hours) DO UPDATE SET state = excluded.state, reason = excluded.reason, until = excluded.until,
           set_at = excluded.set_at, set_by = excluded.set_by`,
      ).run(o.hours, o.state, o.reason, o.until ?? null, o.setAt, o.setBy ?? null);
      cache = undefined;
    },
    list(at) {
      cache = undefined;
      return all().filter((o) => at === undefined || overrideActive(o, at));
    },
    clear(hours) {
      cache = undefined;
      return db.prepare('DELETE FROM hours_overrides WHERE hours = ?').run(hours).changes > 0;
    },
  };
}

/**
 * PIN lockouts in SQLite. If the database cannot be written, lockouts fall back to memory (and the failure is
 * logged) rather than failing the caller's check.
 */
export function lockouts(db: Database.Database, logger: Logger): LockoutRepository {
  const fallback = createMemoryLockouts();
  let degraded = false;
  const guard = <T>(fn: () => T, alt: () => T): T => {
    if (degraded) return alt();
    try {
      return fn();
    } catch (error) {
      degraded = true;
      logger.error({ error: error instanceof Error ? error.message : String(error) }, 'PIN lockouts cannot use the database; keeping them in memory');
      return alt();
    }
  };
  return {
    get: (scope) =>
      guard(
        () => {
          const row = db.prepare('SELECT failures, locked_until AS lockedUntil, lockouts, updated_at AS updatedAt FROM pin_lockouts WHERE scope = ?').get(scope) as
            | (Omit<LockoutRecord, 'lockedUntil'> & { lockedUntil: number | null })
            | undefined;
          if (!row) return undefined;
          const { lockedUntil, ...rest } = row;
          return lockedUntil === null ? rest : { ...rest, lockedUntil };
        },
        () => fallback.get(scope),
      ),
    put: (scope, r) =>
      guard(
        () =>
          void db
            .prepare(
              `INSERT INTO pin_lockouts (scope, failures, locked_until, lockouts, updated_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (scope) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
                 lockouts = excluded.lockouts, updated_at = excluded.updated_at`,
            )
            .run(scope, r.failures, r.lockedUntil ?? null, r.lockouts, r.updatedAt),
        () => fallback.put(scope, r),
      ),
    clear: (scope) =>
      guard(
        () => void db.prepare('DELETE FROM pin_lockouts WHERE scope = ?').run(scope),
        () => fallback.clear(scope),
      ),
  };
}

/** A voicemail or callback request as stored: the engine's entry plus where it stands. */
export interface RecordingRow extends RecordingEntry {
  id: number;
  callId: string;
  handledAt: number | null;
}

/** Voicemail and callback requests: list them, mark them handled. */
export interface Recordings {
  list(options?: { purpose?: 'voicemail' | 'callback'; unhandledOnly?: boolean; limit?: number }): RecordingRow[];
  /** Marks a voicemail as listened to, or a callback as done. */
  markHandled(id: number, at: number): boolean;
}

/** Recordings on a connection. @example recordings(db).list({ purpose: 'voicemail', unhandledOnly: true }) */
export function recordings(db: Database.Database): Recordings {
  return {
    list(options = {}) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (options.purpose) {
        where.push('purpose = ?');
        args.push(options.purpose);
      }
      if (options.unhandledOnly) where.push('handled_at IS NULL');
      const rows = db
        .prepare(
          `SELECT id, call_id AS callId, purpose, name, duration_ms AS durationMs, at, caller, vars, handled_at AS handledAt FROM recordings
           ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY at DESC, id DESC LIMIT ?`,
        )
        .all(...args, Math.max(1, Math.min(options.limit ?? 100, 10_000))) as (Omit<RecordingRow, 'vars'> & { vars: string })[];
      return rows.map((r) => ({ ...r, vars: JSON.parse(r.vars) as Record<string, string> }));
    },
    markHandled(id, at) {
      return db.prepare('UPDATE recordings SET handled_at = ? WHERE id = ? AND handled_at IS NULL').run(at, id).changes > 0;
    },
  };
}
