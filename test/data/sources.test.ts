import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock, settle } from '../../src/runtime/clock.js';
import { createDataSourceFactory, parseCsv, readJsonPath } from '../../src/data/index.js';
import type { DataSourceDef } from '../../src/flow/types.js';
import type { LookupResult, Logger } from '../../src/runtime/services.js';
import { openStore } from '../../src/store/index.js';

let dir: string;
let server: Server;
let base: string;
const requests: { url: string; auth?: string; body: string }[] = [];
let hang = false;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'touchtone-data-'));
  writeFileSync(join(dir, 'prices.csv'), 'code,name,price\n1234,"Desk lamp, brass",42.50\n5678,Chair,"199"\n');
  writeFileSync(join(dir, 'branches.yaml'), 'berlin: { street: Unter den Linden 1 }\nparis: { street: Rue de Rivoli 2 }\n');
  writeFileSync(join(dir, 'list.json'), JSON.stringify([{ id: 7, name: 'seven' }]));
  writeFileSync(
    join(dir, 'bank.sql'),
    "CREATE TABLE accounts (number TEXT PRIMARY KEY, pin TEXT, balance REAL, owner TEXT);\nINSERT INTO accounts VALUES ('123456', '4321', 42.5, 'Ada');\n",
  );
  writeFileSync(
    join(dir, 'core-bank.mjs'),
    "export const verifiesSecrets = true;\nexport const seen = [];\nexport async function lookup(key, { verify }) { seen.push(verify ? Object.keys(verify).join() : 'none'); return key === '42' && verify?.pin === '9999' ? { owner: 'Ada' } : undefined; }\n",
  );
  writeFileSync(join(dir, 'orders.mjs'), "export async function lookup(key) { return key === '1' ? { status: 'shipped' } : undefined; }\nexport const notFn = 1;\n");
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), body });
      if (hang) return; // never answers
      const url = req.url ?? '';
      if (url.startsWith('/orders/42')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ order: { status: 'shipped', items: [{ name: 'Lamp' }] } }));
      if (url.startsWith('/orders/404')) return void res.writeHead(404).end();
      if (url.startsWith('/orders/500')) return void res.writeHead(500).end('oops');
      if (url.startsWith('/orders/html')) return void res.writeHead(200).end('<html>');
      if (url.startsWith('/orders/huge')) return void res.writeHead(200).end(JSON.stringify({ blob: 'x'.repeat(1_100_000) }));
      if (url.startsWith('/orders/typed-html')) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('{"status":"shipped"}');
      if (url.startsWith('/orders/endless')) {
        // Chunked, no content-length, never ends: only a bounded reader gets out before the lookup timeout.
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = '"' + 'x'.repeat(64 * 1024) + '",';
        res.write('[');
        const pump = () => { while (res.write(chunk)); };
        res.on('drain', pump);
        pump();
        return;
      }
      if (url.startsWith('/echo')) return void res.writeHead(200).end(JSON.stringify({ url, body }));
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function capture() {
  const lines: string[] = [];
  const log = (obj: object, msg?: string) => void lines.push(JSON.stringify(obj) + (msg ?? ''));
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  return { logger, lines };
}

const signal = () => new AbortController().signal;

/** Waits (by event-loop turns, not by time) until the fake server has seen `n` requests. */
async function untilRequests(n: number): Promise<void> {
  for (let turn = 0; turn < 100_000 && requests.length < n; turn++) await new Promise((r) => setImmediate(r));
}

function setup(clock = new VirtualClock(Date.parse('2026-12-07T10:00:00Z'))) {
  const { logger, lines } = capture();
  const factory = createDataSourceFactory({ clock, logger, env: { SHOP_TOKEN: 's3cret', SHOP_URL: base } });
  const lookup = (name: string, def: DataSourceDef, key: string, extra: { verify?: Record<string, string>; callId?: string } = {}) =>
    factory.create(name, def, dir).lookup({ key, signal: signal(), callId: extra.callId ?? 'call-1', ...(extra.verify ? { verify: extra.verify } : {}) });
  return { factory, lookup, clock, lines };
}

