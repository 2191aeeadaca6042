/**
 * PIN brute force against the bank example with its real SQLite data and lockouts kept in a store: the per-call
 * limit holds inside one call, the account lockout holds across many calls and callers, the right PIN does not
 * open a locked account, and an unknown account gets exactly the same answer as a known one with a wrong PIN.
 * (The basic three-strikes case is `examples/bank/bank.test.ts`.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/runtime/clock.js';
import { createDataSourceFactory } from '../../src/data/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { simulateCall, type SimulatedCall } from '../../src/testing/simulate-call.js';

const FLOW = 'examples/bank/bank.yaml';
const ACCOUNT = '87654321';
const RIGHT_PIN = '4321';
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function world() {
  const clock = new VirtualClock(Date.parse('2026-12-07T10:00:00+01:00'));
  const store = openStore({ path: ':memory:', clock });
  stores.push(store);
  const data = createDataSourceFactory({ store, clock });
  let n = 0;
  const call = () => simulateCall(FLOW, { clock, services: { data, records: store.records }, queues: { support: 'free' }, caller: `+49301234${String(n++).padStart(3, '0')}` });
  return { clock, store, call };
}

/** PIN checks that reached the accounts table (a locked answer checks nothing). */
function pinChecks(c: SimulatedCall): number {
  return c.trace.filter((e) => e.type === 'lookup' && e.source === 'accounts' && e.result !== 'locked').length;
}

/** One attempt: account, then PIN; returns the step the call reaches next (a menu, a retry, or the agent). */
async function attempt(c: SimulatedCall, account: string, pin: string): Promise<string> {
  await c.press(`${account}#`);
  await c.press(pin);
  for (const step of ['account-menu', 'ask-account', 'agent']) {
    try {
      await c.reachStep(step, { within: '30s' });
      return step;
    } catch {
      // Not this one: try the next.
    }
  }
  return c.step;
}

describe('PIN brute force', () => {
  it('one call trying PIN after PIN: the per-call limit stops it, and even the right PIN then fails', async () => {
    const { call } = world();
    const c = await call();
    const reached: string[] = [];
    for (const pin of ['0000', '1111', '2222', RIGHT_PIN]) {
      if (c.ended || c.step === 'agent') break;
      reached.push(await attempt(c, ACCOUNT, pin));
    }
    expect(reached).not.toContain('account-menu');
    expect(reached.at(-1)).toBe('agent');
    expect(pinChecks(c)).toBeLessThanOrEqual(3);
  });

  it('one call trying a different account each time: the per-call limit stops it before any account locks', async () => {
    const { call } = world();
    const c = await call();
    const reached: string[] = [];
    for (const account of ['11110001', '11110002', '11110003', ACCOUNT]) {
      if (c.ended || c.step === 'agent') break;
      reached.push(await attempt(c, account, account === ACCOUNT ? RIGHT_PIN : '1234'));
    }
    expect(reached).toEqual(['ask-account', 'ask-account', 'ask-account', 'agent']);
    expect(pinChecks(c)).toBe(3);
    // The account itself is not locked: a new call with the right PIN gets in.
    const next = await call();
    expect(await attempt(next, ACCOUNT, RIGHT_PIN)).toBe('account-menu');
  });

  it('a hundred calls from different numbers trying every PIN: the lockout holds, the account never opens', async () => {
    const { call, clock } = world();
    const started = clock.now();
    let opened = 0;
    let verified = 0;
    for (let i = 0; i < 100; i++) {
      const c = await call();
      const step = await attempt(c, ACCOUNT, String(i).padStart(4, '0'));
      if (step === 'account-menu') opened++;
      verified += pinChecks(c);
      await c.hangup();
    }
    // Then the right PIN, still inside the lock.
    const right = await call();
    expect(await attempt(right, ACCOUNT, RIGHT_PIN)).toBe('agent');
    expect(opened).toBe(0);
    // Each lock lets three more guesses through only after it runs out, and locks grow: a handful of the hundred
    // guesses were checked against the PIN at all (the calls took about a quarter of an hour of virtual time).
    expect(verified).toBeLessThanOrEqual(9);
    process.stdout.write(`PIN brute force: 100 calls, ${verified} PINs checked, ${opened} opened, ${((clock.now() - started) / 60_000).toFixed(0)} min of virtual time\n`);
  });

  it('an unknown account and a known account with a wrong PIN get the same answer, attempt by attempt', async () => {
    const heardFor = async (account: string): Promise<string[][]> => {
      const { call } = world();
      const answers: string[][] = [];
      for (let i = 0; i < 5; i++) {
        const c = await call();
        const before = c.heard().length;
        const step = await attempt(c, account, '9999');
        answers.push([step, ...c.heard().slice(before)]);
        await c.hangup();
      }
      return answers;
    };
    const unknown = await heardFor('11112222');
    const wrongPin = await heardFor(ACCOUNT);
    expect(unknown).toEqual(wrongPin);
    expect(unknown.flat().join(' ')).not.toMatch(/unknown|not exist|no such/i);
  });
});
