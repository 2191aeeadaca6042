import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.js';
import type { PortEvent } from '../port.js';
import { SimulatedPhone, mediaDurationMs } from './simulated-phone.js';
import { SimulatorAdapter } from './simulator-adapter.js';

function phone(behaviour = {}) {
  const clock = new VirtualClock();
  const p = new SimulatedPhone(clock, { callId: 'x', caller: '1' }, behaviour);
  const events: PortEvent[] = [];
  p.onEvent((e) => events.push(e));
  p.answer();
  return { clock, p, events };
}

describe('SimulatedPhone', () => {
  it('refuses a key no phone has, before pressing any', () => {
    const { p, events } = phone();
    expect(() => p.press('1x2')).toThrow('`x` in `1x2` is not a phone key; press keys from `0-9 * # A-D`.');
    expect(() => p.press('x')).toThrow(expect.objectContaining({ name: 'RangeError', code: 'invalid-key' }));
    expect(events).toEqual([]);
    p.press('1#');
    expect(events).toEqual([{ type: 'key', digit: '1' }, { type: 'key', digit: '#' }]);
  });

  it('plays for the modelled duration, then reports finished', async () => {
    const { clock, p, events } = phone();
    p.play('p1', [{ kind: 'sound', name: 's', text: 'x'.repeat(20) }, { kind: 'digits', value: '12' }]);
    expect(p.playbacks[0]?.durationMs).toBe(1200 + 800);
    await clock.advance(1999);
    expect(events).toEqual([]);
    await clock.advance(1);
    expect(events).toEqual([{ type: 'playback.finished', playbackId: 'p1', outcome: 'finished' }]);
  });

  it('the duration model: sound duration, else 60 ms a character (400 ms at least), numbers, silence', () => {
    expect(mediaDurationMs({ kind: 'sound', name: 's', durationMs: 777 })).toBe(777);
    expect(mediaDurationMs({ kind: 'sound', name: 's', text: 'hi' })).toBe(400);
    expect(mediaDurationMs({ kind: 'number', value: '12345' })).toBe(1500);
    expect(mediaDurationMs({ kind: 'silence', durationMs: 250 })).toBe(250);
  });

  it('stopping a playback reports it stopped at once', () => {
    const { p, events } = phone();
    p.play('p1', [{ kind: 'sound', name: 's' }]);
    p.stopPlayback('p1');
    expect(events).toEqual([{ type: 'playback.finished', playbackId: 'p1', outcome: 'stopped' }]);
    expect(p.playbacks[0]?.outcome).toBe('stopped');
  });

  it('keys are events; after a hangup they are ignored and no timer is left', () => {
    const { clock, p, events } = phone();
    p.play('p1', [{ kind: 'sound', name: 's' }]);
    p.press('1#');
    p.hangupByCaller();
    p.press('2');
    expect(events.map((e) => e.type)).toEqual(['key', 'key', 'hangup']);
    expect(p.state).toBe('ended');
    expect(clock.pending).toBe(0);
    expect(p.hasListener).toBe(false);
  });

  it('transfers ring and answer by department endpoint or its last part', async () => {
    const { clock, p, events } = phone({ departments: { sales: 'busy' } });
    p.transfer({ kind: 'dial', endpoint: 'PJSIP/sales', ringTimeoutMs: 20_000 });
    await clock.advance(1000);
    expect(events).toEqual([{ type: 'transfer.result', outcome: 'busy' }]);
  });

  it('a transfer that `returns` stays bridged for `talkMs`, keys going to the department, then reports it ended', async () => {
    const { clock, p, events } = phone({ talkMs: 10_000 });
    p.transfer({ kind: 'dial', endpoint: 'PJSIP/sales', ringTimeoutMs: 20_000, returns: true });
    await clock.advance(2000);
    expect(events).toEqual([{ type: 'transfer.result', outcome: 'answered' }]);
    expect(p.left).toBeUndefined();
    expect(p.bridgedTo).toMatchObject({ endpoint: 'PJSIP/sales' });
    p.press('5');
    await clock.advance(9999);
    expect(events).toHaveLength(1);
    await clock.advance(1);
    expect(events.slice(1)).toEqual([{ type: 'transfer.ended', reason: 'department hung up' }]);
    expect(p.bridgedTo).toBeUndefined();
    // The caller is back in the flow: keys and playbacks reach it again.
    p.press('5');
    expect(events.at(-1)).toEqual({ type: 'key', digit: '5' });
    expect(p.hasListener).toBe(true);
  });

  it('`endBridge()` ends a bridge early; a plain answered transfer leaves the flow as before', async () => {
    const { clock, p, events } = phone();
    p.transfer({ kind: 'dial', endpoint: 'PJSIP/sales', ringTimeoutMs: 20_000, returns: true });
    await clock.advance(2000);
    p.endBridge();
    p.endBridge();
    expect(events.filter((e) => e.type === 'transfer.ended')).toHaveLength(1);
    expect(clock.pending).toBe(0);
    const plain = phone();
    plain.p.transfer({ kind: 'dial', endpoint: 'PJSIP/sales', ringTimeoutMs: 20_000 });
    await plain.clock.advance(2000);
    expect(plain.p.left).toMatchObject({ kind: 'transferred' });
    expect(plain.p.hasListener).toBe(false);
  });

  it('records until the terminator', async () => {
    const { clock, p, events } = phone();
    p.record('r1', { name: 'r1', maxDurationMs: 60_000, maxSilenceMs: 5000, beep: true, terminator: '#' });
    await clock.advance(2500);
    p.press('#');
    expect(events).toEqual([{ type: 'recording.finished', recordingId: 'r1', outcome: 'finished', durationMs: 2500 }]);
  });
});

describe('SimulatorAdapter', () => {
  it('hands placed calls to the handler once started', async () => {
    const adapter = new SimulatorAdapter(new VirtualClock());
    const calls: string[] = [];
    adapter.onCall((call) => calls.push(call.facts.callId));
    expect(adapter.placeCall({ callId: 'early' }).state).toBe('ended');
    await adapter.start();
    const p = adapter.placeCall({ callId: 'a', caller: '+49' });
    expect(calls).toEqual(['a']);
    expect(p.facts).toMatchObject({ callId: 'a', caller: '+49' });
  });
});
