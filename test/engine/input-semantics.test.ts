/**
 * INPUT-SEMANTICS.md, one test per rule, on the virtual clock. Times are milliseconds since the call started.
 * In MENU_FLOW the intro plays 0–1000 and the main menu prompt 1000–3000.
 */
import { describe, expect, it } from 'vitest';
import { flowOf, startCall, START, type Rig } from './helpers.js';
import { MENU_FLOW } from './flows.js';

const menuFlow = flowOf(MENU_FLOW);
const t = (rig: Rig) => rig.clock.now() - START;
const timers = (rig: Rig, timer: string) => rig.call.trace.filter((e) => e.type === 'timer' && e.timer === timer).map((e) => e.at - START);
const noMatches = (rig: Rig) => rig.call.trace.filter((e) => e.type === 'match' && e.result === 'noMatch').map((e) => e.at - START);
const endedAt = async (rig: Rig) => (await rig.call.done).step;

/** A call parked in the main menu with its prompt finished (t = 3000). */
async function inMenu(): Promise<Rig> {
  const rig = await startCall(menuFlow);
  await rig.advance(3000);
  expect(rig.step()).toBe('main');
  return rig;
}

describe('timers', () => {
  it('the first-digit timeout starts when the last prompt finishes', async () => {
    const rig = await startCall(menuFlow);
    await rig.advance(1000 + 2000 + 4999);
    expect(timers(rig, 'noInput')).toEqual([]);
    await rig.advance(1);
    expect(timers(rig, 'noInput')).toEqual([8000]);
  });

  it('the first-digit timeout starts at once when the step has nothing to play', async () => {
    const rig = await startCall(`
flow: quiet
language: en
start: ask
variables: { nothing: "" }
steps:
  ask:
    input: { prompt: { digits: "\${nothing}" }, digits: 4, into: code, timeout: 2s }
    next: done
    exhausted: done
  done: { hangup: true }
`);
    expect(rig.phone.playbacks).toHaveLength(0);
    await rig.advance(2000);
    expect(timers(rig, 'noInput')).toEqual([2000]);
  });

  it('the inter-digit timeout restarts on every key while a longer entry is possible', async () => {
    const rig = await inMenu();
    await rig.press('3'); // account input; its prompt plays 3000–4000
    await rig.advance(1000);
    for (const digit of '123456') {
      await rig.press(digit);
      await rig.advance(2900); // just under the inter-digit timeout each time
    }
    expect(noMatches(rig)).toEqual([]);
    expect(rig.step()).toBe('acct');
    await rig.advance(100); // 3 s after the sixth key: the entry (6 of 6-10) is accepted
    expect(await endedAt(rig)).toBe('ok');
    expect(rig.call.vars['account']).toBe('123456');
  });

  it('with termTimeout 0 (default) a complete, unambiguous entry matches immediately', async () => {
    const rig = await inMenu();
    await rig.press('2');
    expect(rig.step()).toBe('sub');
    expect(t(rig)).toBe(3000);
  });

  it('with termTimeout set, a complete entry waits that long before it is accepted', async () => {
    const rig = await startCall(`
flow: term
language: en
start: m
prompts: { p: { text: "Pick", duration: 1s } }
steps:
  m: { menu: { prompt: p, options: { "5": five }, termTimeout: 1500ms } }
  five: { hangup: true }
`);
    await rig.advance(1000);
    await rig.press('5');
    await rig.advance(1499);
    expect(rig.step()).toBe('m');
    await rig.advance(1);
    expect(await endedAt(rig)).toBe('five');
  });
});

