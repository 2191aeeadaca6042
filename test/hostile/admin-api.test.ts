/**
 * Hostile requests to the admin API of the real server (flows folder, store, engine; HTTP on 127.0.0.1): no token,
 * a wrong token, oversized bodies, malformed JSON, wrong content types and path tricks are refused with the right
 * status, no file outside the flows folder is read or written, and the log holds no token, body or PIN.
 * (Route-by-route auth and body schemas are `test/http/app.test.ts` "security".)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import type { Logger } from '../../src/runtime/services.js';

const TOKEN = 'hostile-admin-token-0123456789abcdef';
const SECRET_TEXT = 'TOP-SECRET-OUTSIDE-THE-FLOWS-FOLDER';
const FLOW = `flow: demo
language: en
start: main
prompts:
  hello: { text: "Hello. Press 1." }
  bye: { text: "Goodbye." }
steps:
  main:
    menu: { prompt: hello, options: { "1": bye } }
    exhausted: bye
  bye: { hangup: [bye] }
`;

let root: string;
let flowsDir: string;
let server: RunningServer;
let api: ReturnType<typeof request>;
const logged: string[] = [];
const auth = { Authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tt-hostile-api-'));
  flowsDir = join(root, 'flows');
  mkdirSync(flowsDir);
  writeFileSync(join(flowsDir, 'demo.yaml'), FLOW);
  // Files a path trick would aim at: beside the flows folder.
  writeFileSync(join(root, 'secret.yaml'), `flow: secret\n# ${SECRET_TEXT}\n`);
  writeFileSync(join(root, 'secret'), SECRET_TEXT);
  const { config, diagnostics } = loadConfig({
    cwd: root,
    env: { TOUCHTONE_FLOWS_DIR: flowsDir, TOUCHTONE_HTTP_PORT: '0', TOUCHTONE_STORE_PATH: ':memory:', TOUCHTONE_TOKEN: TOKEN, TOUCHTONE_SHUTDOWN_GRACE_MS: '0' },
  });
  expect(diagnostics).toEqual([]);
  const log = (level: string) => (obj: object, msg?: string) => void logged.push(`${level} ${msg ?? ''} ${JSON.stringify(obj)}`);
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  server = await startServer({ config: config!, logger, watch: false });
  api = request(server.url.replace(/\/$/, ''));
});

afterAll(async () => {
  await server.shutdown('test');
  rmSync(root, { recursive: true, force: true });
});

describe('admin API under hostile requests', () => {
  it('no token and a wrong token: 401 on every mutating route, nothing changed', async () => {
    for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: `Bearer ${TOKEN} ` + 'x' }, { Authorization: `Basic ${Buffer.from(`a:${TOKEN}`).toString('base64')}` }, { Authorization: TOKEN }]) {
      const res = await api.post('/api/flows/demo/publish').set(headers).send({ source: FLOW.replace('Hello.', 'Owned.') });
      expect([401, 429], JSON.stringify(headers)).toContain(res.status);
    }
    const current = await api.get('/api/flows/demo').set(auth);
    expect(JSON.stringify(current.body)).not.toContain('Owned');
  });

  it('oversized bodies: 413, with no body echoed back', async () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    for (const path of ['/api/flows/validate', '/api/flows/demo/publish', '/api/phone/calls', '/api/hours/overrides']) {
      const res = await api.post(path).set(auth).set('Content-Type', 'application/json').send(JSON.stringify({ source: huge }));
      expect(res.status, path).toBe(413);
      expect(res.text.length, path).toBeLessThan(2000);
    }
  });

  it('malformed JSON and wrong content types: 400 or 415, never 500', async () => {
    const bodies = ['{"source":', '{"source": "x"}}', '\u0000\u0001', '[]', 'null', '"just a string"', '{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {"x": 1}}}'];
    for (const path of ['/api/flows/validate', '/api/flows/demo/publish', '/api/flows/demo/rollback', '/api/phone/calls', '/api/hours/overrides']) {
      for (const body of bodies) {
        const res = await api.post(path).set(auth).set('Content-Type', 'application/json').send(body);
        expect([400, 422], `${path} ${JSON.stringify(body)} → ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
      }
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
        const res = await api.post(path).set(auth).set('Content-Type', type).send('source=flow%3A+x');
        expect([400, 415], `${path} as ${type} → ${res.status}`).toContain(res.status);
      }
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('a charset or content encoding the server cannot read: 415 or 400 with a code, not 500, and no error logged', async () => {
    const before = logged.filter((l) => l.startsWith('error')).length;
    const cases: [string, Record<string, string>, number, string][] = [
      ['get /api/flows', { 'Content-Type': 'application/json; charset=foo' }, 415, 'body-encoding-unsupported'],
      ['post /api/flows/validate', { 'Content-Type': 'application/json; charset=latin1', ...auth }, 415, 'body-encoding-unsupported'],
      ['post /api/flows/validate', { 'Content-Type': 'application/json', 'Content-Encoding': 'br', ...auth }, 400, 'body-unreadable'],
      ['post /api/flows/validate', { 'Content-Type': 'application/json', 'Content-Encoding': 'compress', ...auth }, 415, 'body-encoding-unsupported'],
      ['post /api/flows/validate', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', ...auth }, 400, 'body-unreadable'],
    ];
    for (const [route, headers, status, code] of cases) {
      const [method, path] = route.split(' ') as ['get' | 'post', string];
      const res = await api[method](path).set(headers).send('{"source": "flow: x"}');
      expect(res.status, route).toBe(status);
      expect(res.body.error, route).toMatchObject({ code, hint: expect.any(String) });
      expect(res.text, route).not.toContain('flow: x');
    }
    expect(logged.filter((l) => l.startsWith('error')).length).toBe(before);
  });

  it('path tricks: nothing outside the flows folder is read, written or named', async () => {
    const names = ['..%2fsecret', '..%2F..%2Fsecret', '%2e%2e%2fsecret', '..%5csecret', '....%2f%2fsecret', 'demo%00.yaml', '%2fetc%2fpasswd', 'secret', '..', '.', 'demo.yaml', 'demo%2f..%2f..%2fsecret', 'x'.repeat(5000)];
    for (const name of names) {
      for (const [method, path] of [['get', `/api/flows/${name}`], ['get', `/api/flows/${name}/graph`], ['post', `/api/flows/${name}/publish`], ['post', `/api/flows/${name}/rollback`]] as const) {
        const res = await (method === 'get' ? api.get(path) : api.post(path).send({ source: FLOW.replace('flow: demo', 'flow: evil'), version: '1' })).set(auth);
        expect(res.text, `${method} ${path}`).not.toContain(SECRET_TEXT);
        expect([400, 404, 409, 414, 422, 431], `${method} ${path} → ${res.status}`).toContain(res.status);
      }
    }
    for (const raw of ['/api/flows/../../secret', '/api/../secret', '/api/flows/%2e%2e/%2e%2e/secret', '//api/flows/demo', '/api/flows/demo/../../../secret']) {
      const res = await api.get(raw).set(auth);
      expect(res.text, raw).not.toContain(SECRET_TEXT);
      expect(res.status, raw).not.toBe(500);
    }
    // Nothing was written anywhere but where it belongs.
    expect(readdirSync(root).sort()).toEqual(['flows', 'secret', 'secret.yaml']);
    expect(readdirSync(flowsDir).filter((f) => !f.startsWith('.'))).toEqual(['demo.yaml']);
    expect(existsSync(join(root, 'evil.yaml'))).toBe(false);
  });

  it('browser phone: hostile digits and ids are refused; keys after hangup do nothing', async () => {
    const created = await api.post('/api/phone/calls').set(auth).send({ flow: 'demo' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (const digits of ['1; rm -rf /', '${x}', '\r\n', 'x'.repeat(10_240), '1&2', '']) {
      const res = await api.post(`/api/phone/calls/${id}/keys`).set(auth).send({ digits });
      expect([400, 413], JSON.stringify(digits.slice(0, 20))).toContain(res.status);
    }
    for (const bad of ['..%2f..%2fsecret', 'x'.repeat(3000), '%00']) {
      const res = await api.post(`/api/phone/calls/${bad}/keys`).set(auth).send({ digits: '1' });
      expect([400, 404, 414, 431], bad.slice(0, 20)).toContain(res.status);
    }
    expect((await api.post(`/api/phone/calls/${id}/hangup`).set(auth).send({})).status).toBeLessThan(300);
    const after = await api.post(`/api/phone/calls/${id}/keys`).set(auth).send({ digits: '1' });
    expect([404, 409, 410, 202], `keys after hangup → ${after.status}`).toContain(after.status);
    expect(after.status).not.toBe(500);
  });

  it('the log holds no token, no body and no secret file, and no line floods it', () => {
    const all = logged.join('\n');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(SECRET_TEXT);
    expect(all).not.toContain('Owned.');
    expect(all).not.toContain('rm -rf');
    // Request paths are logged as sent; Node's 16 KB header limit bounds them, so no line can flood the log.
    expect(Math.max(...logged.map((l) => l.length))).toBeLessThan(20_000);
    // It does log the refusals, so an operator can see the attack.
    expect(logged.some((l) => / 401/.test(l) || l.includes('"status":401'))).toBe(true);
  });
});