describe('data: files', () => {
  it('finds rows in CSV, YAML maps and JSON lists', async () => {
    const { lookup } = setup();
    expect(await lookup('prices', { file: { path: 'prices.csv', key: 'code' } }, '1234')).toEqual({
      status: 'found',
      record: { code: '1234', name: 'Desk lamp, brass', price: '42.50' },
    });
    expect(await lookup('prices', { file: { path: 'prices.csv', key: 'code' } }, '0000')).toEqual({ status: 'notFound' });
    expect(await lookup('branches', { file: { path: 'branches.yaml', key: 'city' } }, 'paris')).toEqual({
      status: 'found',
      record: { city: 'paris', street: 'Rue de Rivoli 2' },
    });
    expect((await lookup('list', { file: { path: 'list.json', key: 'id' } }, '7')).status).toBe('found');
  });

  it('refuses a table file too large to read whole, and names SQLite instead', async () => {
    const { lookup } = setup();
    writeFileSync(join(dir, 'huge.csv'), 'code,price\n' + '1,1.00\n'.repeat(1_300_000));
    const result = await lookup('huge', { file: { path: 'huge.csv', key: 'code' } }, '1');
    expect(result).toMatchObject({ status: 'error', code: 'file-too-large' });
    expect((result as { message: string }).message).toMatch(/use a `sqlite` source/);
  });

  it('reloads a file when it changes', async () => {
    const { lookup, clock } = setup();
    const path = join(dir, 'reload.csv');
    writeFileSync(path, 'code,price\n1,1.00\n');
    utimesSync(path, new Date(1_000_000), new Date(1_000_000));
    const def: DataSourceDef = { file: { path: 'reload.csv', key: 'code' } };
    expect(await lookup('r', def, '1')).toMatchObject({ record: { price: '1.00' } });
    writeFileSync(path, 'code,price\n1,2.00\n');
    utimesSync(path, new Date(2_000_000), new Date(2_000_000));
    expect(await lookup('r', def, '1')).toMatchObject({ record: { price: '1.00' } }); // checked at most once a second
    await clock.advance(1000);
    expect(await lookup('r', def, '1')).toMatchObject({ record: { price: '2.00' } });
  });

  it('turns a missing or unknown file into an error value', async () => {
    const { lookup } = setup();
    expect(await lookup('m', { file: { path: 'missing.csv', key: 'code' } }, '1')).toMatchObject({ status: 'error', code: 'file-missing' });
    writeFileSync(join(dir, 'table.txt'), 'x');
    expect(await lookup('t', { file: { path: 'table.txt', key: 'code' } }, '1')).toMatchObject({ status: 'error', code: 'file-bad-type' });
  });

  it('parses quoted CSV and reads JSON paths', () => {
    expect(parseCsv('a,b\r\n"x ""y""",\r\n')).toEqual([{ a: 'x "y"', b: '' }]);
    expect(readJsonPath({ a: { b: [{ c: 1 }, { c: 2 }] } }, '$.a.b[-1].c')).toBe(2);
    expect(readJsonPath({ a: [1] }, 'a.0')).toBe(1);
    expect(readJsonPath({ a: 1 }, 'a.b.c')).toBeUndefined();
    expect(readJsonPath({ a: 1 }, 'a b')).toBeUndefined();
  });
});

describe('data: SQLite', () => {
  it('builds the database from its .sql seed and looks up by bound parameter', async () => {
    const { lookup } = setup();
    const def: DataSourceDef = { sqlite: { file: 'bank.db', table: 'accounts', key: 'number' } };
    expect(await lookup('accounts', def, '123456')).toMatchObject({ status: 'found', record: { balance: 42.5, owner: 'Ada' } });
    expect(await lookup('accounts', def, "123456' OR '1'='1")).toEqual({ status: 'notFound' });
  });

  it('runs a named read-only query and refuses one that writes', async () => {
    const { lookup } = setup();
    const query: DataSourceDef = { sqlite: { file: 'bank.db', query: 'SELECT owner FROM accounts WHERE number = :key' } };
    expect(await lookup('q', query, '123456')).toEqual({ status: 'found', record: { owner: 'Ada' } });
    const writes: DataSourceDef = { sqlite: { file: 'bank.db', query: "UPDATE accounts SET owner = 'x' WHERE number = ?" } };
    expect(await lookup('w', writes, '123456')).toMatchObject({ status: 'error', code: 'sqlite-query-not-readonly' });
    const badName: DataSourceDef = { sqlite: { file: 'bank.db', table: 'accounts; DROP TABLE x', key: 'number' } };
    expect(await lookup('b', badName, '1')).toMatchObject({ status: 'error', code: 'sqlite-bad-name' });
    expect(await lookup('n', { sqlite: { file: 'nope.db', table: 't' } }, '1')).toMatchObject({ status: 'error', code: 'sqlite-open-failed' });
  });
});

