import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { CliExit, type CliIO } from '../../src/cli/io.js';
import { registerCalls } from '../../src/cli/calls.js';
import { registerStats, parseSince } from '../../src/cli/stats.js';
import { registerHours } from '../../src/cli/hours.js';
import { openStore } from '../../src/store/index.js';

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'touchtone-cli-'));
  db = join(dir, 'tt.db');
  const store = openStore({ path: db });
  const t = Date.parse('2026-12-07T10:00:00Z');
  const r = store.records;
  r.callStarted({ callId: 'call-1', channel: 'PJSIP/alice-1', caller: '+4930111', dialled: '100', flow: 'acme-hotline', version: '2', startedAt: t });
  r.event('call-1', { at: t, type: 'step', step: 'main', kind: 'menu' });
  r.event('call-1', { at: t + 5000, type: 'timer', step: 'main', timer: 'noInput' });
  r.event('call-1', { at: t + 6000, type: 'key', step: 'main', digit: '0' });
  r.event('call-1', { at: t + 6000, type: 'match', step: 'main', entry: '0', result: 'agent' });
  r.event('call-1', { at: t + 6500, type: 'lookup', step: 'find', source: 'accounts', result: 'found', ms: 12 });
  r.callEnded('call-1', { kind: 'queued', step: 'agent', queue: 'support' }, t + 8000);
  r.callStarted({ callId: 'call-2', channel: 'PJSIP/bob-2', caller: '', dialled: '100', flow: 'acme-hotline', version: '2', startedAt: t + 60_000 });
  r.event('call-2', { at: t + 60_000, type: 'step', step: 'main', kind: 'menu' });
  r.callEnded('call-2', { kind: 'hungup', step: 'main' }, t + 70_000);
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (s) => void out.push(s), err: (s) => void err.push(s), isTTY: false, cwd: dir, env };
  let code = 0;
  const program = new Command('touchtone').exitOverride();
  for (const register of [registerCalls, registerStats, registerHours]) register(program, io, (c) => (code = c));
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    // As `main` does: a command that printed its own message exits with its code.
    if (!(error instanceof CliExit)) throw error;
    code = error.code;
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('touchtone calls', () => {
  it('lists recent calls, newest first', async () => {
    const { code, out } = await cli(['calls', '--db', db]);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^started\s+id\s+flow\s+caller\s+outcome\s+last step\s+duration$/);
    expect(lines[1]).toMatch(/call-2\s+acme-hotline@2\s+-\s+hungup\s+main\s+10\.0s/);
    expect(lines[2]).toMatch(/call-1\s+acme-hotline@2\s+\+4930111\s+queued \(support\)\s+agent\s+8\.0s/);
  });

  it("shows one call's trace with times relative to its start", async () => {
    const { out } = await cli(['calls', 'call-1'], { TOUCHTONE_DB: db });
    expect(out).toContain('call call-1  acme-hotline@2  from +4930111 to 100  (PJSIP/alice-1)');
    expect(out).toContain('+   5.000s  timer noInput in main');
    expect(out).toContain('lookup accounts → found in 12 ms');
  });

  it("reads the server's store: TOUCHTONE_STORE_PATH, then store.path in touchtone.yaml", async () => {
    expect((await cli(['calls', 'call-1'], { TOUCHTONE_STORE_PATH: 'tt.db' })).out).toContain('call call-1  acme-hotline@2');
    expect((await cli(['stats'], { TOUCHTONE_STORE_PATH: 'tt.db' })).code).toBe(0);
    writeFileSync(join(dir, 'touchtone.yaml'), 'store: { path: tt.db }\n');
    try {
      expect((await cli(['calls', 'call-2'])).out).toContain('call call-2  acme-hotline@2');
      // A problem with another setting does not keep the report from running.
      expect((await cli(['calls', 'call-2'], { TOUCHTONE_HTTP_PORT: 'eighty' })).out).toContain('call call-2');
      // Secrets kept in the environment, as they should be, count: ari.url needs its password.
      writeFileSync(join(dir, 'touchtone.yaml'), 'store: { path: tt.db }\nari: { url: "http://127.0.0.1:8088" }\n');
      expect((await cli(['calls', 'call-2'], { TOUCHTONE_ARI_PASSWORD: 'secret-from-env' })).out).toContain('call call-2');
      // A store path that cannot be told is an error, not a guess (`hours override` would write to the wrong file).
      writeFileSync(join(dir, 'touchtone.yaml'), 'store: { path: [tt.db] }\n');
      const unreadable = await cli(['calls', 'call-2']);
      expect(unreadable.code).toBe(2);
      expect(unreadable.err).toContain("the configuration cannot be read for the store's path (config-bad-type");
    } finally {
      rmSync(join(dir, 'touchtone.yaml'));
    }
    const none = await cli(['calls'], { TOUCHTONE_STORE_PATH: 'elsewhere.db' });
    expect(none.err).toContain(`no call records at \`${join(dir, 'elsewhere.db')}\`; pass \`--db <file>\`, or run it where \`touchtone serve\` runs`);
  });

  it('prints JSON and explains missing calls and databases', async () => {
    const json = JSON.parse((await cli(['calls', '--db', db, '--format', 'json', '--limit', '1'])).out);
    expect(json.map((c: { id: string }) => c.id)).toEqual(['call-2']);
    const missing = await cli(['calls', 'nope', '--db', db]);
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.err).toContain('no call with id `nope`');
    const noDb = await cli(['calls', '--db', join(dir, 'none.db')]);
    expect(noDb.code).toBe(1);
    expect(noDb.err).toContain('no call records at');
    expect((await cli(['calls', '--db', db, '--limit', 'x'])).code).toBe(2);
  });
});

