import { describe, expect, it } from 'vitest';
import { problems } from '../../flow/mini-flow.js';
import { startCall } from '../../../test/engine/helpers.js';
import type { DepartmentTarget, PortEventListener } from '../../telephony/port.js';
import { Engine } from '../../runtime/engine.js';
import { SimulatedPhone } from '../../telephony/simulator/simulated-phone.js';

const FLOW = (branches: string) => `
flow: transfers
language: en
start: go
prompts: { connecting: { text: "Connecting", duration: 1s } }
departments:
  sales: { dial: PJSIP/sales, ringTimeout: 20s }
  desk: { context: desk-in, extension: "200" }
  support: { queue: support }
queues: { support: { asteriskQueue: support-q } }
steps:
  go: { transfer: sales, prompt: connecting${branches} }
  busy: { hangup: true }
  noanswer: { hangup: true }
  failed: { hangup: true }
  answered: { hangup: true }
  desk: { transfer: desk }
  queue: { transfer: support }
`;

describe('transfer', () => {
  it('plays the announcement, then dials the department the flow names; answered ends the flow as transferred', async () => {
    const rig = await startCall(FLOW(''));
    expect(rig.heard()).toEqual(['connecting']);
    expect(rig.phone.commands.some((c) => c.command === 'transfer')).toBe(false);
    await rig.advance(1000);
    const transfer = rig.phone.commands.find((c) => c.command === 'transfer');
    expect(transfer?.args as DepartmentTarget).toEqual({ kind: 'dial', endpoint: 'PJSIP/sales', ringTimeoutMs: 20_000 });
    await rig.advance(2000);
    expect(await rig.call.done).toEqual({ kind: 'transferred', step: 'go', department: 'sales' });
  });

  it('sets the TOUCHTONE_* variables (flow, step, caller, call id, vars) before it dials, for the screen-pop', async () => {
    const rig = await startCall(FLOW(', vars: { account: "${call.caller}", vip: "yes" }'));
    await rig.advance(1000);
    expect(rig.phone.variables).toEqual({
      TOUCHTONE_FLOW: 'transfers',
      TOUCHTONE_STEP: 'go',
      TOUCHTONE_CALLER: '+4930123456',
      TOUCHTONE_CALL_ID: 'call-1',
      TOUCHTONE_ACCOUNT: '+4930123456',
      TOUCHTONE_VIP: 'yes',
    });
    const commands = rig.phone.commands.map((c) => c.command);
    expect(commands.indexOf('setVariables')).toBeLessThan(commands.indexOf('transfer'));
  });

  it('branches on busy, noAnswer (after the ring timeout) and failed', async () => {
    const branches = ', busy: busy, noAnswer: noanswer, failed: failed';
    for (const [outcome, step] of [
      ['busy', 'busy'],
      ['noAnswer', 'noanswer'],
      ['failed', 'failed'],
    ] as const) {
      const rig = await startCall(FLOW(branches), { behaviour: { departments: { sales: outcome } } });
      await rig.advance(1000 + 20_000);
      expect((await rig.call.done).step).toBe(step);
    }
  });

  it('an answered branch continues the flow when the department hangs up; a missing busy branch falls back to failed', async () => {
    const answered = await startCall(FLOW(', answered: answered'), { behaviour: { talkMs: 10_000 } });
    await answered.advance(3000 + 10_000);
    expect(await answered.call.done).toEqual({ kind: 'completed', step: 'answered' });
    const busy = await startCall(FLOW(', failed: failed'), { behaviour: { departments: { 'PJSIP/sales': 'busy' } } });
    await busy.advance(3000);
    expect((await busy.call.done).step).toBe('failed');
  });

  it('with no branch for a failure and no error step, the call ends failed / transfer-failed', async () => {
    const rig = await startCall(FLOW(''), { behaviour: { departments: { sales: 'busy' } } });
    await rig.advance(3000);
    expect(await rig.call.done).toMatchObject({ kind: 'failed', code: 'transfer-failed' });
  });

  describe('with an `answered` branch: bridged until the department hangs up, then back in the flow', () => {
    const BACK = FLOW(', answered: again')
      .replace('prompts: {', 'prompts: { welcomeBack: { text: "Anything else?", duration: 2s },')
      .replace('  answered: { hangup: true }', '  again: { play: [welcomeBack], next: answered }\n  answered: { hangup: true }\n  deskBack: { transfer: desk, answered: again }');

    it('waits without prompts or timers while bridged, then plays the `answered` step to its end', async () => {
      const rig = await startCall(BACK, { behaviour: { talkMs: 57_000 } });
      await rig.advance(1000);
      expect(rig.phone.commands.find((c) => c.command === 'transfer')?.args).toEqual({ kind: 'dial', endpoint: 'PJSIP/sales', ringTimeoutMs: 20_000, returns: true });
      await rig.advance(2000);
      expect(rig.phone.bridgedTo).toMatchObject({ endpoint: 'PJSIP/sales' });
      // Far past any flow timer: the bridged caller hears nothing from the flow, and keys go to the department.
      await rig.advance(50_000);
      await rig.press('1');
      expect(rig.call.ended).toBe(false);
      expect(rig.step()).toBe('go');
      expect(rig.heard()).toEqual(['connecting']);
      await rig.advance(7000);
      expect(rig.phone.bridgedTo).toBeUndefined();
      expect(rig.heard()).toEqual(['connecting', 'welcomeBack']);
      await rig.advance(2000);
      expect(await rig.call.done).toEqual({ kind: 'completed', step: 'answered' });
      expect(rig.call.trace).toContainEqual(expect.objectContaining({ type: 'note', step: 'go', code: 'transfer-ended' }));
      expect(rig.phone.pendingTimers).toBe(0);
    });

    it('comes back at once when the department hangs up early (`endBridge`)', async () => {
      const rig = await startCall(BACK);
      await rig.advance(3000);
      rig.phone.endBridge();
      await rig.advance(2000);
      // Well before the simulator's default talk time (30 s) would have ended the bridge.
      expect(rig.call.ended).toBe(true);
      expect(await rig.call.done).toEqual({ kind: 'completed', step: 'answered' });
    });

    it('a caller hangup while bridged ends the call `hungup` at the transfer step', async () => {
      const rig = await startCall(BACK);
      await rig.advance(3000);
      rig.phone.hangupByCaller();
      expect(await rig.call.done).toEqual({ kind: 'hungup', step: 'go' });
      expect(rig.heard()).toEqual(['connecting']);
    });

    it('taken back while it announced, after the department answered and hung up with no engine running: goes on at `answered`, nothing dialled again', async () => {
      const rig = await startCall(BACK);
      await rig.advance(500); // announcing: this is the state a restart finds saved
      const snapshot = JSON.parse(JSON.stringify(rig.call.snapshot()));
      rig.phone.hangupByCaller(); // the old process and its link are gone
      // The new adapter found the caller alone in the transfer bridge: it reports `transfer.ended` at once.
      class AgentGone extends SimulatedPhone {
        override onEvent(listener: PortEventListener): void {
          super.onEvent(listener);
          listener({ type: 'transfer.ended', reason: 'the department hung up while no engine ran' });
        }
      }
      const phone = new AgentGone(rig.clock, { callId: 'call-1' });
      const engine = new Engine(rig.services);
      engine.publish(rig.flow);
      const resumed = engine.resumeCall(phone, rig.flow.name, rig.flow.version, snapshot);
      await rig.clock.advance(5000);
      expect(phone.commands.some((c) => c.command === 'transfer')).toBe(false);
      expect(phone.playbacks.map((p) => p.media.map((m) => (m.kind === 'sound' ? m.prompt : m.kind)).join('+'))).toEqual(['welcomeBack']);
      expect(await resumed.done).toEqual({ kind: 'completed', step: 'answered' });
    });

    it('a `context:` department cannot come back: answered ends the flow `transferred`', async () => {
      const rig = await startCall(BACK.replace('start: go', 'start: deskBack'));
      expect(await rig.call.done).toEqual({ kind: 'transferred', step: 'deskBack', department: 'desk' });
    });
  });

  it('dialplan departments hand the call over; queue departments enqueue it', async () => {
    const desk = await startCall(FLOW('').replace('start: go', 'start: desk'));
    expect(await desk.call.done).toEqual({ kind: 'transferred', step: 'desk', department: 'desk' });
    expect(desk.phone.left).toEqual({ kind: 'transferred', target: { kind: 'dialplan', context: 'desk-in', extension: '200', priority: 1 } });
    const queue = await startCall(FLOW('').replace('start: go', 'start: queue'));
    expect(await queue.call.done).toEqual({ kind: 'queued', step: 'queue', queue: 'support' });
    expect(queue.phone.left).toEqual({ kind: 'queued', target: { queue: 'support-q' } });
  });
});

describe('transfer definition', () => {
  it('keeps secrets off the agent screen and checks the templates of `vars`', () => {
    const ask = { input: { prompt: 'hi', into: 'pin', secret: true }, next: 't' };
    expect(problems({ ask, t: { transfer: 'desk', vars: { PIN: '${pin}' } } })).toEqual(['secret-leak /steps/t/vars/PIN']);
    expect(problems({ ask, t: { transfer: 'desk', vars: { who: '${nobody}' } } })).toEqual(['undefined-variable /steps/t/vars/who']);
    expect(problems({ ask, t: { transfer: 'desk', vars: { who: '${call.caller}' } } })).toEqual([]);
  });
});
