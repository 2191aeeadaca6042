/**
 * The whole server on a virtual clock: real engine, store, flows folder and HTTP on 127.0.0.1, driven through the
 * API the dashboard uses.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { VirtualClock } from '../../src/runtime/clock.js';
import { silentLogger, type Logger } from '../../src/runtime/services.js';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

const flow = (greeting: string) => `flow: demo
language: en
start: main
prompts:
  hello: { text: "${greeting} Press 1 for news." }
  news: { text: "No news today." }
  bye: { text: "Goodbye." }
steps:
  main:
    menu: { prompt: hello, options: { "1": news } }
    exhausted: bye
  news: { play: [news], next: bye }
  bye: { hangup: [bye] }
`;

const TOKEN = 'serve-test-token-0123456789';
let server: RunningServer | undefined;
let clockInUse: VirtualClock | undefined;
afterEach(async () => {
  const stopping = server?.shutdown('test');
  // Calls still running are handed over when the grace time (on the virtual clock) is over.
  for (let i = 0; i < 20 && server; i++) await clockInUse!.advance(10_000);
  await stopping;
  server = undefined;
});

async function boot(env: Record<string, string> = {}, logger: Logger = silentLogger, watch = false, random?: () => number, maxLive?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'tt-serve-'));
  writeFileSync(join(dir, 'demo.yaml'), flow('Hello.'));
  const { config, diagnostics } = loadConfig({ cwd: dir, env: { TOUCHTONE_FLOWS_DIR: dir, TOUCHTONE_HTTP_PORT: '0', TOUCHTONE_STORE_PATH: ':memory:', TOUCHTONE_TOKEN: TOKEN, TOUCHTONE_SHUTDOWN_GRACE_MS: '60000', ...env } });
  expect(diagnostics).toEqual([]);
  const clock = new VirtualClock(Date.parse('2026-01-05T10:00:00Z'));
  clockInUse = clock;
  server = await startServer({ config: config!, logger, clock, watch, random, phone: { clock, msPerChar: 10, ...(maxLive ? { maxLive } : {}) } });
  const api = request(server.url.replace(/\/$/, ''));
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const call = async () => (await api.post('/api/phone/calls').set(auth).send({ flow: 'demo' }).expect(201)).body as { id: string };
  const state = async (id: string) => (await api.get(`/api/phone/calls/${id}`).expect(200)).body as { step: string; version: string; ended: boolean; outcome?: { kind: string }; lines: { kind: string; step: string; text: string }[] };
  const press = (id: string, digits: string) => api.post(`/api/phone/calls/${id}/keys`).set(auth).send({ digits }).expect(202);
  return { dir, clock, api, auth, call, state, press, config: config! };
}

describe('touchtone serve', () => {
  it('listens on 127.0.0.1 and runs a browser call through a menu to its outcome', async () => {
    const { clock, api, call, state, press } = await boot();
    expect(server!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const { id } = await call();
    await clock.advance(100);
    expect((await state(id)).step).toBe('main');
    expect((await api.get(`/api/phone/calls/${id}`).expect(200)).body.language).toBe('en');
    expect((await api.get('/api/calls/live').expect(200)).body.calls).toEqual([expect.objectContaining({ id, flow: 'demo', version: '1', step: 'main', source: 'browser' })]);
    await press(id, '1');
    await clock.advance(5000);
    const done = await state(id);
    expect(done.ended).toBe(true);
    expect(done.outcome).toMatchObject({ kind: 'completed' });
    expect(done.lines.filter((l) => l.kind === 'prompt').map((l) => `${l.step}: ${l.text}`)).toEqual(['main: Hello. Press 1 for news.', 'news: No news today.', 'bye: Goodbye.']);
    await server!.store.flush();
    const recent = (await api.get('/api/calls/recent').expect(200)).body.calls;
    expect(recent[0]).toMatchObject({ id, flow: 'demo', outcome: 'completed' });
    const graph = (await api.get('/api/flows/demo/graph').expect(200)).body;
    expect(graph.nodes.find((n: { id: string }) => n.id === 'news')).toMatchObject({ visits: 1 });
    const metrics = (await api.get('/metrics').expect(200)).text;
    expect(metrics).toContain('touchtone_calls_total{flow="demo",outcome="completed"} 1');
    expect(metrics).toMatch(/touchtone_key_to_command_seconds_count [1-9]/);
  });

  it('counts a caller who hangs up as a drop-off at that step', async () => {
    const { clock, api, auth, call, state } = await boot();
    const { id } = await call();
    await clock.advance(100);
    await api.post(`/api/phone/calls/${id}/hangup`).set(auth).expect(202);
    await clock.advance(100);
    const done = await state(id);
    expect(done.outcome).toMatchObject({ kind: 'hungup', step: 'main' });
    expect(done.lines.map((l) => l.text)).toContain('You hung up.');
    await api.post(`/api/phone/calls/${id}/keys`).set(auth).send({ digits: '1' }).expect(404);
    const graph = (await api.get('/api/flows/demo/graph').expect(200)).body;
    expect(graph.nodes.find((n: { id: string }) => n.id === 'main')).toMatchObject({ visits: 1, dropped: 1 });
  });

  it('lets a call in progress finish on its version while new calls get the published one', async () => {
    const { clock, api, auth, call, state, press } = await boot();
    const first = await call();
    await clock.advance(100);
    const published = await api.post('/api/flows/demo/publish').set(auth).send({ source: flow('Welcome back.'), note: 'new greeting', by: 'ana' });
    expect(published.status).toBe(201);
    expect(published.body.version).toMatchObject({ version: '2', publishedBy: 'ana', note: 'new greeting' });
    const second = await call();
    await clock.advance(100);
    expect((await state(first.id)).version).toBe('1');
    expect((await state(second.id)).version).toBe('2');
    expect((await state(second.id)).lines[0]!.text).toBe('Welcome back. Press 1 for news.');
    await press(first.id, '1');
    await clock.advance(5000);
    expect((await state(first.id)).outcome).toMatchObject({ kind: 'completed' });
    // Roll back in one call; the next call hears version 1's text again.
    const back = await api.post('/api/flows/demo/rollback').set(auth).send({ version: '1' }).expect(201);
    expect(back.body.version.version).toBe('3');
    const third = await call();
    await clock.advance(100);
    expect((await state(third.id)).lines[0]!.text).toBe('Hello. Press 1 for news.');
    const versions = (await api.get('/api/flows/demo').expect(200)).body.versions;
    expect(versions.map((v: { version: string }) => v.version)).toEqual(['3', '2', '1']);
  });

  it('sends a share of new calls to a canary, compares outcomes by version, and promotes it', async () => {
    const picks = [0.05, 0.5, 0.09, 0.95];
    const { dir, clock, api, auth, call, state, press } = await boot({}, silentLogger, false, () => picks.shift() ?? 0.99);
    const started = await api.post('/api/flows/demo/canary').set(auth).send({ source: flow('Canary.'), percent: 10, note: 'shorter greeting' }).expect(201);
    expect(started.body.version).toMatchObject({ version: '2', current: false, note: 'canary 10%: shorter greeting' });
    expect((await api.get('/api/flows').expect(200)).body.flows[0]).toMatchObject({ version: '1', canary: { version: '2', percent: 10 } });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await call()).id);
    await clock.advance(100);
    const versions = await Promise.all(ids.map(async (id) => (await state(id)).version));
    expect(versions).toEqual(['2', '1', '2', '1']);
    expect((await state(ids[0]!)).lines[0]!.text).toBe('Canary. Press 1 for news.');
    for (const id of ids) await press(id, '1');
    await clock.advance(5000);
    const stats = (await api.get('/api/stats?flow=demo').expect(200)).body;
    expect(stats.versions).toEqual([
      { flow: 'demo', version: '2', calls: 2, outcomes: { completed: 2 } },
      { flow: 'demo', version: '1', calls: 2, outcomes: { completed: 2 } },
    ]);
    // The file is untouched until the canary is promoted.
    expect(readFileSync(join(dir, 'demo.yaml'), 'utf8')).toBe(flow('Hello.'));
    const promoted = await api.post('/api/flows/demo/canary/promote').set(auth).send({}).expect(201);
    expect(promoted.body.version).toMatchObject({ version: '2', current: true });
    expect(readFileSync(join(dir, 'demo.yaml'), 'utf8')).toBe(flow('Canary.'));
    expect((await api.get('/api/flows/demo').expect(200)).body).toMatchObject({ version: '2' });
    expect((await api.get('/api/flows/demo').expect(200)).body.canary).toBeUndefined();
    await api.delete('/api/flows/demo/canary').set(auth).expect(404);
  });

  it('caps the browser calls in progress', async () => {
    const { api, auth, call } = await boot({}, silentLogger, false, undefined, 2);
    await call();
    await call();
    const third = await api.post('/api/phone/calls').set(auth).send({ flow: 'demo' });
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('too-many-calls');
  });

  it('refuses an invalid publish and keeps the running version', async () => {
    const { api, auth } = await boot();
    const res = await api.post('/api/flows/demo/publish').set(auth).send({ source: flow('Hi.').replace('"1": news', '"1": newz') });
    expect(res.status).toBe(422);
    expect(res.body.diagnostics[0]).toMatchObject({ code: 'unknown-step', file: 'demo.yaml', range: { start: { line: 10 } } });
    // No server path in what the API shows.
    expect((await api.get('/api/flows').expect(200)).body.flows[0].file).toBe('demo.yaml');
    // A refused publish leaves no trace: the flow is not stale, its source is the running one, /ready is clean.
    expect((await api.get('/api/flows/demo').expect(200)).body).toMatchObject({ version: '1', state: 'ok', errors: 0, source: flow('Hello.') });
    expect((await api.get('/ready').expect(200)).body.components).toMatchObject({ flows: { ok: true, detail: { invalid: [] } }, store: { ok: true }, ari: { state: 'disabled' }, ami: { state: 'disabled' }, calls: { ok: true, state: 'accepting' } });
    // Nor does a refused publish of a flow the server does not know.
    expect((await api.post('/api/flows/ghost/publish').set(auth).send({ source: 'flow: ghost\n' })).status).toBe(422);
    expect((await api.get('/api/flows').expect(200)).body.flows.map((f: { name: string }) => f.name)).toEqual(['demo']);
    expect((await api.get('/ready').expect(200)).body.components.flows.detail.invalid).toEqual([]);
    await api.get('/api/flows/ghost').expect(404);
  });

  it('takes hours overrides only for schedules a running flow defines', async () => {
    const { api, auth, dir } = await boot();
    const res = await api.post('/api/hours/overrides').set(auth).send({ hours: 'office', state: 'closed', reason: 'storm' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'schedule-not-found', hint: 'Define it under `hours:` in a flow and publish the flow first.' });
    writeFileSync(join(dir, 'demo.yaml'), flow('Hello.').replace('steps:', 'hours:\n  office: { timezone: Europe/Berlin, weekly: { mon-fri: "08:00-18:00" } }\nsteps:'));
    await server!.catalog.loadFile(join(dir, 'demo.yaml'));
    expect((await api.post('/api/hours/overrides').set(auth).send({ hours: 'office', state: 'closed', reason: 'storm' })).status).toBe(201);
  });

  it('on shutdown takes no new calls, waits for calls in progress, and flushes the store', async () => {
    const { clock, api, auth, call, state, press } = await boot();
    const { id } = await call();
    await clock.advance(100);
    let stopped = false;
    const stopping = server!.shutdown('SIGTERM').then(() => (stopped = true));
    await clock.advance(10);
    expect(stopped).toBe(false);
    const refused = await api.post('/api/phone/calls').set(auth).send({ flow: 'demo' });
    expect(refused.status).toBe(503);
    const ready = await api.get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.components.calls).toEqual({ ok: false, state: 'draining', detail: { live: 1 } });
    await press(id, '1');
    await clock.advance(5000);
    await stopping;
    expect(stopped).toBe(true);
    expect((await state(id).catch(() => undefined))).toBeUndefined();
    server = undefined;
  });

  it('hands calls still running at the end of the grace time to the dialplan', async () => {
    const warnings: { obj: object; msg?: string }[] = [];
    const { clock, call } = await boot({ TOUCHTONE_SHUTDOWN_GRACE_MS: '1000' }, { ...silentLogger, warn: (obj, msg) => void warnings.push({ obj, msg }) });
    await call();
    await clock.advance(100);
    const stopping = server!.shutdown('SIGTERM');
    await clock.advance(900);
    expect(warnings).toEqual([]);
    await clock.advance(200);
    expect(warnings).toEqual([{ obj: { calls: 1 }, msg: 'grace time over: handing calls in progress to the dialplan' }]);
    await clock.advance(10_000);
    await stopping;
    expect(server!.store.metrics().written).toBeGreaterThan(0);
    server = undefined;
  });

  it('counts lookup errors by flow and source', async () => {
    const { dir, clock, api, auth, state } = await boot();
    writeFileSync(join(dir, 'lk.yaml'), 'flow: lk\nlanguage: en\nstart: find\nprompts: { bye: { text: "Bye." } }\ndata: { prices: { file: { path: missing.csv, key: code } } }\nsteps:\n  find: { lookup: { source: prices, key: "1234", into: p }, found: end, notFound: end, error: end }\n  end: { hangup: [bye] }\n');
    await server!.catalog.loadFile(join(dir, 'lk.yaml'));
    const { id } = (await api.post('/api/phone/calls').set(auth).send({ flow: 'lk' }).expect(201)).body as { id: string };
    await clock.advance(5000);
    expect((await state(id)).ended).toBe(true);
    const metrics = (await api.get('/metrics').expect(200)).text;
    expect(metrics).toContain('touchtone_lookup_errors_total{flow="lk",source="prices"} 1');
  });

  it('reloads a flow when its file changes, keeping the good version through a bad edit', async () => {
    const errors: string[] = [];
    const { dir } = await boot({}, { ...silentLogger, error: (_obj, msg) => void errors.push(msg ?? '') }, true);
    writeFileSync(join(dir, 'demo.yaml'), flow('Hi.').replace('"1": news', '"1": newz'));
    await vi.waitFor(() => expect(server!.catalog.get('demo')!.state).toBe('stale'), { timeout: 5000, interval: 50 });
    expect(errors).toEqual(['flow `demo` not reloaded: 1 error(s); version 1 keeps running']);
    writeFileSync(join(dir, 'demo.yaml'), flow('Hi.'));
    await vi.waitFor(() => expect(server!.catalog.get('demo')).toMatchObject({ state: 'ok', version: '2' }), { timeout: 5000, interval: 50 });
  });
});

describe('touchtone serve (command)', () => {
  it('is what `npm start` execs, so the signals npm passes on reach the server (sh would keep them)', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe('exec node dist/cli/main.js serve');
  });

  it('says which port is taken and exits 1', async () => {
    const { config } = await boot();
    const dir = mkdtempSync(join(tmpdir(), 'tt-cli-'));
    const err: string[] = [];
    const port = new URL(server!.url).port;
    const io: CliIO = { out: () => undefined, err: (t) => void err.push(t), isTTY: false, cwd: dir, env: { TOUCHTONE_STORE_PATH: ':memory:', TOUCHTONE_LOG_LEVEL: 'silent', TOUCHTONE_FLOWS_DIR: config.flowsDir } };
    expect(await main(['serve', '--port', port, '--no-watch'], io)).toBe(1);
    expect(err).toEqual([`touchtone serve: error listen-failed: Port \`${port}\` on \`127.0.0.1\` is already in use; stop the other server or set \`TOUCHTONE_HTTP_PORT\`.`]);
  });

  it('says when the store cannot be opened and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-cli-'));
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    const err: string[] = [];
    const io: CliIO = { out: () => undefined, err: (t) => void err.push(t), isTTY: false, cwd: dir, env: { TOUCHTONE_STORE_PATH: 'not-a-folder/tt.db', TOUCHTONE_LOG_LEVEL: 'silent', TOUCHTONE_HTTP_PORT: '0' } };
    expect(await main(['serve', '--no-watch'], io)).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^touchtone serve: error store-open-failed: The store `.*not-a-folder\/tt\.db` cannot be opened \(.+\); set `TOUCHTONE_STORE_PATH` to a writable file\.$/);
  });

  it('says when the store file is damaged, with its code, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-cli-'));
    writeFileSync(join(dir, 'corrupt.db'), Buffer.alloc(8192, 0x5a));
    const err: string[] = [];
    const io: CliIO = { out: () => undefined, err: (t) => void err.push(t), isTTY: false, cwd: dir, env: { TOUCHTONE_STORE_PATH: 'corrupt.db', TOUCHTONE_LOG_LEVEL: 'silent', TOUCHTONE_HTTP_PORT: '0', TOUCHTONE_FLOWS_DIR: dir } };
    expect(await main(['serve', '--no-watch'], io)).toBe(1);
    expect(err).toEqual([`touchtone serve: error store-open-failed: The store \`${join(dir, 'corrupt.db')}\` cannot be read (file is not a database); move the damaged file away to start with an empty store, or set \`TOUCHTONE_STORE_PATH\` to another file.`]);
  });

  it('refuses ARI settings it cannot connect with before it starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-cli-'));
    const err: string[] = [];
    const io: CliIO = { out: () => undefined, err: (t) => void err.push(t), isTTY: false, cwd: dir, env: { TOUCHTONE_STORE_PATH: ':memory:', TOUCHTONE_LOG_LEVEL: 'silent', TOUCHTONE_HTTP_PORT: '0', TOUCHTONE_FLOWS_DIR: dir, TOUCHTONE_ARI_URL: 'ws://127.0.0.1:18088', TOUCHTONE_ARI_PASSWORD: 'pw' } };
    expect(await main(['serve', '--no-watch'], io)).toBe(1);
    expect(err.join('\n')).toContain('touchtone serve: error config-bad-value: `ari.url` must start with `http://` or `https://`, not `ws://` (from `TOUCHTONE_ARI_URL`).');
    expect(err.join('\n')).not.toContain('<flow>');
    expect(err.join('\n')).not.toContain('internal error');
  });

  it('prints configuration errors at their line and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-cli-'));
    writeFileSync(join(dir, 'touchtone.yaml'), 'http:\n  port: high\n');
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false, cwd: dir, env: {} };
    expect(await main(['serve'], io)).toBe(1);
    expect(err.join('\n')).toContain('touchtone.yaml:2:9: error config-bad-type: `http.port` must be an integer.');
    expect(err.join('\n')).toContain('touchtone serve: the configuration has errors; fix them and start again.');
    expect(out).toEqual([]);
  });
});