describe('touchtone stats', () => {
  it('reports outcomes, drop-off, menu rates and time to agent', async () => {
    const { code, out } = await cli(['stats', '--db', db]);
    expect(code).toBe(0);
    expect(out).toContain('acme-hotline: 2 calls');
    expect(out).toContain('hung up at: main 1');
    expect(out).toContain('time to agent: average 8s, median 8s over 1 call');
    expect(out).toMatch(/main\s+menu\s+2\s+2\s+0\.0%\s+50\.0%/);
    const json = JSON.parse((await cli(['stats', '--db', db, '--format', 'json'])).out);
    expect(json[0].outcomes).toEqual({ queued: 1, hungup: 1 });
  });

  it('filters by time', async () => {
    expect((await cli(['stats', '--db', db, '--since', '2027-01-01'])).out).toBe('No calls recorded in that period.');
    expect((await cli(['stats', '--db', db, '--since', 'soon'])).code).toBe(2);
    expect(parseSince('7d', 10 * 86_400_000)).toBe(3 * 86_400_000);
  });
});

describe('touchtone hours', () => {
  it('sets, lists and clears overrides that persist in the database', async () => {
    const hoursDb = join(dir, 'hours.db');
    const set = await cli(['hours', 'override', 'office', 'closed', '--reason', 'storm', '--until', '2099-12-08T08:00', '--tz', 'Europe/Berlin', '--db', hoursDb]);
    expect(set).toMatchObject({ code: 0 });
    expect(set.out).toBe('✓ `office` is closed (storm) until 2099-12-08T08:00:00+01:00.');
    const listed = await cli(['hours', 'list', '--db', hoursDb, '--tz', 'Europe/Berlin']);
    expect(listed.out).toMatch(/office\s+closed\s+storm\s+2099-12-08T08:00:00\+01:00/);
    expect((await cli(['hours', 'clear', 'office', '--db', hoursDb])).out).toBe('✓ `office` follows its schedule again.');
    expect((await cli(['hours', 'list', '--db', hoursDb])).out).toBe('No hours overrides in force.');
    expect((await cli(['hours', 'clear', 'office', '--db', hoursDb])).code).toBe(1);
  });

  it("shows a flow's schedules at an instant, with overrides, and what callers hear", async () => {
    const hoursDb = join(dir, 'hours3.db');
    const shop = join(process.cwd(), 'examples/shop/shop.yaml');
    const christmas = await cli(['hours', 'show', shop, '--at', '2026-12-25T10:00', '--db', hoursDb]);
    expect(christmas.out).toBe('shop: closed (Christmas Day) at 2026-12-25T10:00:00+01:00\n  callers hear: "We are closed today for Christmas Day. We open again on Monday at 9 AM"');
    await cli(['hours', 'override', 'shop', 'open', '--reason', 'sale', '--db', hoursDb]);
    const json = JSON.parse((await cli(['hours', 'show', shop, 'shop', '--at', '2026-12-25T10:00', '--lang', 'de', '--format', 'json', '--db', hoursDb])).out);
    expect(json).toEqual([{ hours: 'shop', timezone: 'Europe/Berlin', at: '2026-12-25T10:00:00+01:00', open: true, override: { reason: 'sale' }, says: 'Wir haben geöffnet.' }]);
    expect((await cli(['hours', 'show', shop, 'office', '--db', hoursDb])).err).toContain('has no schedule `office`; its schedules: `shop`');
  });

  it('refuses bad states, names and times', async () => {
    const hoursDb = join(dir, 'hours2.db');
    expect((await cli(['hours', 'override', 'office', 'shut', '--reason', 'x', '--db', hoursDb])).err).toContain('`shut` is not a state');
    expect((await cli(['hours', 'override', '../x', 'closed', '--reason', 'x', '--db', hoursDb])).code).toBe(2);
    expect((await cli(['hours', 'override', 'office', 'closed', '--reason', 'x', '--until', '2001-01-01T00:00', '--db', hoursDb])).err).toContain('is in the past');
    expect((await cli(['hours', 'override', 'office', 'closed', '--reason', 'x', '--until', 'tomorrow', '--db', hoursDb])).code).toBe(2);
  });
});
