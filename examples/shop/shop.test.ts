/**
 * The shop example against its real data: prices.csv, the fake order API over HTTP on 127.0.0.1, hours overrides
 * and voicemail in a store. (shop.test.yaml covers every path with fakes.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { VirtualClock } from '../../src/runtime/clock.js';
import { createDataSourceFactory } from '../../src/data/index.js';
import { createHoursService } from '../../src/data/hours.js';
import { openStore, type Store } from '../../src/store/index.js';
import { simulateCall } from '../../src/testing/simulate-call.js';
import { startFakeOrderServer, type FakeOrderServer } from './fake-order-server.js';

const flow = fileURLToPath(new URL('./shop.yaml', import.meta.url));
let api: FakeOrderServer;
const stores: Store[] = [];

beforeAll(async () => {
  api = await startFakeOrderServer();
});
afterAll(() => api.close());
afterEach(async () => {
  api.failWith(undefined);
  for (const s of stores.splice(0)) await s.close();
});

function world(now: string) {
  const clock = new VirtualClock(Date.parse(now));
  const store = openStore({ path: ':memory:', clock });
  stores.push(store);
  const services = {
    data: createDataSourceFactory({ store, clock, env: { TOUCHTONE_ORDERS_URL: api.url } }),
    hours: createHoursService(store.hoursOverrides),
    records: store.records,
  };
  const call = () => simulateCall(flow, { clock, services, queues: { staff: 'none' }, caller: '+498912345' });
  return { clock, store, call };
}

/** Lets real I/O (the HTTP request) finish, one event-loop turn at a time, until the call leaves `step`. */
async function leave(call: Awaited<ReturnType<ReturnType<typeof world>['call']>>, step: string): Promise<void> {
  for (let turn = 0; turn < 100_000 && call.step === step; turn++) await new Promise((r) => setImmediate(r));
}

describe('shop example with its real data', () => {
  it('reads prices from prices.csv', async () => {
    const { call } = world('2026-12-07T10:00:00+01:00');
    const c = await call();
    await c.press('2');
    await c.press('1003');
    await leave(c, 'find-product'); // reading the file is real I/O; let it finish before virtual time moves on
    await c.reachStep('main');
    expect(c.heard().join(' ')).toContain('Cable tie costs 5 cents');
  });

  it('asks the order API over HTTP and speaks the delivery date', async () => {
    const { call } = world('2026-12-07T10:00:00+01:00');
    const c = await call();
    await c.press('3');
    await c.press('100200');
    await leave(c, 'find-order');
    await c.reachStep('main');
    expect(api.requests).toContain('/orders/100200');
    expect(c.heard().join(' ')).toContain('Your order has been shipped and should arrive on Wednesday December 9th');
  });

  it('sends the caller to voicemail when the order API fails and no staff is there', async () => {
    const { call, store } = world('2026-12-07T10:00:00+01:00');
    api.failWith(503);
    const c = await call();
    await c.press('3');
    await c.press('100201');
    for (let i = 0; i < 3 && c.step === 'find-order'; i++) {
      await leave(c, 'find-order');
      await c.wait(200); // the retry's backoff runs on the virtual clock
    }
    await c.reachStep('voicemail');
    await c.expectOutcome({ kind: 'completed', step: 'goodbye' });
    await store.flush();
    expect(store.recordings.list({ purpose: 'voicemail' })).toHaveLength(1);
  });

  it('follows an admin override from the store: closed today because of a storm', async () => {
    const { call, store } = world('2026-12-07T10:00:00+01:00');
    store.hoursOverrides.set({ hours: 'shop', state: 'closed', reason: 'storm', until: Date.parse('2026-12-08T00:00:00+01:00'), setAt: 0 });
    const c = await call();
    await c.expectPrompt('leave-message');
    expect(c.heard().join(' ')).toContain('We are closed today. We open again tomorrow at 9 AM');
    await c.expectOutcome({ kind: 'completed', step: 'goodbye' });
  });

  it('feeds the store stats from real traces: attempts, invalid and timeout rates of the menu', async () => {
    const { call, store } = world('2026-12-07T10:00:00+01:00');
    const c = await call();
    await c.reachStep('main');
    await c.expectPrompt('please-choose'); // no input until the timeout
    await c.press('7'); // not an option
    await c.press('1'); // opening hours, back to the menu
    await c.reachStep('main');
    await c.hangup();
    await store.flush();
    const [shop] = store.stats();
    expect(shop!.outcomes).toEqual({ hungup: 1 });
    expect(shop!.dropOff).toEqual([{ step: 'main', calls: 1 }]);
    expect(shop!.menus.find((m) => m.step === 'main')).toMatchObject({ kind: 'menu', attempts: 3, timeouts: 1, invalid: 1, timeoutRate: 0.333, invalidRate: 0.333 });
  });
});
