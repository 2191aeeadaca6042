/**
 * Fault: a bad flow is published while calls run. The real server (engine, store, flows folder; HTTP on
 * 127.0.0.1; browser-phone calls on a virtual clock) refuses it with its diagnostics, keeps serving the running
 * version to the calls in progress and to new calls, and leaves the file on disk as it was.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { VirtualClock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/services.js';

const TOKEN = 'bad-publish-token-0123456789abcdef';
const GOOD = `flow: demo
language: en
start: main
prompts:
  hello: { text: "Hello. Press 1 for news." }
  news: { text: "No news today." }
  bye: { text: "Goodbye." }
steps:
  main:
    menu: { prompt: hello, options: { "1": news } }
    exhausted: bye
  news: { play: [news], next: bye }
  bye: { hangup: [bye] }
`;
const BAD: Array<[string, string]> = [
  ['an unknown step', GOOD.replace('"1": news', '"1": newz')],
  ['broken YAML', GOOD.replace('hello: { text: "Hello. Press 1 for news." }', 'hello: { text: "Hello. Press 1 for news. }')],
  ['a wrong type', GOOD.replace('exhausted: bye', 'exhausted: [bye]')],
  ['another flow name', GOOD.replace('flow: demo', 'flow: other')],
  ['an empty file', ''],
];

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('a bad flow published while calls run', () => {
  it('is refused with its diagnostics; calls in progress and new calls keep the running version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-bad-publish-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'demo.yaml'), GOOD);
    const { config, diagnostics } = loadConfig({ cwd: dir, env: { TOUCHTONE_FLOWS_DIR: dir, TOUCHTONE_HTTP_PORT: '0', TOUCHTONE_STORE_PATH: ':memory:', TOUCHTONE_TOKEN: TOKEN, TOUCHTONE_SHUTDOWN_GRACE_MS: '0' } });
    expect(diagnostics).toEqual([]);
    const clock = new VirtualClock(Date.parse('2026-01-05T10:00:00Z'));
    const server: RunningServer = await startServer({ config: config!, logger: silentLogger, clock, watch: false, phone: { clock, msPerChar: 10 } });
    cleanups.push(async () => {
      // Calls still running are handed over when the grace time, on the virtual clock, is over.
      const stopping = server.shutdown('test');
      for (let i = 0; i < 20; i++) await clock.advance(10_000);
      await stopping;
    });
    const api = request(server.url.replace(/\/$/, ''));
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const state = async (id: string) => (await api.get(`/api/phone/calls/${id}`).set(auth).expect(200)).body as { step: string; version: string; ended: boolean };

    // Calls in progress, parked in the menu.
    const running: string[] = [];
    for (let i = 0; i < 3; i++) running.push(((await api.post('/api/phone/calls').set(auth).send({ flow: 'demo' }).expect(201)).body as { id: string }).id);
    await clock.advance(2000);
    const version = (await state(running[0]!)).version;
    for (const id of running) expect((await state(id)).step).toBe('main');

    for (const [what, source] of BAD) {
      const res = await api.post('/api/flows/demo/publish').set(auth).send({ source, by: 'test', note: what });
      expect([400, 409, 422], `${what} → ${res.status}`).toContain(res.status);
      if (res.status === 422) {
        const diags = res.body.diagnostics as Array<{ severity: string; line?: number; range?: unknown }>;
        expect(diags.some((d) => d.severity === 'error'), what).toBe(true);
      }
    }
    // The file on disk is untouched; the running version is the same.
    expect(readFileSync(join(dir, 'demo.yaml'), 'utf8')).toBe(GOOD);
    // The calls in progress go on, on their version.
    for (const id of running) {
      await api.post(`/api/phone/calls/${id}/keys`).set(auth).send({ digits: '1' }).expect(202);
      await clock.advance(10);
      const s = await state(id);
      expect(s.version).toBe(version);
      expect(['news', 'bye']).toContain(s.step);
    }
    // A new call still gets the running version.
    const fresh = ((await api.post('/api/phone/calls').set(auth).send({ flow: 'demo' }).expect(201)).body as { id: string }).id;
    await clock.advance(10);
    expect((await state(fresh)).version).toBe(version);
    for (let i = 0; i < 10; i++) await clock.advance(1000);
    for (const id of running) expect((await state(id)).ended).toBe(true);
  });
});
