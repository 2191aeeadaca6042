/** The ends of a call: hangup cleanup at any moment, internal errors, versions, draining, listeners, resume. */
import { describe, expect, it, vi } from 'vitest';
import { VirtualClock, settle } from '../../src/runtime/clock.js';
import { compileFlow } from '../../src/compile/compile-flow.js';
import { Engine } from '../../src/runtime/engine.js';
import { createInMemoryServices } from '../../src/runtime/in-memory-services.js';
import { SimulatedPhone } from '../../src/telephony/simulator/simulated-phone.js';
import type { DataSourceFactory, HoursService } from '../../src/runtime/services.js';
import type { PortEventListener } from '../../src/telephony/port.js';
import { flowOf, startCall, START, type Rig } from './helpers.js';
import { MENU_FLOW } from './flows.js';

const EVERYTHING = `
flow: everything
language: en
start: m
prompts: { p: { text: "Pick", duration: 2s }, wait: { text: "One moment", duration: 1s } }
data: { slow: { file: { path: s.csv, key: id }, timeout: 10s } }
departments: { sales: { dial: PJSIP/sales, ringTimeout: 20s } }
steps:
  m: { menu: { prompt: p, options: { "1": find, "2": sales, "3": rec } } }
  find:
    lookup: { source: slow, key: "1", into: r, filler: { after: 1s, play: [wait] } }
    found: m
    notFound: m
    error: m
  sales: { transfer: sales, prompt: p, busy: m }
  rec:
    record: { prompt: p, maxDuration: 60s }
    next: m
`;

async function expectClean(rig: Rig, step: string): Promise<void> {
  rig.phone.hangupByCaller();
  expect(await rig.call.done).toEqual({ kind: 'hungup', step });
  await settle();
  expect(rig.clock.pending).toBe(0);
  expect(rig.phone.hasListener).toBe(false);
  expect(rig.engine.liveCalls.size).toBe(0);
}

describe('the telephony handing the call over', () => {
  it('ends the session `transferred` to that context, with a trace note', async () => {
    const clock = new VirtualClock(START);
    const engine = new Engine(createInMemoryServices({ clock }));
    engine.publish(compileFlow({ flow: flowOf(EVERYTHING) }));
    const phone = new SimulatedPhone(clock, { callId: 'c1', caller: '+4930123456', dialled: '100' });
    // Only the ARI adapter hands calls over by itself; here the test plays its part.
    let deliver: PortEventListener | undefined;
    const listen = phone.onEvent.bind(phone);
    phone.onEvent = (listener) => listen((deliver = listener));
    const rig = { call: engine.startCall(phone), engine };
    await clock.advance(500);
    deliver!({ type: 'handed-over', context: 'touchtone-fallback', reason: 'event socket down past the orphan limit' });
    expect(await rig.call.done).toEqual({ kind: 'transferred', step: 'm', department: 'touchtone-fallback' });
    expect(rig.call.trace.at(-1)).toMatchObject({ type: 'note', code: 'handed-over', message: 'The telephony handed the call to `touchtone-fallback` outside the flow (event socket down past the orphan limit).' });
    expect(rig.engine.liveCalls.size).toBe(0);
  });
});