describe('when an entry ends', () => {
  it('a key that is also the start of a longer option waits the inter-digit timeout, then takes the shorter', async () => {
    const rig = await inMenu();
    await rig.press('1');
    await rig.advance(2999);
    expect(rig.step()).toBe('main');
    await rig.advance(1);
    expect(await endedAt(rig)).toBe('one');
  });

  it('the longer option is taken at once when its last key comes within the inter-digit timeout', async () => {
    const rig = await inMenu();
    await rig.press('1');
    await rig.advance(1000);
    await rig.press('2');
    expect(await endedAt(rig)).toBe('twelve');
    expect(t(rig)).toBe(4000);
  });

  it('keys that cannot become any match are a no-match at once', async () => {
    const rig = await inMenu();
    await rig.press('8');
    expect(noMatches(rig)).toEqual([3000]);
  });

  it('keys that could still become a match wait the inter-digit timeout, then are a no-match', async () => {
    const rig = await inMenu();
    await rig.press('4');
    await rig.advance(2999);
    expect(noMatches(rig)).toEqual([]);
    await rig.advance(1);
    expect(noMatches(rig)).toEqual([6000]);
  });

  it('the terminator ends an input and is not part of the value', async () => {
    const rig = await inMenu();
    await rig.press('3');
    await rig.press('1234567#');
    expect(await endedAt(rig)).toBe('ok');
    expect(rig.call.vars['account']).toBe('1234567');
  });

  it('a terminator after fewer keys than minDigits is a no-match', async () => {
    const rig = await inMenu();
    await rig.press('3');
    await rig.press('123#');
    expect(noMatches(rig)).toEqual([3000]);
    expect(rig.step()).toBe('acct');
  });

  it('reaching maxDigits ends the entry as if the terminator had been pressed', async () => {
    const rig = await inMenu();
    await rig.press('7'); // 4-digit PIN
    await rig.press('1234');
    expect(await endedAt(rig)).toBe('ok');
    expect(t(rig)).toBe(3000);
  });
});

describe('prompts and early keys', () => {
  it('barge-in: a key stops the playing prompt and counts as input', async () => {
    const rig = await startCall(menuFlow);
    await rig.advance(1500); // the menu prompt is playing
    const playing = rig.phone.playbacks.at(-1)!;
    await rig.press('2');
    expect(rig.phone.commands.some((c) => c.command === 'stopPlayback' && (c.args as { playbackId: string }).playbackId === playing.id)).toBe(true);
    expect(playing.outcome).toBe('stopped');
    expect(rig.step()).toBe('sub');
  });

  it('without barge-in, keys pressed during the prompt are dropped', async () => {
    const rig = await startCall(`
flow: nobarge
language: en
start: m
prompts: { p: { text: "Pick", duration: 2s } }
steps:
  m: { menu: { prompt: p, options: { "1": one, "2": two }, bargeIn: false } }
  one: { hangup: true }
  two: { hangup: true }
`);
    await rig.advance(1000);
    await rig.press('1');
    expect(rig.step()).toBe('m');
    expect(rig.phone.commands.filter((c) => c.command === 'stopPlayback')).toHaveLength(0);
    await rig.advance(1000);
    await rig.press('2');
    expect(await endedAt(rig)).toBe('two');
  });

  it('type-ahead: keys pressed during a play wait for the next menu, which skips its prompt', async () => {
    const rig = await startCall(menuFlow);
    await rig.advance(500); // intro playing (barge-in on): the key ends it
    await rig.press('2');
    expect(rig.step()).toBe('sub');
    expect(rig.heard()).toEqual(['intro', 'sub']);
  });

  it('type-ahead survives a lookup and is read by the next input', async () => {
    const rig = await startCall(
      `
flow: ahead
language: en
start: find
prompts: { p: { text: "Enter code", duration: 1s } }
data: { accounts: { file: { path: a.csv, key: id } } }
steps:
  find:
    lookup: { source: accounts, key: "42", into: acct }
    found: ask
    notFound: ask
    error: ask
  ask:
    input: { prompt: p, digits: 4, into: code }
    next: done
  done: { hangup: true }
`,
      { services: { data: { accounts: { records: [{ id: '42' }], delay: 1000 } } } },
    );
    await rig.press('12');
    await rig.advance(1000);
    expect(rig.step()).toBe('ask');
    expect(rig.phone.playbacks).toHaveLength(0); // mid-entry: the prompt is skipped
    await rig.press('34');
    expect(await endedAt(rig)).toBe('done');
    expect(rig.call.vars['code']).toBe('1234');
  });

  it('the buffer is cleared after a no-match, so a wrong key does not also hit the re-prompt', async () => {
    const rig = await startCall(afterLookup('m:\n    menu: { prompt: p, options: { "2": done } }'), SLOW_LOOKUP);
    await rig.press('82'); // both wait in the buffer during the lookup
    await rig.advance(1000);
    expect(noMatches(rig)).toEqual([1000]);
    expect(rig.step()).toBe('m');
    expect(rig.heard()).toEqual(['p']); // the re-prompt plays: the 2 was dropped with the buffer
  });

  it('flush: true clears keys typed ahead when the step starts', async () => {
    const rig = await startCall(afterLookup('m:\n    input: { prompt: p, digits: 4, into: code }\n    next: done\n    flush: true'), SLOW_LOOKUP);
    await rig.press('12');
    await rig.advance(1000);
    expect(rig.step()).toBe('m');
    expect(rig.heard()).toEqual(['p']);
    await rig.press('3456');
    expect(rig.call.vars['code']).toBe('3456');
  });
});

