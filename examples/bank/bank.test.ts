/**
 * The bank example against its real demo data: bank.db built from bank.sql, PIN checks and lockouts kept in a
 * store, and the trace written to it with the PIN masked. (bank.test.yaml covers every path with fake tables.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { VirtualClock } from '../../src/runtime/clock.js';
import { createDataSourceFactory } from '../../src/data/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { simulateCall } from '../../src/testing/simulate-call.js';

const flow = fileURLToPath(new URL('./bank.yaml', import.meta.url));
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function world() {
  const clock = new VirtualClock(Date.parse('2026-12-07T10:00:00+01:00'));
  const store = openStore({ path: ':memory:', clock });
  stores.push(store);
  const data = createDataSourceFactory({ store, clock });
  const call = () => simulateCall(flow, { clock, services: { data, records: store.records }, queues: { support: 'free' }, caller: '+4930123456' });
  return { clock, store, call };
}

describe('bank example with its SQLite demo data', () => {
  it('speaks the balance and the last transactions from bank.db', async () => {
    const { call } = world();
    const c = await call();
    await c.press('12345678#');
    await c.press('1234');
    await c.reachStep('account-menu');
    await c.press('1');
    await c.reachStep('account-menu');
    expect(c.heard().join(' ')).toContain('Your balance is 1042 euros and 50 cents');
    await c.press('2');
    await c.expectPrompt('before-that');
    expect(c.heard().join(' ')).toContain('Your last transactions: on Saturday December 5th minus 12 euros and 40 cents and before that, on Thursday December 3rd 2500 euros');
    expect(c.vars.acct).not.toHaveProperty('pin');
  });

  it('locks the account after three wrong PINs, across calls, and keeps the PIN out of the records', async () => {
    const { call, store, clock } = world();
    for (let attempt = 0; attempt < 3; attempt++) {
      const c = await call();
      await c.press('87654321#');
      await c.press('1111');
      await c.expectPrompt('not-recognised');
      await c.hangup();
    }
    const locked = await call();
    await locked.press('87654321#');
    await locked.press('4321');
    await locked.expectPrompt('locked');
    await locked.expectOutcome({ kind: 'queued' });
    // An unknown account locks the same way, so a caller cannot tell which accounts exist.
    const unknown = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const c = await call();
      await c.press('99990000#');
      await c.press('1111');
      await c.reachStep(attempt < 3 ? 'ask-account' : 'agent');
      unknown.push(c.step);
      await c.hangup();
    }
    expect(unknown).toEqual(['ask-account', 'ask-account', 'ask-account', 'agent']);
    await clock.advance(5 * 60_000);
    const later = await call();
    await later.press('87654321#');
    await later.press('4321');
    await later.reachStep('account-menu');
    await store.flush();
    const traces = store.recentCalls({ limit: 100 }).map((r) => JSON.stringify(store.callTrace(r.id)));
    // The PIN never appears as a value (its digits are masked in the trace and the inputs table).
    expect(traces.join('\n')).not.toMatch(/"(4321|1111)"/);
    expect(traces.join('\n')).toContain('"name":"pin","value":"****"');
    expect(traces.join('\n')).not.toMatch(/"step":"ask-pin","digit":"[0-9]"/);
  });
});