describe('data: shared sources', () => {
  it('keeps one database open while any holder has the source, and closes it when the last one lets go', async () => {
    const { factory } = setup();
    writeFileSync(join(dir, 'shared.sql'), "CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT);\nINSERT INTO t VALUES ('1', 'one');\n");
    const def: DataSourceDef = { sqlite: { file: 'shared.db', table: 't', key: 'id' } };
    const ask = (source: { lookup: (r: { key: string; signal: AbortSignal; callId: string }) => Promise<LookupResult> }) => source.lookup({ key: '1', signal: signal(), callId: 'c' });
    const a = factory.create('shared', def, dir);
    const b = factory.create('shared', def, dir);
    expect(await ask(a)).toMatchObject({ status: 'found' });
    a.close?.();
    a.close?.(); // twice is harmless: b still holds it
    expect(await ask(b)).toMatchObject({ status: 'found' });
    expect(await ask(a)).toMatchObject({ status: 'error', code: 'source-closed' });
    b.close?.();
    // Closed for good: a new holder opens the file again, and finds it gone (an open connection would still read it).
    rmSync(join(dir, 'shared.db'));
    rmSync(join(dir, 'shared.sql'));
    expect(await ask(factory.create('shared', def, dir))).toMatchObject({ status: 'error', code: 'sqlite-open-failed' });
  });
});

describe('data: secrets and lockouts', () => {
  const def: DataSourceDef = { sqlite: { file: 'bank.db', table: 'accounts', key: 'number' } };

  it('verifies a PIN without returning it and without logging it', async () => {
    const { lookup, lines } = setup();
    const ok = await lookup('accounts', def, '123456', { verify: { pin: '4321' } });
    expect(ok).toEqual({ status: 'found', record: { number: '123456', balance: 42.5, owner: 'Ada' } });
    expect(await lookup('accounts', def, '123456', { verify: { pin: '0000' }, callId: 'c2' })).toEqual({ status: 'notFound' });
    expect(lines.join('\n')).not.toMatch(/4321|0000/);
  });

  it('answers the same for an unknown account and a wrong PIN, and locks both after 3 failures', async () => {
    const clock = new VirtualClock(Date.parse('2026-12-07T10:00:00Z'));
    const store = openStore({ path: ':memory:', clock });
    const factory = createDataSourceFactory({ clock, store });
    const source = factory.create('accounts', def, dir);
    const attempt = (key: string, pin: string, callId: string) => source.lookup({ key, verify: { pin }, callId, signal: signal() });
    const results: LookupResult[] = [];
    for (const [i, key] of ['123456', '999999'].entries()) {
      for (let n = 0; n < 3; n++) results.push(await attempt(key, '0000', `call-${i}-${n}`));
      results.push(await attempt(key, key === '123456' ? '4321' : '0000', `call-${i}-x`));
    }
    expect(results.map((r) => r.status)).toEqual(['notFound', 'notFound', 'notFound', 'locked', 'notFound', 'notFound', 'notFound', 'locked']);
    // The first lock lasts 5 minutes; the next one twice as long.
    await clock.advance(5 * 60_000);
    expect((await attempt('123456', '4321', 'later')).status).toBe('found');
    for (let n = 0; n < 3; n++) await attempt('123456', '1111', `again-${n}`);
    await clock.advance(5 * 60_000);
    expect((await attempt('123456', '4321', 'still')).status).toBe('locked');
    await clock.advance(5 * 60_000);
    expect((await attempt('123456', '4321', 'free')).status).toBe('found');
    await store.close();
  });

  it('limits secret checks per call', async () => {
    const { lookup } = setup();
    const statuses = [];
    for (let n = 0; n < 4; n++) statuses.push((await lookup('accounts2', def, '123456', { verify: { pin: n < 2 ? '1' : '4321' }, callId: 'same' })).status);
    expect(statuses).toEqual(['notFound', 'notFound', 'found', 'locked']);
  });
});