const SLOW_LOOKUP = { services: { data: { accounts: { records: [{ id: '42' }], delay: 1000 } } } };

/** A flow that runs a 1 s lookup, then the step given as YAML (named `m`), then hangs up at `done`. */
function afterLookup(step: string): string {
  return `
flow: ahead
language: en
start: find
prompts: { p: { text: "Pick", duration: 1s } }
data: { accounts: { file: { path: a.csv, key: id } } }
steps:
  find:
    lookup: { source: accounts, key: "42", into: acct }
    found: m
    notFound: m
    error: m
  ${step}
  done: { hangup: true }
`;
}

describe('retries and escalation', () => {
  it('noInput and noMatch keep separate counters', async () => {
    const rig = await inMenu();
    await rig.advance(5000); // no-input 1 (re-prompt 2s: no-input-1 + short)
    await rig.press('8'); // no-match 1
    await rig.advance(2000 + 5000); // no-input 2 (after its 2s re-prompt and 5s)
    await rig.press('8'); // no-match 2
    expect(rig.step()).toBe('main');
    expect(timers(rig, 'noInput')).toHaveLength(2);
    expect(noMatches(rig)).toHaveLength(2);
  });

  it('retries: 2 means three attempts; then the counter\'s destination (else exhausted) is taken', async () => {
    const rig = await inMenu();
    await rig.advance(5000); // attempt 1 timed out
    await rig.advance(2000 + 5000); // attempt 2
    expect(rig.step()).toBe('main');
    await rig.advance(2000 + 5000); // attempt 3
    expect(await endedAt(rig)).toBe('exhausted');
  });

  it('the noMatch counter goes to its own next when it runs out', async () => {
    const rig = await inMenu();
    await rig.press('8');
    await rig.press('8');
    expect(rig.step()).toBe('main');
    await rig.press('8');
    expect(await endedAt(rig)).toBe('nomatch-out');
  });

  it('re-prompts escalate: retry n plays the counter\'s prompt n (later the last), then the short prompt', async () => {
    const rig = await inMenu();
    await rig.advance(5000);
    await rig.advance(2000 + 5000);
    expect(rig.heard()).toEqual(['intro', 'menu', 'no-input-1+menu-short', 'no-input-2+menu-short']);
  });

  it('counters reset when the step is entered again from another step (here via back)', async () => {
    const rig = await inMenu();
    await rig.advance(5000);
    await rig.advance(2000 + 5000); // two no-inputs used
    await rig.press('2'); // sub menu
    await rig.press('*'); // back to main: a new visit
    expect(rig.step()).toBe('main');
    await rig.advance(2000 + 5000);
    await rig.advance(2000 + 5000); // two more no-inputs: not exhausted
    expect(rig.step()).toBe('main');
  });

  it('with no destination at all, an exhausted counter goes to the flow\'s error step', async () => {
    const rig = await startCall(`
flow: noway
language: en
start: m
defaults: { error: sorry, retries: 0 }
prompts: { p: { text: "Pick", duration: 1s } }
steps:
  m: { menu: { prompt: p, options: { "1": sorry } } }
  sorry: { hangup: true }
`);
    await rig.advance(1000 + 5000);
    expect(await endedAt(rig)).toBe('sorry');
  });
});