describe('a hangup at any moment stops every timer, playback and lookup', () => {
  it('while a prompt plays', async () => {
    const rig = await startCall(EVERYTHING);
    await rig.advance(500);
    expect(rig.clock.pending).toBeGreaterThan(0);
    await expectClean(rig, 'm');
  });

  it('while the first-digit timer runs (the XState timer is on the injected clock)', async () => {
    const rig = await startCall(EVERYTHING);
    await rig.advance(2000);
    expect(rig.clock.nextDue()).toBe(START + 2000 + 5000);
    await expectClean(rig, 'm');
  });

  it('during a slow lookup with its filler playing: the lookup is aborted', async () => {
    const clock = new VirtualClock(START);
    let aborted = false;
    const data: DataSourceFactory = {
      create: () => ({
        lookup: ({ signal }) =>
          new Promise((resolve) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              resolve({ status: 'notFound' });
            });
          }),
      }),
    };
    const services = { ...createInMemoryServices({ clock }), data };
    const engine = new Engine(services);
    engine.publish(compileFlow({ flow: flowOf(EVERYTHING) }));
    const phone = new SimulatedPhone(clock, { callId: 'c' });
    const call = engine.startCall(phone);
    await settle();
    phone.press('1');
    await clock.advance(1500);
    expect(call.step).toBe('find');
    expect(phone.playbacks.at(-1)?.promptNames).toEqual(['wait']);
    phone.hangupByCaller();
    expect(await call.done).toEqual({ kind: 'hungup', step: 'find' });
    await settle();
    expect(aborted).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('while a transfer rings', async () => {
    const rig = await startCall(EVERYTHING, { behaviour: { departments: { sales: 'noAnswer' } } });
    await rig.press('2');
    await rig.advance(3000);
    expect(rig.phone.commands.some((c) => c.command === 'transfer')).toBe(true);
    await expectClean(rig, 'sales');
  });

  it('while recording', async () => {
    const rig = await startCall(EVERYTHING);
    await rig.press('3');
    await rig.advance(3000);
    expect(rig.phone.commands.some((c) => c.command === 'record')).toBe(true);
    await expectClean(rig, 'rec');
  });
});

describe('errors never escape', () => {
  it('an exception inside the machine ends the call with failed / internal-error, logged', async () => {
    const hours: HoursService = {
      evaluate: () => {
        throw new Error('hours backend exploded');
      },
    };
    const error = vi.fn();
    const rig = await startCall(
      `
flow: boom
language: en
start: h
hours: { office: { timezone: UTC, weekly: { mon-fri: "08:00-18:00" } } }
steps:
  h: { hours: office, open: bye, closed: bye }
  bye: { hangup: true }
`,
      { services: { hours, logger: { debug() {}, info() {}, warn() {}, error } } },
    );
    expect(await rig.call.done).toMatchObject({ kind: 'failed', code: 'internal-error' });
    expect(error).toHaveBeenCalled();
    expect(rig.phone.hangupReason).toBe('internal-error');
    expect(rig.clock.pending).toBe(0);
  });
});

