/**
 * Injection, end to end: hostile caller numbers, dialled numbers, Stasis arguments and digits go through the real
 * ARI adapter (fake ARI on 127.0.0.1), the real engine and a real SQLite lookup. None of it may reach a dial
 * string, a channel variable name, a media URI or dialplan target, SQL or a file path; a transfer only ever dials
 * a department the flow names. (The AMI side is `test/ami/queue-status.test.ts` "AMI header injection"; the
 * unit-level sanitizers are `test/ari/injection.test.ts`.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSourceFactory } from '../../src/data/index.js';
import type { FlowDoc } from '../../src/flow/types.js';
import { systemClock } from '../../src/runtime/clock.js';
import { Engine } from '../../src/runtime/engine.js';
import type { CallSession } from '../../src/runtime/call-session.js';
import { createInMemoryServices } from '../../src/runtime/in-memory-services.js';
import { openSqliteLookup } from '../../src/store/index.js';
import { loadCompiledFlow } from '../../src/testing/load-flow.js';
import { loadFlowText } from '../../src/flow/load.js';
import { startRig, waitFor, type Rig } from '../ari/harness.js';

const HOSTILE = [
  '&',
  ',',
  ';',
  '/',
  '${',
  '${env.HOME}',
  '\r\nX-Injected: 1',
  '"',
  "'",
  "1' OR '1'='1",
  '1; DROP TABLE accounts; --',
  '../../../../etc/passwd',
  'PJSIP/evil&Local/x@default',
  'Local/1@from-internal,,tT',
  'x'.repeat(10_240),
];

let dir: string;
let rig: Rig;
const sessions: CallSession[] = [];

const flow = (db: string): FlowDoc =>
  ({
    flow: 'inject',
    language: 'en',
    start: 'remember',
    defaults: { timeout: '2s', interDigitTimeout: '1s', retries: 0 },
    variables: { who: '', code: '', arg: '' },
    prompts: { hi: { text: 'Hi' }, bye: { text: 'Bye' } },
    departments: { sales: { dial: 'PJSIP/sales', ringTimeout: '5s' } },
    queues: { support: { whenUnknown: 'open' } },
    data: { accounts: { sqlite: { file: db, table: 'accounts', key: 'number' }, timeout: '2s' } },
    steps: {
      remember: { set: { who: { expr: 'call.caller' }, arg: { expr: 'call.dialled' } }, next: 'ask' },
      ask: { input: { prompt: 'hi', digits: '1-30', terminator: '#', into: 'code' }, next: 'find', exhausted: 'find' },
      find: { lookup: { source: 'accounts', key: '${who}', into: 'acct' }, found: 'sell', notFound: 'sell', error: 'sell' },
      sell: { transfer: 'sales', busy: 'agent', noAnswer: 'agent', failed: 'agent' },
      agent: { queue: { name: 'support', vars: { who: '${who}', code: '${code}', dialled: '${arg}' } } },
    },
  }) as unknown as FlowDoc;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tt-inject-'));
  writeFileSync(join(dir, 'accounts.sql'), "CREATE TABLE accounts (number TEXT PRIMARY KEY, balance REAL);\nINSERT INTO accounts VALUES ('123456', 42.5);\n");
  const db = join(dir, 'accounts.db');
  const services = { ...createInMemoryServices({ clock: systemClock }), data: createDataSourceFactory({ clock: systemClock }) };
  const engine = new Engine(services);
  engine.publish(await loadCompiledFlow(flow(db)));
  rig = await startRig({ fake: { playbackMs: 5, ringMs: 5 }, onCall: ({ port }) => sessions.push(engine.startCall(port, 'inject')) });
  rig.fake.endpoints.set('PJSIP/sales', 'busy');
});

afterAll(async () => {
  await rig.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile call data never becomes a command', () => {
  it(`${HOSTILE.length} hostile values as caller, dialled number, Stasis arguments and keys`, async () => {
    for (const value of HOSTILE) {
      const n = sessions.length;
      const { id } = rig.fake.placeCall({ caller: value, callerName: value, dialled: value, args: ['inject', `x=${value}`, value], language: value.slice(0, 20) });
      const session = await waitFor(() => sessions[n], `the call for \`${value.slice(0, 30)}\``);
      // Keys: real DTMF plus characters no phone can send; the adapter keeps only DTMF.
      for (const d of ['1', '&', ';', '#']) rig.fake.pressKey(id, d);
      const outcome = await session.done;
      expect(outcome.kind, `call for \`${value.slice(0, 30)}\``).toBe('queued');
    }

    const requests = rig.fake.requests;
    // Dial strings: only the department the flow names.
    const dials = requests.filter((r) => r.method === 'POST' && (r.path === '/ari/channels/create' || r.path === '/ari/channels'));
    expect(dials.length).toBeGreaterThan(0);
    for (const r of dials) expect(r.query.endpoint).toBe('PJSIP/sales');
    // Channel variable names: ours, fixed; values single-line and bounded.
    const vars = requests.filter((r) => r.path.endsWith('/variable'));
    expect(vars.length).toBeGreaterThan(0);
    for (const r of vars) {
      expect(r.query.variable).toMatch(/^_{0,2}TOUCHTONE_[A-Z0-9_]+$/);
      expect(r.query.value ?? '').not.toMatch(/[\r\n\u0000]/);
      expect((r.query.value ?? '').length).toBeLessThanOrEqual(1024);
    }
    // The hostile values did travel (as values, cleaned): the test is not vacuous.
    expect(vars.some((r) => /TOUCHTONE_WHO$/.test(r.query.variable ?? '') && (r.query.value ?? '').includes('DROP TABLE'))).toBe(true);
    // Dialplan targets: the configured queue context only.
    for (const r of requests.filter((r) => r.path.endsWith('/continue'))) expect(r.query.context).toMatch(/^touchtone-[a-z-]+$/);
    // Media: sounds and values, never a second item smuggled in through a value.
    for (const r of requests.filter((r) => r.path.includes('/play/'))) {
      for (const media of (r.query.media ?? '').split(',')) expect(media).toMatch(/^(sound|digits|number|characters|recording|tone):[^\s,&;]*$/);
    }
    // Every request path is one of ours (or the app probe's constant one): no value became a path segment beyond the ids the fake gave.
    for (const r of requests) expect(r.path).toMatch(/^\/ari\/((channels|playbacks|bridges|applications|recordings|asterisk)(\/[A-Za-z0-9._%:-]+)*|events\/user\/touchtone-probe)$/);
  }, 60_000);

  it('SQL: the hostile keys were bound parameters; the table is intact and nothing else was written', () => {
    const lookup = openSqliteLookup({ file: join(dir, 'accounts.db'), table: 'accounts', key: 'number' });
    expect(lookup.get('123456')).toMatchObject({ number: '123456', balance: 42.5 });
    expect(lookup.get("1' OR '1'='1")).toBeUndefined();
    // No file was created from a value (no `etc`, no `passwd`, no `x…` beside the database).
    expect(readdirSync(dir).sort()).toEqual(['accounts.db', 'accounts.sql'].concat(readdirSync(dir).filter((f) => /^accounts\.db-(wal|shm)$/.test(f))).sort());
  });

  it('transfers go only to named departments: a flow cannot name a target the author did not declare', () => {
    const text = (transfer: string): string =>
      `flow: t\nlanguage: en\nstart: main\ndepartments:\n  sales: { dial: PJSIP/sales }\nprompts:\n  hi: { text: "Hi" }\nsteps:\n  main: { transfer: ${JSON.stringify(transfer)}, failed: bye }\n  bye: { hangup: [hi] }\n`;
    for (const target of ['PJSIP/evil', '${code}', 'sales&support', 'Local/1@from-internal']) {
      const loaded = loadFlowText(text(target), 't.yaml');
      expect(loaded.flow, `transfer to \`${target}\` was accepted`).toBeUndefined();
      expect(loaded.diagnostics.some((d) => d.severity === 'error' && d.range)).toBe(true);
    }
  });

  it('a department whose dial string carries a separator (`&`, `,`, `;`) is refused at validation', () => {
    for (const dial of ['PJSIP/a&Local/b', 'PJSIP/a,b', 'PJSIP/a;b', 'PJSIP/${x}']) {
      const loaded = loadFlowText(`flow: t\nlanguage: en\nstart: main\ndepartments:\n  d: { dial: ${JSON.stringify(dial)} }\nprompts:\n  hi: { text: "Hi" }\nsteps:\n  main: { transfer: d, failed: bye }\n  bye: { hangup: [hi] }\n`, 't.yaml');
      expect(loaded.flow, `dial string \`${dial}\` was accepted`).toBeUndefined();
    }
  });
});
