/**
 * Read-only SQLite lookups for the `lookup` step's `sqlite:` sources. Lives here because this folder is the only
 * importer of better-sqlite3; `src/data/` uses it through `openSqliteLookup`.
 *
 * The caller's digits are only ever a bound parameter. Table and column names come from the flow file and are
 * checked as identifiers; a named query must be read-only (SQLite tells us through `Statement.readonly`).
 */
import { readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';

/** What a `sqlite:` source names: the file, and a table and key column or a query. */
export interface SqliteLookupSpec {
  /** Database file (absolute). */
  file: string;
  /** Look up `key = ?` in this table. */
  table?: string;
  /** Column compared with the key. Default `id`. */
  key?: string;
  /** Or: a query with one parameter (`?`, `:key`, `@key` or `$key`), for example a join. */
  query?: string;
}

/** An open read-only lookup. */
export interface SqliteLookup {
  /** The first row for the key, or undefined. Throws on a broken file; the data source turns that into `error`. */
  get(key: string): Record<string, unknown> | undefined;
  close(): void;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Thrown when a spec is unusable: a bad name, a query that writes, a missing file. */
export class SqliteLookupError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Opens a database read-only and prepares the lookup statement once.
 * @example openSqliteLookup({ file: '/srv/acme.db', table: 'accounts', key: 'number' }).get('123456')
 */
export function openSqliteLookup(spec: SqliteLookupSpec): SqliteLookup {
  let db: Database.Database;
  try {
    db = new Database(spec.file, { readonly: true, fileMustExist: true, timeout: 0 });
  } catch (error) {
    throw new SqliteLookupError('sqlite-open-failed', `cannot open \`${spec.file}\` read-only: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const statement = prepareLookup(db, spec);
    const named = /[:@$]key\b/.test(spec.query ?? '');
    return {
      get: (key) => (named ? statement.get({ key }) : statement.get(key)) as Record<string, unknown> | undefined,
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    throw error instanceof SqliteLookupError ? error : new SqliteLookupError('sqlite-bad-query', error instanceof Error ? error.message : String(error));
  }
}

function prepareLookup(db: Database.Database, spec: SqliteLookupSpec): Database.Statement {
  if (spec.query) {
    const statement = db.prepare(spec.query);
    if (!statement.readonly || !statement.reader) {
      throw new SqliteLookupError('sqlite-query-not-readonly', `the query for \`${spec.file}\` must be a read-only SELECT: remove statements that change data`);
    }
    return statement;
  }
  const table = spec.table ?? '';
  const key = spec.key ?? 'id';
  for (const name of [table, key]) {
    if (!IDENTIFIER.test(name)) {
      throw new SqliteLookupError('sqlite-bad-name', `\`${name}\` is not a table or column name: use letters, digits and \`_\``);
    }
  }
  return db.prepare(`SELECT * FROM "${table}" WHERE "${key}" = ? LIMIT 1`);
}

/**
 * Creates a database from a committed `.sql` seed when the database is missing or older than the seed. Examples
 * ship `bank.sql`, not `bank.db` (databases are git-ignored). Returns true when it (re)built the file.
 * @example seedDatabase('/srv/acme.db', '/srv/acme.sql')
 */
export function seedDatabase(dbFile: string, sqlFile: string): boolean {
  const seed = statSync(sqlFile, { throwIfNoEntry: false });
  if (!seed) return false;
  const db = statSync(dbFile, { throwIfNoEntry: false });
  if (db && db.mtimeMs >= seed.mtimeMs) return false;
  // Build beside the target and rename, so a reader never sees a half-written file.
  const tmp = `${dbFile}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const conn = new Database(tmp);
  try {
    conn.exec(readFileSync(sqlFile, 'utf8'));
  } catch (error) {
    conn.close();
    rmSync(tmp, { force: true });
    throw new SqliteLookupError('sqlite-seed-failed', `the seed \`${sqlFile}\` does not run: ${error instanceof Error ? error.message : String(error)}`);
  }
  conn.close();
  renameSync(tmp, dbFile);
  return true;
}