describe('engine', () => {
  it('a call in progress keeps its version; new calls get the published one', async () => {
    const clock = new VirtualClock(START);
    const engine = new Engine(createInMemoryServices({ clock }));
    const v1 = compileFlow({ flow: flowOf(MENU_FLOW) }, { version: 'v1' });
    engine.publish(v1);
    const first = engine.startCall(new SimulatedPhone(clock, { callId: 'a' }));
    const v2 = compileFlow({ flow: flowOf(MENU_FLOW.replace('"2": sub', '"2": one')) }, { version: 'v2' });
    engine.publish(v2);
    const second = engine.startCall(new SimulatedPhone(clock, { callId: 'b' }));
    expect(first.flow.version).toBe('v1');
    expect(second.flow.version).toBe('v2');
    expect(engine.flow('semantics')?.version).toBe('v2');
    expect(engine.flowVersion('semantics', 'v1')).toBe(v1);
    // Compiled once per version: calls share the machine, each runs its own actor.
    const third = engine.startCall(new SimulatedPhone(clock, { callId: 'c' }));
    expect(third.flow.machine).toBe(second.flow.machine);
    expect(engine.liveCalls.size).toBe(3);
  });

  it('keeps the current and previous versions and those live calls use; drops the rest and closes their data sources', async () => {
    const clock = new VirtualClock(START);
    const opened: string[] = [];
    const closed: string[] = [];
    let building = '';
    const data: DataSourceFactory = {
      create: () => {
        const id = building;
        opened.push(id);
        return { lookup: async () => ({ status: 'notFound' }), close: () => void closed.push(id) };
      },
    };
    const engine = new Engine({ ...createInMemoryServices({ clock }), data });
    const LOOKUP = `
flow: lk
language: en
start: find
prompts: { p: { text: "Hello", duration: 1s } }
data: { src: { file: { path: s.csv, key: id } } }
steps:
  find: { lookup: { source: src, key: "1", into: r }, found: m, notFound: m, error: m }
  m: { menu: { prompt: p, options: { "1": bye } } }
  bye: { hangup: [p] }
`;
    const versions = Array.from({ length: 60 }, (_, i) => compileFlow({ flow: flowOf(LOOKUP) }, { version: String(i + 1) }));
    const callOn = async (i: number) => {
      building = String(i + 1);
      const phone = new SimulatedPhone(clock, { callId: `call-${i + 1}` });
      const call = engine.startCall(phone);
      await settle();
      return { phone, call };
    };
    engine.publish(versions[0]!);
    const first = await callOn(0);
    for (let i = 1; i < 60; i++) {
      engine.publish(versions[i]!);
      // A short call on each version opens its data source; it ends before the next publish.
      const { phone, call } = await callOn(i);
      phone.hangupByCaller();
      await call.done;
    }
    const kept = versions.filter((v) => engine.flowVersion('lk', v.version)).map((v) => v.version);
    expect(opened).toHaveLength(60);
    expect(kept).toEqual(['1', '59', '60']);
    expect(closed).toEqual(opened.filter((id) => !['1', '59', '60'].includes(id)));
    // The long call ends: its version goes, and so does its data source.
    first.phone.hangupByCaller();
    await first.call.done;
    expect(engine.flowVersion('lk', '1')).toBeUndefined();
    expect(closed).toContain('1');
    expect(engine.flow('lk')).toBe(versions[59]);

    // A canary call: the canary is published for one call, then the stable version is put back. Neither is
    // dropped on the way, so the stable version's data source stays open.
    const stable = versions[59]!;
    const canary = versions[58]!;
    const closedBefore = closed.length;
    engine.publish(canary);
    const onCanary = engine.startCall(new SimulatedPhone(clock, { callId: 'canary-1' }));
    engine.publish(stable);
    expect(onCanary.flow).toBe(canary);
    expect(closed.slice(closedBefore)).toEqual([]);
    expect(engine.flowVersion('lk', '60')).toBe(stable);
  });

  it('facts.flow picks the flow; an unknown name falls back to the default', async () => {
    const clock = new VirtualClock(START);
    const engine = new Engine(createInMemoryServices({ clock }));
    engine.publish(compileFlow({ flow: flowOf(MENU_FLOW) }));
    engine.publish(compileFlow({ flow: flowOf(EVERYTHING) }));
    expect(engine.startCall(new SimulatedPhone(clock, { callId: 'a', flow: 'everything' })).flow.name).toBe('everything');
    expect(engine.startCall(new SimulatedPhone(clock, { callId: 'b', flow: 'nope' })).flow.name).toBe('semantics');
    expect(engine.startCall(new SimulatedPhone(clock, { callId: 'c' }), 'everything').flow.name).toBe('everything');
  });

  it('listeners see calls start, steps and calls end; unsubscribing stops them', async () => {
    const rig = await startCall(MENU_FLOW);
    const steps: string[] = [];
    const ended: string[] = [];
    const off = rig.engine.onStep((_s, step) => steps.push(step));
    rig.engine.onCallEnded((s) => ended.push(s.id));
    await rig.advance(3000);
    expect(steps).toEqual(['main']);
    off();
    await rig.press('2');
    expect(steps).toEqual(['main']);
    rig.phone.hangupByCaller();
    await rig.call.done;
    expect(ended).toEqual(['call-1']);
  });

  it('a step listener sees the session already at that step, from the very first step on', async () => {
    const clock = new VirtualClock(START);
    const engine = new Engine(createInMemoryServices({ clock }));
    engine.publish(compileFlow({ flow: flowOf(MENU_FLOW) }));
    const seen: string[] = [];
    engine.onStep((s, step) => seen.push(`${step}=${s.step}`));
    engine.startCall(new SimulatedPhone(clock, { callId: 'a' }));
    await clock.advance(1000);
    expect(seen).toEqual(['intro=intro', 'main=main']);
  });

  it('drain refuses new calls and resolves when the live ones end', async () => {
    const rig = await startCall(MENU_FLOW);
    let drained = false;
    const done = rig.engine.drain().then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    const seen: string[] = [];
    rig.engine.onCallStarted((s) => seen.push(`started ${s.id}`));
    rig.engine.onCallEnded((s) => seen.push(`ended ${s.id}`));
    const refused = rig.engine.startCall(new SimulatedPhone(rig.clock, { callId: 'late' }));
    expect(refused.outcome).toMatchObject({ kind: 'failed', code: 'draining' });
    // Listeners that count live calls see the refused call both start and end.
    expect(seen).toEqual(['started late', 'ended late']);
    rig.phone.hangupByCaller();
    await done;
    expect(drained).toBe(true);
  });

  it('resumes a call from its snapshot on a new port (after an ARI reconnect) and goes on', async () => {
    const rig = await startCall(MENU_FLOW);
    await rig.advance(2000); // the menu prompt is playing
    const snap = JSON.parse(JSON.stringify(rig.call.snapshot()));
    // The old link is gone: a new engine process takes the call back on a new port.
    const engine = new Engine(rig.services);
    engine.publish(rig.flow);
    const phone = new SimulatedPhone(rig.clock, { callId: 'call-1' });
    phone.answer();
    const resumed = engine.resumeCall(phone, rig.flow.name, rig.flow.version, snap);
    await settle();
    expect(resumed.step).toBe('main');
    // The prompt that was playing is gone; the first-digit timer runs from the resume.
    await rig.clock.advance(5000);
    expect(resumed.trace.some((e) => e.type === 'timer' && e.timer === 'noInput')).toBe(true);
    phone.press('2');
    await settle();
    expect(resumed.step).toBe('sub');
    // New prompts are numbered on from the lost one, so a late report of the lost prompt cannot end a new one.
    const seq = (id: string): number => Number(id.split(':p')[1]);
    expect(snap.playbackId).toMatch(/:p\d+$/);
    expect(phone.playbacks.length).toBeGreaterThan(0);
    for (const p of phone.playbacks) expect(seq(p.id)).toBeGreaterThan(seq(snap.playbackId));
    phone.hangupByCaller();
    expect(await resumed.done).toEqual({ kind: 'hungup', step: 'sub' });
  });

  it('a prompt that cannot be played is traced and logged with the call and step, and the flow goes on', async () => {
    const warnings: Array<{ obj: Record<string, unknown>; msg: string }> = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (obj: object, msg?: string) => void warnings.push({ obj: obj as Record<string, unknown>, msg: msg ?? '' }) };
    const rig = await startCall(
      `
flow: missing
language: en
start: hello
prompts: { hi: { sound: acme/hi, text: "Welcome" }, bye: { sound: acme/bye, text: "Goodbye" } }
steps:
  hello: { play: hi, next: bye }
  bye: { hangup: [bye] }
`,
      { services: { logger }, behaviour: { missingSounds: ['acme/hi'] } },
    );
    await rig.advance(5000);
    expect(await rig.call.done).toEqual({ kind: 'completed', step: 'bye' });
    expect(rig.call.trace.find((e) => e.type === 'note' && e.code === 'playback-failed')).toMatchObject({
      step: 'hello',
      message: 'A prompt could not be played (sound `acme/hi` not found); the flow went on as if it had ended.',
    });
    expect(warnings).toEqual([
      {
        obj: { callId: 'call-1', step: 'hello', playbackId: 'call-1:p1', reason: 'sound `acme/hi` not found', code: 'playback-failed' },
        msg: 'call `call-1` at step `hello`: a prompt could not be played (sound `acme/hi` not found); check the sound files in the sounds folder',
      },
    ]);
  });

  describe('a call taken back without its saved state begins at the error step', () => {
    const WITH_ERROR = `
flow: recover
language: en
start: hello
defaults: { error: sorry }
prompts: { hi: "Welcome", oops: "Sorry, let me get you someone" }
departments: { operator: { dial: PJSIP/operator } }
steps:
  hello: { play: hi, next: bye }
  sorry: { transfer: operator, prompt: oops }
  bye: { hangup: true }
`;

    it('skips the greeting, plays the error step and says why in the trace', async () => {
      const clock = new VirtualClock(START);
      const engine = new Engine(createInMemoryServices({ clock }));
      engine.publish(compileFlow({ flow: flowOf(WITH_ERROR) }));
      const entered: string[] = [];
      engine.onStep((_s, step) => entered.push(step));
      const phone = new SimulatedPhone(clock, { callId: 'lost-1' });
      const call = engine.startCall(phone, 'recover', { atErrorBecause: 'no saved state' });
      await settle();
      expect(entered).toEqual(['sorry']);
      expect(phone.playbacks.map((p) => p.media.map((m) => (m.kind === 'sound' ? m.prompt : m.kind)).join('+'))).toEqual(['oops']);
      expect(call.trace.find((e) => e.type === 'note' && e.code === 'not-resumed')).toMatchObject({
        message: 'The call was taken back without its saved state (no saved state); it begins at the error step `sorry`.',
      });
      // A new call of the same flow still begins at the start.
      const fresh = engine.startCall(new SimulatedPhone(clock, { callId: 'new-1' }), 'recover');
      await settle();
      expect(fresh.step).toBe('hello');
    });

    it('is refused for a flow without an error step, so the caller goes to the dialplan fallback instead', () => {
      const engine = new Engine(createInMemoryServices({ clock: new VirtualClock(START) }));
      engine.publish(compileFlow({ flow: flowOf(WITH_ERROR.replace('defaults: { error: sorry }\n', '')) }));
      expect(() => engine.startCall(new SimulatedPhone(new VirtualClock(START), { callId: 'lost-2' }), 'recover', { atErrorBecause: 'no saved state' })).toThrow(
        /has no error step \(`defaults.error`\); call `lost-2` cannot begin there/,
      );
    });

    it('keeps resuming saved snapshots at their own step', async () => {
      const rig = await startCall(WITH_ERROR);
      expect(rig.call.step).toBe('hello');
      const snap = JSON.parse(JSON.stringify(rig.call.snapshot()));
      rig.phone.hangupByCaller();
      const engine = new Engine(rig.services);
      engine.publish(rig.flow);
      const entered: string[] = [];
      engine.onStep((_s, step) => entered.push(step));
      const resumed = engine.resumeCall(new SimulatedPhone(rig.clock, { callId: 'call-1' }), rig.flow.name, rig.flow.version, snap);
      await settle();
      // The greeting that was playing is lost with the old link, so the flow goes on from `hello` to `bye`.
      expect(entered).toEqual(['bye']);
      expect(resumed.trace.some((e) => e.type === 'note' && e.code === 'not-resumed')).toBe(false);
    });
  });

  it('resumes a call that was waiting for a lookup: the lookup is asked again and the call goes on', async () => {
    const flow = `
flow: resume-lookup
language: en
start: find
data: { accounts: { file: { path: a.csv, key: id } } }
steps:
  find:
    lookup: { source: accounts, key: "42", into: acct }
    found: yes
    notFound: no
    error: no
  yes: { hangup: true }
  no: { hangup: true }
`;
    const rig = await startCall(flow, { services: { data: { accounts: { records: [{ id: '42' }], delay: 1000 } } } });
    await rig.advance(500);
    const snap = JSON.parse(JSON.stringify(rig.call.snapshot()));
    rig.phone.hangupByCaller(); // the old session goes away with the old link
    const engine = new Engine(rig.services);
    engine.publish(rig.flow);
    const phone = new SimulatedPhone(rig.clock, { callId: 'call-1' });
    phone.answer();
    const resumed = engine.resumeCall(phone, rig.flow.name, rig.flow.version, snap);
    await rig.clock.advance(1000);
    expect(await resumed.done).toEqual({ kind: 'completed', step: 'yes' });
    expect(resumed.vars['acct']).toEqual({ id: '42' });
  });
});

