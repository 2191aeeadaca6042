/**
 * `takeBack` decisions on a virtual clock, with a recording port and a stand-in engine: every call found is either
 * resumed or sent to the safe destination within the bound, never left silent, and each decision is logged with
 * the call id and step.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/runtime/clock.js';
import type { CallOutcome, CallRecordSink, Logger } from '../../src/runtime/services.js';
import type { CallPort, PortEvent } from '../../src/telephony/port.js';
import { closeOrphaned, takeBack, type TakeBackOptions } from '../../src/server/call-persistence.js';
import type { CallSessionLike, CompiledFlowLike, EngineLike } from '../../src/server/contracts.js';
import type { LiveCallRow, LiveCalls } from '../../src/store/index.js';

const SAFE = { kind: 'dialplan', context: 'touchtone-fallback', extension: 's', priority: 1 } as const;

function port(callId: string) {
  const commands: string[] = [];
  let listener: ((event: PortEvent) => void) | undefined;
  const p = {
    facts: { callId, channel: 'PJSIP/x', caller: '', dialled: '100', args: {} },
    onEvent: (fn: (event: PortEvent) => void) => void (listener = fn),
    transfer: (target: { kind: string; context?: string }) => void commands.push(`transfer ${target.context}`),
    hangup: (reason: string) => void commands.push(`hangup ${reason}`),
    stopPlayback: (id: string) => void commands.push(`stop ${id}`),
  } as unknown as CallPort;
  return { port: p, commands, emit: (event: PortEvent) => listener?.(event), claimed: () => listener !== undefined };
}

function snapshotOf(callId: string, step = 'pick') {
  return { format: 1, callId, flow: 'demo', version: '2', startedAt: 0, actor: { status: 'active', context: { call: { step } } } };
}

function rig(overrides: Partial<TakeBackOptions> & { rows?: LiveCallRow[]; loaded?: boolean; errorStep?: string } = {}) {
  const clock = new VirtualClock(0);
  const logs: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void logs.push({ level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const rows = new Map((overrides.rows ?? []).map((r) => [r.id, r]));
  const removed: string[] = [];
  const liveCalls = { get: (id: string) => rows.get(id), remove: (id: string) => void removed.push(id) } as unknown as LiveCalls;
  const ended: Array<{ id: string; outcome: CallOutcome }> = [];
  const records = { callEnded: (id: string, outcome: CallOutcome) => void ended.push({ id, outcome }) } as unknown as CallRecordSink;
  const flow = { name: 'demo', version: '2', doc: overrides.errorStep ? { defaults: { error: overrides.errorStep } } : {} } as unknown as CompiledFlowLike;
  const resumed: string[] = [];
  const engine = {
    flow: () => ({ ...flow, version: '3' }),
    flowVersion: (_n: string, v: string) => (overrides.loaded !== false && v === '2' ? flow : undefined),
    resumeCall: (p: CallPort) => {
      resumed.push(p.facts.callId);
      return { id: p.facts.callId, step: 'pick' } as CallSessionLike;
    },
    publish: () => undefined,
  } as unknown as EngineLike;
  const handler = takeBack({
    engine,
    liveCalls,
    versions: { get: () => undefined },
    load: () => ({ diagnostics: [] }),
    compile: () => flow,
    fileOf: () => undefined,
    resume: (p, f, v, s) => engine.resumeCall!(p, f, v, s),
    accepting: () => true,
    safeDestination: SAFE,
    records,
    clock,
    logger,
    ...overrides,
  });
  return { clock, handler, logs, removed, ended, resumed };
}

/** A `startAtError` that records the calls it began. */
function errorStarts(fail?: string) {
  const begun: Array<{ callId: string; flow: string; reason: string }> = [];
  const startAtError = (p: CallPort, flow: string, reason: string): CallSessionLike => {
    if (fail) throw new Error(fail);
    begun.push({ callId: p.facts.callId, flow, reason });
    return { id: p.facts.callId, step: 'oops' } as CallSessionLike;
  };
  return { begun, startAtError };
}

