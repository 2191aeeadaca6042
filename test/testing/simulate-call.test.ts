import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { simulateCall, CallExpectationError, compileFlowFile, FlowLoadError, SimulationInputError, type SimulateOptions } from '../../src/testing/index.js';

const ACME = 'flows/acme-hotline.yaml';
const MONDAY = '2026-12-07T10:00:00+01:00';
const accounts = [{ number: '12345678', balance: 42.5 }];

describe('simulateCall', () => {
  it('runs the README example as written', async () => {
    const call = await simulateCall(ACME, { caller: '+4930123', now: MONDAY, data: { accounts } });
    await call.expectPrompt('main-menu');
    await call.press('0');
    await call.wait('6s'); // virtual
    expect(call.outcome).toMatchObject({ kind: 'queued', queue: 'support' });
    expect(call.outcome).toEqual({ kind: 'queued', queue: 'support', step: 'agent' });
  });

  it('moves only virtual time: a minute of silence takes no real minute', async () => {
    const started = Date.now();
    const call = await simulateCall(ACME, { now: MONDAY });
    const before = call.clock.now();
    await call.wait('60s');
    expect(call.clock.now() - before).toBe(60_000);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(call.heard()).toContain('Sorry, I did not hear a choice.');
  });

  it('fails expectPrompt with what the caller heard instead', async () => {
    const call = await simulateCall(ACME, { now: MONDAY });
    await call.expectPrompt('welcome');
    const error = await call.expectPrompt('sales-busy', { within: '3s' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallExpectationError);
    expect((error as CallExpectationError).code).toBe('expect-prompt');
    expect((error as Error).message).toBe(
      'Expected the caller to hear prompt `sales-busy`, but heard `main-menu` "For your account balance press 1. For our opening hours press 2. For prices press 3. For sales press 4. To speak to an agent press 0." (the call is at step `main`).',
    );
  });

  it('matches prompts by text with a regular expression, in order', async () => {
    const call = await simulateCall(ACME, { now: MONDAY, data: { accounts } });
    await call.press('1');
    await call.press('12345678#');
    const item = await call.expectPrompt(/^Your balance is$/);
    expect(item.prompt).toBe('your-balance-is');
    call.expectVariable('account', '12345678');
    call.expectVariable('acct.balance', 42.5);
    expect(() => call.expectVariable('account', '1')).toThrow('Expected variable `account` to be `"1"`, but it is `"12345678"`');
    // The welcome prompt was before the cursor: it no longer matches.
    await expect(call.expectPrompt('welcome', { within: '1s' })).rejects.toThrow(CallExpectationError);
  });

  it('pretends it is Sunday with the real hours service, or forces hours open', async () => {
    const sunday = await simulateCall(ACME, { now: '2026-12-06T11:00:00+01:00' });
    await sunday.expectPrompt('after-hours');
    const forced = await simulateCall(ACME, { now: '2026-12-06T11:00:00+01:00', hours: { office: 'open' } });
    await forced.expectPrompt('main-menu');
  });

  it('fakes slow, failing and scripted lookups', async () => {
    const slow = await simulateCall(ACME, { now: MONDAY, data: { accounts }, lookups: { accounts: { kind: 'slow', delayMs: 10_000 } } });
    await slow.press('1');
    await slow.press('12345678#');
    await slow.reachStep('find-account');
    await slow.reachStep('agent'); // the source's 3 s timeout is an error
    const scripted = await simulateCall(ACME, { now: MONDAY, lookups: { accounts: (key) => ({ status: 'found', record: { number: key, balance: 7 } }) } });
    await scripted.press('1');
    await scripted.press('55555555#');
    await scripted.expectPrompt('your-balance-is');
    scripted.expectVariable('acct.balance', 7);
  });

  it('fakes queue state and department answers', async () => {
    const none = await simulateCall(ACME, { now: MONDAY, queues: { support: 'none' } });
    await none.press('0');
    await none.expectPrompt('leave-message');
    const busy = await simulateCall(ACME, { now: MONDAY, departments: { sales: 'noAnswer' } });
    await busy.press('4');
    await busy.expectPrompt('sales-busy');
    await busy.expectOutcome({ kind: 'queued' });
  });

  it('talkTime: an answered department stays on the line that long before the caller comes back to `answered:`', async () => {
    const doc = parseDocument(`
flow: agent
language: en
start: main
prompts:
  hello: { text: "Connecting you." }
  after: { text: "Thank you. Goodbye." }
departments: { sales: { dial: PJSIP/sales } }
steps:
  main: { transfer: sales, prompt: hello, answered: after }
  after: { hangup: [after] }
`).toJS();
    const call = await simulateCall(doc, { talkMs: 120_000 });
    await call.wait('5s'); // the announcement (about 1 s), then 2 s of ringing (the simulator's default): bridged
    await call.wait('116s'); // 118 s into the conversation
    expect(call.step).toBe('main');
    await call.wait('3s'); // 121 s: the department hung up at 120 s
    expect(call.step).toBe('after');
  });

  it('missingSounds: a prompt that cannot be played is not heard, is noted in the trace, and the flow goes on', async () => {
    const doc = parseDocument(`
flow: greet
language: en
start: hello
prompts:
  hi: { sound: acme/hi, text: "Welcome." }
  menu: { sound: acme/menu, text: "Press 1." }
steps:
  hello: { play: hi, next: main }
  main: { menu: { prompt: menu, options: { "1": main } } }
`).toJS();
    for (const missing of ['hi', 'acme/hi']) {
      const call = await simulateCall(doc, { missingSounds: [missing] });
      await call.reachStep('main');
      await call.expectPrompt('menu');
      expect(call.heard()).toEqual(['Press 1.']);
      expect(call.trace.filter((e) => e.type === 'note' && e.code === 'playback-failed').map((e) => e.step)).toEqual(['hello']);
      await call.hangup();
    }
  });

  /** A code entry whose `confirm` is the given map. */
  const confirmFlow = (confirm: string) =>
    parseDocument(`
flow: confirm
language: en
start: ask
prompts:
  ask: { text: "Enter your code." }
  entered: { text: "You entered" }
  correct: { text: "Press 1 if this is correct, 2 to enter it again." }
steps:
  ask:
    input: { prompt: ask, digits: 3, into: code, confirm: ${confirm} }
    next: done
  done: { hangup: true }
`).toJS();

  it('confirm: the caller hears the question, the entry read back, then the confirm prompt', async () => {
    const call = await simulateCall(confirmFlow('{ prompt: correct }'));
    await call.press('123');
    await call.expectPrompt('correct');
    expect(call.heard()).toEqual(['Enter your code.', '1 2 3', 'Press 1 if this is correct, 2 to enter it again.']);
    await call.press('1');
    await call.expectOutcome({ kind: 'completed' });
    call.expectVariable('code', '123');
  });

  it('confirm with an intro: "You entered", the entry read back, then the question', async () => {
    const call = await simulateCall(confirmFlow('{ intro: entered, prompt: correct }'));
    await call.press('123');
    await call.expectPrompt('correct');
    expect(call.heard()).toEqual(['Enter your code.', 'You entered', '1 2 3', 'Press 1 if this is correct, 2 to enter it again.']);
    await call.press('2');
    expect(call.heard().at(-1)).toBe('Enter your code.');
  });

  it('ends with exactly one outcome when the caller hangs up, and then releases its timers', async () => {
    const call = await simulateCall(ACME, { now: MONDAY });
    await call.reachStep('main');
    call.expectStep('main');
    await call.hangup();
    expect(call.outcome).toEqual({ kind: 'hungup', step: 'main' });
    expect(call.clock.pending).toBe(0);
    await expect(call.expectOutcome({ kind: 'queued' })).rejects.toThrow('the call ended with {"kind":"hungup","step":"main"}');
  });

  it('accepts a compiled flow, and a flow with errors throws with its diagnostics', async () => {
    const flow = await compileFlowFile(ACME);
    const call = await simulateCall(flow, { now: MONDAY });
    await call.expectPrompt('main-menu');
    const missing = await simulateCall('test/testing/fixtures/no-such-flow.yaml').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(FlowLoadError);
    expect((missing as FlowLoadError).code).toBe('file-not-found');
    expect((missing as Error).message).toBe(
      `Flow file \`test/testing/fixtures/no-such-flow.yaml\` does not exist (looked for \`${process.cwd()}/test/testing/fixtures/no-such-flow.yaml\`); check the path, which is relative to the working directory.`,
    );
  });

  it('validates a flow document as it validates a file, and throws the same FlowLoadError', async () => {
    const error = await simulateCall({ flow: 'x', language: 'en', start: 'nope', steps: { main: { hangup: true } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowLoadError);
    expect((error as FlowLoadError).code).toBe('unknown-step');
    expect((error as FlowLoadError).diagnostics.map((d) => [d.code, d.range?.start.line])).toEqual([['unknown-step', 3]]);
    expect((error as Error).message).toContain('Flow document `x` has errors (at their positions in it written out as YAML); fix them.\n<flow document>:3:8: error unknown-step: Step `nope` does not exist.');
    expect((error as Error).message).toContain('> 3 | start: nope');
  });
});

describe('simulateCall refuses what a test gets wrong, with the code a scenario file gets', () => {
  const refused = async (run: () => Promise<unknown>) => {
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimulationInputError);
    return { code: (error as SimulationInputError).code, message: (error as Error).message };
  };

  it('wait, press and within: durations and keys', async () => {
    const call = await simulateCall(ACME, { now: MONDAY });
    const start = call.clock.now();
    const hint = "Write a string with a unit (`'500ms'`, `'6s'`, `'1.5s'`, `'2m'`) or a number of milliseconds, 0 or more.";
    expect(await refused(() => call.wait(NaN))).toEqual({ code: 'scenario-invalid-value', message: `\`wait\` needs a duration such as \`'6s'\` or \`'500ms'\`, not \`NaN\`. ${hint}` });
    expect((await refused(() => call.wait(-5000))).message).toContain('not `-5000`.');
    expect((await refused(() => call.wait('6 seconds'))).message).toContain("not `'6 seconds'`.");
    expect((await refused(() => call.wait('-5s'))).code).toBe('scenario-invalid-value');
    expect(await refused(() => call.press('1x2'))).toEqual({ code: 'scenario-invalid-value', message: "`press` needs keys from `0-9 * # A-D`, not `'1x2'`. Pass the keys as a string, like `press('1234#')`." });
    expect((await refused(() => call.press('1', { gap: 'soon' }))).message).toContain("`gap` needs a duration such as `'6s'` or `'500ms'`, not `'soon'`.");
    expect((await refused(() => call.expectPrompt('main-menu', { within: -1 }))).message).toContain('`within` needs a duration');
    // Nothing moved: the clock still reads the start, and the call goes on.
    expect(call.clock.now()).toBe(start);
    expect(call.heard()).toEqual(['Welcome to ACME.']);
    await call.expectPrompt('main-menu');
  });

  it('options: `now`, YAML shapes, unknown options and names the flow does not have', async () => {
    expect(await refused(() => simulateCall(ACME, { now: 'next monday' }))).toEqual({
      code: 'scenario-invalid-value',
      message: "`now` must be an ISO 8601 date and time, not `'next monday'`. Write it like `'2026-12-07T10:00:00+01:00'`.",
    });
    const yamlShaped = { lookups: { accounts: 'error' } } as unknown as SimulateOptions;
    expect(await refused(() => simulateCall(ACME, yamlShaped))).toEqual({
      code: 'scenario-invalid-value',
      message:
        "`lookups.accounts` is not a lookup fake: `'error'`. In TypeScript write `{ kind: 'error' }` (optionally with `code`), `{ kind: 'notFound' }`, `{ kind: 'locked' }`, `{ kind: 'slow', delayMs: 5000 }`, or a function `(key) => LookupResult`.",
    });
    const talkTime = { talkTime: '2m' } as unknown as SimulateOptions;
    expect(await refused(() => simulateCall(ACME, talkTime))).toMatchObject({ code: 'scenario-unknown-key', message: expect.stringContaining('`talkTime` is not an option of `simulateCall`. In TypeScript it is `talkMs`.') });
    expect((await refused(() => simulateCall(ACME, { talkMs: Number('2m') }))).message).toContain('`talkMs` must be a number of milliseconds, 0 or more, not `NaN`.');
    expect((await refused(() => simulateCall(ACME, { departments: { sales: 'bussy' as 'busy' } }))).message).toContain("`departments.sales` must be one of `'answered'`, `'busy'`, `'noAnswer'`, `'failed'`, not `'bussy'`.");
    expect((await refused(() => simulateCall(ACME, { queues: { support: { loggedIn: '2' } as never } }))).message).toContain('`queues.support` is not a queue fake');
    expect(await refused(() => simulateCall(ACME, { hours: { ofice: 'closed' } }))).toEqual({
      code: 'scenario-unknown-name',
      message: 'Flow `acme-hotline` has no schedule `ofice`, so this `hours` entry would be ignored. Did you mean `office`? Name one of its schedules: `office`.',
    });
    expect((await refused(() => simulateCall(ACME, { data: { acts: [] } }))).code).toBe('scenario-unknown-name');
  });
});