describe('data: HTTP', () => {
  it('maps a JSON answer, encodes the key and sends headers from the environment', async () => {
    const { lookup } = setup();
    const def: DataSourceDef = {
      http: { url: '${env.SHOP_URL}/orders/${key}', headers: { authorization: 'Bearer ${env.SHOP_TOKEN}' }, map: { status: 'order.status', first: 'order.items[0].name' } },
    };
    expect(await lookup('orders', def, '42')).toEqual({ status: 'found', record: { status: 'shipped', first: 'Lamp' } });
    expect(requests.at(-1)).toMatchObject({ url: '/orders/42', auth: 'Bearer s3cret' });
    await lookup('orders', def, '42/../../admin?x=1');
    expect(requests.at(-1)!.url).toBe('/orders/42%2F..%2F..%2Fadmin%3Fx%3D1');
  });

  it('takes the base URL and secret headers from the config or the environment, not the flow', async () => {
    const clock = new VirtualClock(0);
    const def: DataSourceDef = { http: { url: 'orders/${key}', map: { status: 'order.status' } } };
    const fromEnv = createDataSourceFactory({ clock, env: { TOUCHTONE_ORDERS_URL: base + '/' } }).create('orders', def, dir);
    expect(await fromEnv.lookup({ key: '42', signal: signal(), callId: 'c' })).toEqual({ status: 'found', record: { status: 'shipped' } });
    const fromConfig = createDataSourceFactory({ clock, http: { orders: { baseUrl: base, headers: { authorization: 'Bearer cfg' } } } }).create('orders', def, dir);
    await fromConfig.lookup({ key: '42', signal: signal(), callId: 'c' });
    expect(requests.at(-1)).toMatchObject({ url: '/orders/42', auth: 'Bearer cfg' });
    const none = createDataSourceFactory({ clock }).create('orders', def, dir);
    expect(await none.lookup({ key: '42', signal: signal(), callId: 'c' })).toMatchObject({ status: 'error', code: 'http-no-base-url' });
  });

  it('sends a POST body with the key as JSON string content', async () => {
    const { lookup } = setup();
    const def: DataSourceDef = { http: { url: `${base}/echo`, method: 'POST', body: '{"code":"${key}"}' } };
    const result = await lookup('echo', def, 'a"b');
    expect(result).toMatchObject({ status: 'found', record: { body: '{"code":"a\\"b"}' } });
  });

  it('maps 404 to notFound and other failures to error values', async () => {
    const { lookup } = setup();
    const def: DataSourceDef = { http: { url: `${base}/orders/\${key}`, retries: 0 } };
    expect(await lookup('o', def, '404')).toEqual({ status: 'notFound' });
    expect(await lookup('o', def, '500')).toMatchObject({ status: 'error', code: 'http-status' });
    expect(await lookup('o', def, 'html')).toMatchObject({ status: 'error', code: 'http-bad-body' });
    expect(await lookup('o', def, 'huge')).toMatchObject({ status: 'error', code: 'http-bad-body', message: expect.stringContaining('more than') });
    expect(await lookup('x', { http: { url: 'http://127.0.0.1:1/x', retries: 0 } }, '1')).toMatchObject({ status: 'error', code: 'http-network' });
    expect(await lookup('e', { http: { url: '${env.NOPE}/x' } }, '1')).toMatchObject({ status: 'error', code: 'http-missing-env' });
  });

  it('refuses a body of another declared type, and stops reading a body past the limit without waiting for its end', async () => {
    const { lookup } = setup();
    const def: DataSourceDef = { http: { url: `${base}/orders/\${key}`, retries: 0 } };
    expect(await lookup('o', def, 'typed-html')).toMatchObject({ status: 'error', code: 'http-bad-body', message: expect.stringContaining('`text/html`, not JSON') });
    expect(await lookup('o', def, 'endless')).toMatchObject({ status: 'error', code: 'http-bad-body', message: expect.stringContaining('more than 1000000 bytes') });
  });

  it('retries a 5xx with backoff on the clock', async () => {
    const { lookup, clock } = setup();
    const before = requests.length;
    const pending = lookup('r', { http: { url: `${base}/orders/500`, retries: 2 }, timeout: '10s' }, '1');
    for (let attempt = 1; attempt <= 3; attempt++) {
      await untilRequests(before + attempt);
      await clock.advance(100 * 2 ** (attempt - 1));
    }
    expect(await pending).toMatchObject({ status: 'error', code: 'http-status' });
    expect(requests.length - before).toBe(3);
  });

  it('times out on the virtual clock and then opens the circuit', async () => {
    const { factory, clock } = setup();
    hang = true;
    try {
      const source = factory.create('slow', { http: { url: `${base}/orders/\${key}`, retries: 0 }, timeout: '2s' }, dir);
      const results: LookupResult[] = [];
      for (let i = 0; i < 5; i++) {
        const pending = source.lookup({ key: '42', signal: signal(), callId: 'c' });
        await settle();
        await clock.advance(2000);
        results.push(await pending);
      }
      expect(results.every((r) => r.status === 'error' && r.code === 'timeout')).toBe(true);
      expect(await source.lookup({ key: '42', signal: signal(), callId: 'c' })).toMatchObject({ status: 'error', code: 'circuit-open' });
      hang = false;
      await clock.advance(30_000);
      expect(await source.lookup({ key: '42', signal: signal(), callId: 'c' })).toMatchObject({ status: 'found' });
    } finally {
      hang = false;
    }
  });

  it('stops when the call leaves the step', async () => {
    const { factory } = setup();
    hang = true;
    try {
      const controller = new AbortController();
      const pending = factory.create('slow2', { http: { url: `${base}/orders/1` } }, dir).lookup({ key: '1', signal: controller.signal, callId: 'c' });
      controller.abort();
      expect(await pending).toMatchObject({ status: 'error', code: 'aborted' });
    } finally {
      hang = false;
    }
  });
});

