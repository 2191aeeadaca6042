/**
 * Fault: a lookup backend that is slow, down, or answers garbage. Each call takes the lookup's `error` branch
 * within its timeout (1 s here), on the real clock, through the real engine and the real HTTP data source against
 * a misbehaving server on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createDataSourceFactory } from '../../src/data/index.js';
import type { FlowDoc } from '../../src/flow/types.js';
import { systemClock } from '../../src/runtime/clock.js';
import { Engine } from '../../src/runtime/engine.js';
import { createInMemoryServices } from '../../src/runtime/in-memory-services.js';
import { SimulatedPhone } from '../../src/telephony/simulator/simulated-phone.js';
import { loadCompiledFlow } from '../../src/testing/load-flow.js';

const TIMEOUT_MS = 1000;
/** Scheduling slack on a busy CI machine; the point is "within the timeout", not "instantly". */
const SLACK_MS = 400;

const FLOW: FlowDoc = {
  flow: 'lookup-faults',
  language: 'en',
  start: 'pick',
  prompts: { found: { text: 'Found.' }, missing: { text: 'Not found.' }, sorry: { text: 'Sorry, a technical problem.' } },
  data: { orders: { http: { url: 'orders/${key}', retries: 0 }, timeout: '1s' } },
  variables: { code: '' },
  steps: {
    pick: { set: { code: { expr: 'call.dialled' } }, next: 'find' },
    find: { lookup: { source: 'orders', key: '${code}', into: 'order' }, found: 'found', notFound: 'missing', error: 'sorry' },
    found: { hangup: ['found'] },
    missing: { hangup: ['missing'] },
    sorry: { hangup: ['sorry'] },
  },
} as unknown as FlowDoc;

const open = new Set<ServerResponse>();
let server: Server;
let base: string;
let downUrl: string;

/** One misbehaviour per path. */
function misbehave(path: string, res: ServerResponse): void {
  switch (path) {
    case '/orders/good':
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"shipped"}');
    case '/orders/slow':
      open.add(res); // never answers
      return;
    case '/orders/slow-body': // headers at once, then the body trickles and never ends
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":');
      open.add(res);
      return;
    case '/orders/bad-json':
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status": shipped,');
    case '/orders/not-an-object':
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('[1,2,3]');
    case '/orders/html':
      return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
    case '/orders/huge':
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ blob: 'x'.repeat(5_000_000) }));
    case '/orders/endless': {
      res.writeHead(200, { 'content-type': 'application/json' });
      open.add(res);
      const chunk = 'x'.repeat(64 * 1024);
      const pump = (): void => {
        if (res.destroyed || !open.has(res)) return;
        while (res.write(chunk)) if (res.writableLength > 1 << 20) break;
        res.once('drain', pump);
      };
      pump();
      return;
    }
    case '/orders/500':
      return void res.writeHead(500).end('Internal Server Error');
    default:
      return void res.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    misbehave(req.url ?? '', res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port that was just free: connection refused.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  downUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  for (const res of open) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** One call whose dialled number picks the misbehaviour; returns the step it ended at and how long it took. */
async function callWith(path: string, baseUrl = base): Promise<{ step: string; ms: number; lookup: string | undefined }> {
  const services = {
    ...createInMemoryServices({ clock: systemClock }),
    data: createDataSourceFactory({ clock: systemClock, http: { orders: { baseUrl } } }),
  };
  const engine = new Engine(services);
  engine.publish(await loadCompiledFlow(FLOW));
  const phone = new SimulatedPhone(systemClock, { dialled: path, caller: '5551234' });
  let branchAt = NaN;
  // Time to the branch, not to the end of the call (its goodbye prompt plays after).
  engine.onStep((_s, step) => {
    if (step !== 'found' && step !== 'missing' && step !== 'sorry') return;
    branchAt = performance.now();
    queueMicrotask(() => phone.hangupByCaller());
  });
  const started = performance.now();
  const session = engine.startCall(phone);
  const outcome = await session.done;
  const lookup = session.trace.find((e) => e.type === 'lookup') as { result?: string } | undefined;
  return { step: outcome.kind === 'hungup' ? (outcome.step ?? session.step) : session.step, ms: branchAt - started, lookup: lookup?.result };
}

describe('a lookup backend that misbehaves', () => {
  it('answers well: the found branch (the rig works)', async () => {
    expect((await callWith('good')).step).toBe('found');
  });

  const faults: Array<[string, string, string?]> = [
    ['slow: never answers', 'slow'],
    ['slow: headers, then a body that never ends', 'slow-body'],
    ['down: connection refused', 'down', 'down'],
    ['garbage: broken JSON', 'bad-json'],
    ['garbage: JSON that is not a record', 'not-an-object'],
    ['wrong content type: an HTML error page with 200', 'html'],
    ['huge body: 5 MB of JSON', 'huge'],
    ['huge body: an endless stream', 'endless'],
    ['a 500 with retries off', '500'],
  ];
  for (const [name, path, target] of faults) {
    it(`${name}: the error branch within the timeout`, async () => {
      const result = await callWith(path, target === 'down' ? downUrl : base);
      expect(result.step).toBe('sorry');
      expect(result.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      process.stdout.write(`lookup fault ${path}: error branch (${result.lookup}) after ${result.ms.toFixed(0)} ms\n`);
    });
  }
});