describe('keys that work everywhere', () => {
  it('a global key acts as the first key of an entry', async () => {
    const rig = await inMenu();
    await rig.press('3');
    await rig.press('0');
    expect(await endedAt(rig)).toBe('agent');
  });

  it('a global key inside an entry is a digit', async () => {
    const rig = await inMenu();
    await rig.press('3');
    await rig.press('102030#');
    expect(await endedAt(rig)).toBe('ok');
    expect(rig.call.vars['account']).toBe('102030');
  });

  it('a menu can switch a global key off with null', async () => {
    const rig = await inMenu();
    await rig.press('2'); // sub: keys { "0": null }
    await rig.press('0');
    expect(rig.step()).toBe('sub');
    expect(noMatches(rig)).toHaveLength(1);
  });

  it('an option with the same key wins over the global key', async () => {
    const rig = await inMenu();
    await rig.press('2');
    await rig.press('1'); // subsub has option 0 → one
    await rig.press('0');
    expect(await endedAt(rig)).toBe('one');
  });

  it('back returns to the previous menu, not the previous step', async () => {
    const rig = await inMenu();
    await rig.press('2');
    await rig.press('1');
    expect(rig.step()).toBe('subsub');
    await rig.press('*');
    expect(rig.step()).toBe('sub');
    await rig.press('*');
    expect(rig.step()).toBe('main');
  });

  it('back from an input returns to the menu the caller came from', async () => {
    const rig = await inMenu();
    await rig.press('3');
    await rig.press('*');
    expect(rig.step()).toBe('main');
  });

  it('top returns to the first menu of the call', async () => {
    const rig = await inMenu();
    await rig.press('2');
    await rig.press('1');
    await rig.press('8');
    expect(rig.step()).toBe('main');
    expect(rig.call.trace.filter((e) => e.type === 'step').map((e) => (e.type === 'step' ? e.step : ''))).toEqual(['intro', 'main', 'sub', 'subsub', 'main']);
  });

  it('repeat re-prompts with the short prompt and counts no attempt', async () => {
    const rig = await inMenu();
    await rig.press('9');
    expect(rig.heard().at(-1)).toBe('menu-short');
    await rig.advance(1000);
    await rig.press('9');
    await rig.advance(1000);
    await rig.advance(5000);
    await rig.advance(2000 + 5000);
    expect(rig.step()).toBe('main'); // two no-inputs after two repeats: not exhausted
    await rig.advance(2000 + 5000);
    expect(await endedAt(rig)).toBe('exhausted');
  });
});

const CONFIRM_FLOW = `
flow: confirm
language: en
start: ask
prompts: { p: { text: "Code", duration: 1s }, c: { text: "Press 1 if correct, 2 to re-enter", duration: 1s } }
steps:
  ask:
    input: { prompt: p, digits: 4, into: code, confirm: { prompt: c } }
    next: done
  done: { hangup: true }
`;

