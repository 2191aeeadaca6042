import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteLookup, seedDatabase } from '../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'touchtone-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('seedDatabase', () => {
  it('builds the database from its .sql file, and again only when the seed is newer', () => {
    const sql = join(dir, 'demo.sql');
    const db = join(dir, 'demo.db');
    writeFileSync(sql, "CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT); INSERT INTO t VALUES ('1', 'one');");
    utimesSync(sql, new Date(1_000_000), new Date(1_000_000));
    expect(seedDatabase(db, sql)).toBe(true);
    expect(seedDatabase(db, sql)).toBe(false);
    const first = openSqliteLookup({ file: db, table: 't' });
    expect(first.get('1')).toEqual({ id: '1', v: 'one' });
    first.close();
    writeFileSync(sql, "CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT); INSERT INTO t VALUES ('1', 'uno');");
    utimesSync(sql, new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
    expect(seedDatabase(db, sql)).toBe(true);
    const second = openSqliteLookup({ file: db, table: 't' });
    expect(second.get('1')).toEqual({ id: '1', v: 'uno' });
    second.close();
    expect(seedDatabase(join(dir, 'none.db'), join(dir, 'none.sql'))).toBe(false);
  });

  it('leaves no half-built file when the seed is broken', () => {
    const sql = join(dir, 'bad.sql');
    writeFileSync(sql, 'CREATE TABLE (;');
    expect(() => seedDatabase(join(dir, 'bad.db'), sql)).toThrow(/the seed `.*bad\.sql` does not run/);
    expect(readdirSync(dir).filter((f) => f.startsWith('bad.db'))).toEqual([]);
    expect(() => openSqliteLookup({ file: join(dir, 'bad.db'), table: 't' })).toThrow(/cannot open/);
  });
});