const row = (id: string, snapshot: unknown = snapshotOf(id)): LiveCallRow => ({ id, flow: 'demo', version: '2', snapshot, updatedAt: 0 });

describe('takeBack', () => {
  it('resumes a call with a usable saved state on a loaded version, and logs the step', () => {
    const r = rig({ rows: [row('c1')] });
    const c = port('c1');
    r.handler(c.port, { reason: 'reconnect' });
    expect(r.resumed).toEqual(['c1']);
    expect(c.commands).toEqual([]);
    expect(r.logs.find((l) => l.obj.callId === 'c1')).toMatchObject({ level: 'info', obj: { step: 'pick', reason: 'reconnect' } });
  });

  it.each([
    ['no saved state', undefined],
    ['saved state unreadable', row('c1', { format: 1, callId: 'other', actor: {} })],
    ['saved state unreadable', row('c1', 'garbage')],
  ])('%s: safe destination at once, record closed, row removed, the call claimed', (reason, saved) => {
    const r = rig({ rows: saved ? [saved] : [] });
    const c = port('c1');
    r.handler(c.port, { reason: 'startup' });
    expect(c.commands).toEqual(['transfer touchtone-fallback']);
    expect(c.claimed()).toBe(true);
    expect(r.ended).toEqual([{ id: 'c1', outcome: { kind: 'transferred', step: '', department: 'touchtone-fallback' } }]);
    expect(r.removed).toEqual(['c1']);
    expect(r.logs.find((l) => l.obj.code === 'call-not-resumed')?.msg).toContain(reason);
  });

  it('while the server stops, a call with a saved state still goes to the safe destination', () => {
    const r = rig({ rows: [row('c1')], accepting: () => false });
    const c = port('c1');
    r.handler(c.port, { reason: 'reconnect' });
    expect(r.resumed).toEqual([]);
    expect(c.commands).toEqual(['transfer touchtone-fallback']);
    expect(r.ended[0]?.outcome.step).toBe('pick');
  });

  it('a resume that throws sends the call to the safe destination with the reason', () => {
    const r = rig({
      rows: [row('c1')],
      resume: () => {
        throw new Error('snapshot does not fit the machine');
      },
    });
    const c = port('c1');
    r.handler(c.port, { reason: 'startup' });
    expect(c.commands).toEqual(['transfer touchtone-fallback']);
    expect(r.logs.find((l) => l.obj.code === 'call-not-resumed')?.msg).toContain('snapshot does not fit the machine');
  });

  it("a saved state that cannot be resumed still stops the prompt it names first: the hand-over does not wait for it", () => {
    const r = rig({
      rows: [row('c1', { ...snapshotOf('c1'), playbackId: 'c1:p3' })],
      resume: () => {
        throw new Error('snapshot does not fit the machine');
      },
    });
    const c = port('c1');
    r.handler(c.port, { reason: 'startup' });
    expect(c.commands).toEqual(['stop c1:p3', 'transfer touchtone-fallback']);
    // An unreadable one too, as long as it names a prompt.
    const u = rig({ rows: [row('c2', { format: 99, playbackId: 'c2:p1' })] });
    const d = port('c2');
    u.handler(d.port, { reason: 'startup' });
    expect(d.commands).toEqual(['stop c2:p1', 'transfer touchtone-fallback']);
  });

  it('a saved state the machine refuses (the session hangs up while it starts) goes to the safe destination, not a hang-up', () => {
    const r = rig({
      rows: [row('c1')],
      resume: (p) => {
        p.hangup('internal-error');
        return { id: 'c1', step: '' } as CallSessionLike;
      },
    });
    const c = port('c1');
    r.handler(c.port, { reason: 'startup' });
    expect(c.commands).toEqual(['transfer touchtone-fallback']);
    expect(r.logs.find((l) => l.obj.code === 'call-not-resumed')?.msg).toContain('resume failed: internal-error');
  });

  it('after a resume, hang-ups and commands reach the real port', () => {
    let resumedPort: CallPort | undefined;
    const r = rig({
      rows: [row('c1')],
      resume: (p) => {
        resumedPort = p;
        p.onEvent(() => undefined);
        return { id: 'c1', step: 'pick' } as CallSessionLike;
      },
    });
    const c = port('c1');
    r.handler(c.port, { reason: 'startup' });
    expect(c.claimed()).toBe(true);
    resumedPort!.transfer({ kind: 'dialplan', context: 'sales', extension: 's', priority: 1 });
    resumedPort!.hangup('normal');
    expect(c.commands).toEqual(['transfer sales', 'hangup normal']);
  });

  it('a version that cannot be rebuilt in time goes to the safe destination at the bound, once', async () => {
    const r = rig({ rows: [row('c1')], loaded: false, boundMs: 1500, versions: { get: () => ({ flow: 'demo', version: '2', source: 'x', hash: 'h', publishedAt: 0, publishedBy: '', note: '', file: 'demo.yaml' }) }, load: () => new Promise(() => undefined) });
    const c = port('c1');
    r.handler(c.port, { reason: 'startup' });
    await r.clock.advance(1499);
    expect(c.commands).toEqual([]);
    await r.clock.advance(1);
    expect(c.commands).toEqual(['transfer touchtone-fallback']);
    expect(r.logs.find((l) => l.obj.code === 'call-not-resumed')?.msg).toContain('not ready within 1500 ms');
  });

  it('a version the store does not keep goes to the safe destination', async () => {
    const r = rig({ rows: [row('c1')], loaded: false });
    const c = port('c1');
    r.handler(c.port, { reason: 'startup' });
    await r.clock.advance(0);
    await Promise.resolve();
    expect(c.commands).toEqual(['transfer touchtone-fallback']);
    expect(r.logs.find((l) => l.obj.code === 'call-not-resumed')?.msg).toContain('is not available');
  });

  it('a failed hand-over to the safe destination hangs up rather than leave silence', () => {
    const r = rig();
    const c = port('c1');
    r.handler(c.port, { reason: 'startup' });
    c.emit({ type: 'transfer.result', outcome: 'failed', reason: 'no such context' });
    expect(c.commands).toEqual(['transfer touchtone-fallback', 'hangup safe-destination-failed']);
    expect(r.logs.some((l) => l.level === 'error' && l.obj.code === 'safe-destination-failed')).toBe(true);
  });

  describe("a flow with an error step is its own safe destination", () => {
    it('no saved state: the call begins at the error step, stays in Stasis, and the old row is dropped', () => {
      const starts = errorStarts();
      const r = rig({ errorStep: 'oops', startAtError: starts.startAtError });
      const c = port('c1');
      (c.port.facts as { flow?: string }).flow = 'demo';
      r.handler(c.port, { reason: 'startup' });
      expect(starts.begun).toEqual([{ callId: 'c1', flow: 'demo', reason: 'no saved state' }]);
      expect(c.commands).toEqual([]);
      // The new session writes its own record; nothing is closed here.
      expect(r.ended).toEqual([]);
      expect(r.removed).toEqual(['c1']);
      expect(r.logs.find((l) => l.obj.code === 'call-not-resumed')).toMatchObject({
        level: 'warn',
        obj: { callId: 'c1', destination: 'oops' },
        msg: "call `c1` was not resumed (no saved state); it begins at the flow's error step `oops`",
      });
    });

    it('a saved state that cannot be resumed: the flow is the saved one, whatever the channel says', () => {
      const starts = errorStarts();
      const r = rig({ rows: [row('c1')], errorStep: 'oops', startAtError: starts.startAtError, resume: () => {
        throw new Error('snapshot does not fit the machine');
      } });
      const c = port('c1');
      r.handler(c.port, { reason: 'reconnect' });
      expect(starts.begun).toEqual([{ callId: 'c1', flow: 'demo', reason: 'resume failed: snapshot does not fit the machine' }]);
      expect(c.commands).toEqual([]);
    });

    it('while the server stops, the dialplan fallback is used instead', () => {
      const starts = errorStarts();
      const r = rig({ rows: [row('c1')], errorStep: 'oops', startAtError: starts.startAtError, accepting: () => false });
      const c = port('c1');
      r.handler(c.port, { reason: 'reconnect' });
      expect(starts.begun).toEqual([]);
      expect(c.commands).toEqual(['transfer touchtone-fallback']);
    });

    it('when the error step cannot begin, the dialplan fallback is used and the failure logged', () => {
      const starts = errorStarts('the engine is draining');
      const r = rig({ rows: [row('c1', 'garbage')], errorStep: 'oops', startAtError: starts.startAtError });
      const c = port('c1');
      r.handler(c.port, { reason: 'startup' });
      expect(c.commands).toEqual(['transfer touchtone-fallback']);
      expect(r.logs.find((l) => l.level === 'error')?.msg).toBe('call `c1` could not begin at the error step; it goes to the safe destination');
      expect(r.logs.find((l) => l.obj.code === 'call-not-resumed')?.obj.destination).toBe('touchtone-fallback');
    });

    it('a call with no flow name at all goes to the dialplan fallback', () => {
      const starts = errorStarts();
      const r = rig({ errorStep: 'oops', startAtError: starts.startAtError });
      const c = port('c1');
      r.handler(c.port, { reason: 'startup' });
      expect(starts.begun).toEqual([]);
      expect(c.commands).toEqual(['transfer touchtone-fallback']);
    });

    it('a caller kept in a conversation begins at the error step when the department hangs up', () => {
      const starts = errorStarts();
      const r = rig({ errorStep: 'oops', startAtError: starts.startAtError });
      const c = port('c1');
      (c.port.facts as { flow?: string }).flow = 'demo';
      r.handler(c.port, { reason: 'startup', bridged: true });
      expect(r.logs.find((l) => l.obj.code === 'call-kept-bridged')?.msg).toContain("goes to the flow's error step `oops` if the department hangs up first");
      expect(starts.begun).toEqual([]);
      c.emit({ type: 'transfer.ended', reason: 'the agent hung up' });
      expect(starts.begun).toEqual([{ callId: 'c1', flow: 'demo', reason: 'the department hung up' }]);
      expect(c.commands).toEqual([]);
      expect(r.logs.find((l) => l.obj.code === 'call-after-bridge')?.obj.destination).toBe('oops');
    });
  });

  describe('a caller talking to a department (the adapter found its transfer bridge)', () => {
    it('with no saved state: stays in the conversation; when the department hangs up, goes to the safe destination', () => {
      const r = rig();
      const c = port('c1');
      r.handler(c.port, { reason: 'startup', bridged: true });
      // Not pulled out of the bridge, not hung up, and the flow's record (closed when its flow ended) is left alone.
      expect(c.commands).toEqual([]);
      expect(c.claimed()).toBe(true);
      expect(r.ended).toEqual([]);
      expect(r.logs.find((l) => l.obj.callId === 'c1')).toMatchObject({ level: 'info', obj: { code: 'call-kept-bridged' } });
      c.emit({ type: 'transfer.ended', reason: 'the agent hung up' });
      expect(c.commands).toEqual(['transfer touchtone-fallback']);
      expect(r.logs.some((l) => l.obj.code === 'call-after-bridge')).toBe(true);
    });

    it('with a saved state the engine cannot resume: stays bridged, and its open record is closed `transferred`', () => {
      const r = rig({ rows: [row('c1', snapshotOf('c1', 'agent'))], accepting: () => false });
      const c = port('c1');
      r.handler(c.port, { reason: 'startup', bridged: true });
      expect(c.commands).toEqual([]);
      expect(r.ended).toEqual([{ id: 'c1', outcome: { kind: 'transferred', step: 'agent', department: 'unknown' } }]);
      expect(r.removed).toEqual(['c1']);
      expect(r.logs.find((l) => l.obj.code === 'call-kept-bridged')?.msg).toContain('the server is stopping');
    });

    it('with a usable saved state: resumed like any call (the flow waits for the department to hang up)', () => {
      const r = rig({ rows: [row('c1', snapshotOf('c1', 'agent'))] });
      const c = port('c1');
      r.handler(c.port, { reason: 'startup', bridged: true });
      expect(r.resumed).toEqual(['c1']);
      expect(c.commands).toEqual([]);
    });
  });

  it('a transfer result the port held from before the take-back is not taken for the hand-over\'s own', () => {
    const r = rig();
    const c = port('c1');
    // The adapter reports the previous process's ringing transfer as failed; the listener hears it first.
    const held = c.port.onEvent;
    (c.port as { onEvent: CallPort['onEvent'] }).onEvent = (fn) => {
      held(fn);
      fn({ type: 'transfer.result', outcome: 'failed', reason: 'the engine restarted while the department was ringing' });
    };
    r.handler(c.port, { reason: 'startup' });
    expect(c.commands).toEqual(['transfer touchtone-fallback']);
  });
});