describe('patterns, confirmation, secrets', () => {
  const DIRECT = `
flow: direct
language: en
start: m
prompts: { p: { text: "Extension", duration: 1s }, c: { text: "Press 1 if correct, 2 to re-enter", duration: 1s } }
steps:
  m:
    menu:
      prompt: p
      options: { "9": nine }
      patterns: { "2XX": { next: ext, into: extension }, "[3-4]Z": { next: short, into: code } }
  ext: { hangup: true }
  short: { hangup: true }
  nine: { hangup: true }
`;

  it('direct-dial patterns (X, Z, N, [1-5]) put the digits into a variable', async () => {
    const rig = await startCall(DIRECT);
    await rig.advance(1000);
    await rig.press('205');
    expect(await endedAt(rig)).toBe('ext');
    expect(rig.call.vars['extension']).toBe('205');
  });

  it('a key outside the pattern set is a no-match at once (Z excludes 0)', async () => {
    const rig = await startCall(DIRECT);
    await rig.advance(1000);
    await rig.press('30');
    expect(noMatches(rig)).toEqual([1000]);
  });

  it('an input pattern must match the whole entry, else no-match', async () => {
    const FLOW = `
flow: pattern
language: en
start: ask
prompts: { p: { text: "Code", duration: 1s } }
steps:
  ask:
    input: { prompt: p, digits: 4, into: code, pattern: "4[0-9]+" }
    next: done
  done: { hangup: true }
`;
    const rig = await startCall(FLOW);
    await rig.press('5123');
    expect(noMatches(rig)).toEqual([0]);
    await rig.press('4123');
    expect(await endedAt(rig)).toBe('done');
  });

  it('confirm reads the entry back; 2 re-enters, 1 accepts', async () => {
    const rig = await startCall(CONFIRM_FLOW);
    await rig.press('1234');
    expect(rig.heard().at(-1)).toBe('digits:1234+c');
    await rig.press('2');
    expect(rig.heard().at(-1)).toBe('p');
    await rig.press('5678');
    await rig.press('1');
    expect(await endedAt(rig)).toBe('done');
    expect(rig.call.vars['code']).toBe('5678');
  });

  it('a wrong key at the confirmation is a no-match of that key, not of the entry', async () => {
    const rig = await startCall(CONFIRM_FLOW);
    // `#` after four digits: the entry is already complete, so the `#` answers the confirmation.
    await rig.press('1234#');
    expect(rig.call.trace.filter((e) => e.type === 'match')).toEqual([expect.objectContaining({ entry: '#', result: 'noMatch' })]);
    expect(rig.heard().at(-1)).not.toBe('digits:1234+c');
  });

  it('secret input is masked in the trace and in the variables view', async () => {
    const rig = await inMenu();
    await rig.press('7');
    await rig.press('4321');
    await rig.call.done;
    expect(rig.call.vars['pin']).toBe('****');
    const pinEntries = rig.call.trace.filter((e) => e.step === 'pin');
    expect(JSON.stringify(pinEntries)).not.toContain('4321');
    expect(pinEntries.filter((e) => e.type === 'key').map((e) => (e.type === 'key' ? e.digit : ''))).toEqual(['*', '*', '*', '*']);
  });
});

describe('ends', () => {
  it('keys after a hangup are ignored and cost nothing', async () => {
    const rig = await inMenu();
    rig.phone.hangupByCaller();
    const commands = rig.phone.commands.length;
    const trace = rig.call.trace.length;
    await rig.press('2');
    expect(rig.phone.commands.length).toBe(commands);
    expect(rig.call.trace.length).toBe(trace);
    expect(await rig.call.done).toEqual({ kind: 'hungup', step: 'main' });
  });

  it('a step cap stops a runaway loop and sends the call to the error step, with the reason in the trace', async () => {
    const rig = await startCall(`
flow: loop
language: en
start: a
defaults: { maxSteps: 20, error: sorry }
variables: { n: 0 }
prompts: { p: { text: "Pick", duration: 1s } }
steps:
  a: { set: { n: { expr: "n + 1" } }, next: b }
  b: { menu: { prompt: p, options: { "1": a } } }
  sorry: { hangup: true }
`);
    for (let i = 0; i < 12; i++) await rig.press('1');
    expect(await endedAt(rig)).toBe('sorry');
    const note = rig.call.trace.find((e) => e.type === 'note' && e.code === 'step-cap');
    expect(note).toBeDefined();
    expect(rig.call.vars['n']).toBe(10);
  });

  it('without an error step, the step cap hangs up with outcome failed / step-cap', async () => {
    const rig = await startCall(`
flow: loop2
language: en
start: a
defaults: { maxSteps: 6 }
prompts: { p: { text: "Pick", duration: 1s } }
steps:
  a: { menu: { prompt: p, options: { "1": b } } }
  b: { menu: { prompt: p, options: { "1": a } } }
`);
    for (let i = 0; i < 10; i++) await rig.press('1');
    const outcome = await rig.call.done;
    expect(outcome).toMatchObject({ kind: 'failed', code: 'step-cap' });
    expect(rig.phone.hangupReason).toBe('step-cap');
  });
});