describe('data: modules and caching', () => {
  it('calls a developer function', async () => {
    const { lookup } = setup();
    expect(await lookup('m', { module: { path: 'orders.mjs' } }, '1')).toEqual({ status: 'found', record: { status: 'shipped' } });
    expect(await lookup('m', { module: { path: 'orders.mjs' } }, '2')).toEqual({ status: 'notFound' });
    expect(await lookup('m2', { module: { path: 'orders.mjs', export: 'notFn' } }, '1')).toMatchObject({ status: 'error', code: 'module-no-function' });
  });

  it('lets a module check the PIN itself, with lockouts still applied', async () => {
    const { factory } = setup();
    const source = factory.create('core', { module: { path: 'core-bank.mjs' }, cacheTtl: '1m' }, dir);
    const check = (pin: string, callId: string) => source.lookup({ key: '42', verify: { pin }, callId, signal: signal() });
    expect(await check('9999', 'a')).toEqual({ status: 'found', record: { owner: 'Ada' } });
    expect(await check('9999', 'b')).toEqual({ status: 'found', record: { owner: 'Ada' } }); // not served from the cache
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await check('0000', `x${i}`)).status);
    expect(results).toEqual(['notFound', 'notFound', 'notFound', 'locked']);
    const mod = (await import(join(dir, 'core-bank.mjs'))) as { seen: string[] };
    expect(mod.seen).toEqual(['pin', 'pin', 'pin', 'pin', 'pin']);
  });

  it('caches results for the TTL', async () => {
    const { lookup, clock } = setup();
    const def: DataSourceDef = { http: { url: `${base}/echo/\${key}` }, cacheTtl: '1m' };
    const before = requests.length;
    await lookup('c', def, 'k');
    await lookup('c', def, 'k');
    expect(requests.length - before).toBe(1);
    await clock.advance(60_000);
    await lookup('c', def, 'k');
    expect(requests.length - before).toBe(2);
  });
});