describe('closeOrphaned', () => {
  function orphanRig(held: string[] = []) {
    const rows = new Map([['c1', { id: 'c1', flow: 'demo', version: '2', snapshot: snapshotOf('c1', 'pick') } as unknown as LiveCallRow]]);
    const removed: string[] = [];
    const ended: Array<{ id: string; outcome: CallOutcome }> = [];
    const logs: Array<{ obj: Record<string, unknown>; msg: string }> = [];
    const warn = (obj: object, msg?: string) => void logs.push({ obj: obj as Record<string, unknown>, msg: msg ?? '' });
    const handler = closeOrphaned({
      liveCalls: { get: (id: string) => rows.get(id), remove: (id: string) => void removed.push(id) } as unknown as LiveCalls,
      records: { callEnded: (id: string, outcome: CallOutcome) => void ended.push({ id, outcome }) } as unknown as CallRecordSink,
      clock: new VirtualClock(0),
      logger: { debug: () => undefined, info: () => undefined, warn, error: () => undefined },
      holds: (id) => held.includes(id),
      safeDestination: SAFE,
    });
    return { handler, removed, ended, logs };
  }

  it('closes the record of a call the adapter let go where it went, at its saved step, and removes its saved state', () => {
    const r = orphanRig();
    r.handler({ callId: 'c1' }, { reason: 'not claimed within the orphan limit', handedTo: 'dialplan' });
    expect(r.ended).toEqual([{ id: 'c1', outcome: { kind: 'transferred', step: 'pick', department: 'touchtone-fallback' } }]);
    expect(r.removed).toEqual(['c1']);
    expect(r.logs[0]).toMatchObject({ obj: { callId: 'c1', code: 'call-orphaned', step: 'pick' }, msg: 'call `c1` was let go by the ARI adapter (not claimed within the orphan limit); sent to the safe destination `touchtone-fallback`' });
    r.handler({ callId: 'c2' }, { reason: 'no call handler', handedTo: 'hangup' });
    expect(r.ended[1]).toEqual({ id: 'c2', outcome: { kind: 'hungup', step: '' } });
  });

  it('leaves a call with a session here to that session', () => {
    const r = orphanRig(['c1']);
    r.handler({ callId: 'c1' }, { reason: 'event socket down past the orphan limit', handedTo: 'dialplan' });
    expect(r.ended).toEqual([]);
    expect(r.removed).toEqual([]);
  });
});
