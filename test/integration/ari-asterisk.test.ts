/**
 * The ARI adapter against a real Asterisk with the shipped `asterisk-config/`. Runs only when
 * TOUCHTONE_TEST_ARI_URL (and TOUCHTONE_TEST_ARI_USER / TOUCHTONE_TEST_ARI_PASSWORD) are set; see README `asterisk`.
 */
import { execSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAriAdapter, type AriAdapter, type ReattachInfo } from '../../src/telephony/ari/index.js';
import type { CallPort, PortEvent } from '../../src/telephony/port.js';
import { AsteriskDriver, targetFromEnv } from './asterisk-driver.js';

const target = targetFromEnv();

interface LiveCall {
  port: CallPort;
  events: PortEvent[];
}

describe.runIf(target !== undefined)('ARI adapter on a real Asterisk', () => {
  let driver: AsteriskDriver;
  let ari: AriAdapter | undefined;
  const calls: LiveCall[] = [];

  const adapter = async (onReattach?: (call: CallPort, info: ReattachInfo) => void, routes?: Record<string, string>): Promise<AriAdapter> => {
    const a = createAriAdapter({
      ...target!,
      ...(routes ? { routes } : {}),
      safeDestination: { kind: 'dialplan', context: 'touchtone-fallback', extension: 's', priority: 1 },
      backoffInitialMs: 50,
      backoffMaxMs: 500,
    });
    a.onCall((port) => {
      const call: LiveCall = { port, events: [] };
      port.onEvent((e) => call.events.push(e));
      calls.push(call);
    });
    if (onReattach) a.onReattach(onReattach);
    await a.start();
    // The adapter before this one was stopped a moment ago; Asterisk's cleanup of that connection can unregister
    // the app under the new one. The adapter's quick probes (at 250 and 500 ms) notice and reconnect: wait for them.
    const openedAt = Date.now();
    await driver.until(async () => a.status().connected && (a.status().appCheckedAt ?? 0) >= openedAt + 400, 'the app probed after the previous adapter', 8000);
    return a;
  };

  /** Stops the adapter as a dying engine would, starts a new one, and waits for the first call it takes back. */
  const restartAdapter = async (): Promise<{ call: LiveCall; info: ReattachInfo }> => {
    await ari?.stop();
    calls.length = 0;
    const found: Array<{ call: LiveCall; info: ReattachInfo }> = [];
    ari = await adapter((port, info) => {
      const call: LiveCall = { port, events: [] };
      port.onEvent((e) => call.events.push(e));
      found.push({ call, info });
    });
    return driver.until(async () => found[0], 're-attached call');
  };

  const nextCall = (ivrLeg: string): Promise<LiveCall> =>
    driver.until(async () => calls.find((c) => c.port.facts.callId === ivrLeg), `call ${ivrLeg} in Stasis`);
  const event = <T extends PortEvent['type']>(call: LiveCall, type: T, n = 1): Promise<Extract<PortEvent, { type: T }>> =>
    driver.until(async () => call.events.filter((e) => e.type === type)[n - 1] as Extract<PortEvent, { type: T }> | undefined, `${type} #${n}`);
  /** The channel once it runs `Queue()`, wherever the dialplan sent it. */
  const inQueue = (channelId: string) =>
    driver.until(async () => {
      const ch = await driver.channel(channelId);
      return ch?.dialplan?.app_name === 'Queue' ? ch : undefined;
    }, `${channelId} in Queue()`);

  beforeAll(async () => {
    driver = new AsteriskDriver(target!);
    await driver.open();
  });
  afterEach(async () => {
    await ari?.stop();
    ari = undefined;
    calls.length = 0;
  });
  afterAll(() => driver.close());

  it('a call enters Stasis with its facts; play, DTMF from the other leg, barge-in by stopping the playback', async () => {
    ari = await adapter();
    expect(await ari.ping(1000)).toBe(true);
    const { callerLeg, ivrLeg } = await driver.call('ivr', 'touchtone-test', '"Ada" <5551234>');
    const call = await nextCall(ivrLeg);
    expect(call.port.facts).toMatchObject({ flow: 'integration', args: { source: 'test' }, dialled: 'ivr', caller: '5551234', language: 'en' });
    call.port.answer();
    call.port.play('it-1', [{ kind: 'sound', name: 'hello-world' }, { kind: 'digits', value: '1234' }, { kind: 'silence', durationMs: 3000 }]);
    await event(call, 'playback.started');
    await driver.press(callerLeg, '5');
    expect((await event(call, 'key')).digit).toBe('5');
    // ARI did not stop the prompt on the key …
    expect(call.events.some((e) => e.type === 'playback.finished')).toBe(false);
    // … we do.
    call.port.stopPlayback('it-1');
    expect(await event(call, 'playback.finished')).toEqual({ type: 'playback.finished', playbackId: 'it-1', outcome: 'stopped' });
    call.port.hangup('test done');
    await event(call, 'hangup');
  });

  it('the app probe (a user event to our app) comes back, so a healthy connection is never recycled', async () => {
    ari = createAriAdapter({ ...target!, appProbeIntervalMs: 100 });
    await ari.start();
    const first = await driver.until(async () => ari!.status().appCheckedAt, 'a probe heard');
    await driver.until(async () => (ari!.status().appCheckedAt! > first ? true : undefined), 'a second probe heard');
    expect(ari.status()).toMatchObject({ connected: true, reconnects: 0 });
  });

  it('a missing sound ends as failed', async () => {
    ari = await adapter();
    const { ivrLeg } = await driver.call('ivr');
    const call = await nextCall(ivrLeg);
    call.port.answer();
    call.port.play('it-missing', [{ kind: 'sound', name: 'touchtone/no-such-sound' }]);
    expect((await event(call, 'playback.finished')).outcome).toBe('failed');
    call.port.hangup('test done');
  });

  it.each([
    ['answer', 'answered'],
    ['busy', 'busy'],
    ['noanswer', 'noAnswer'],
    ['congested', 'failed'],
  ] as const)('transfer to a department that does %s → %s', async (exten, outcome) => {
    ari = await adapter();
    const { ivrLeg } = await driver.call('ivr');
    const call = await nextCall(ivrLeg);
    call.port.answer();
    call.port.transfer({ kind: 'dial', endpoint: `Local/${exten}@touchtone-test-agents`, ringTimeoutMs: 2000 });
    const result = await event(call, 'transfer.result');
    expect(result.outcome, result.reason).toBe(outcome);
    call.port.hangup('test done');
    await event(call, 'hangup');
  });

  it('a callback: originate rings the number, and the answered call enters our app with its flow, arguments and variables', async () => {
    ari = await adapter();
    const result = await ari.originate({
      endpoint: 'Local/answer@touchtone-test-agents',
      flow: 'callback',
      args: { TOUCHTONE_CALLBACK_ID: 'cb-7' },
      callerId: '+4930999',
      timeoutMs: 5000,
      variables: { QUEUE_PRIO: '10' },
    });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const channelId = (result as { channelId: string }).channelId;
    const call = await nextCall(channelId);
    expect(call.port.facts).toMatchObject({ flow: 'callback', args: { TOUCHTONE_CALLBACK_ID: 'cb-7' } });
    expect(await driver.variable(channelId, 'QUEUE_PRIO')).toBe('10');
    expect(await driver.variable(channelId, 'CALLERID(num)')).toBe('+4930999');
    // A Local endpoint is offered G.711 only, as a trunk would negotiate: no resampling of 8 kHz prompts.
    expect(await driver.variable(channelId, 'CHANNEL(audionativeformat)')).toMatch(/ulaw|alaw/);
    call.port.hangup('test done');
    await event(call, 'hangup');
  });

  it('an unanswered callback fails without entering the app', async () => {
    ari = await adapter();
    const result = await ari.originate({ endpoint: 'Local/noanswer@touchtone-test-agents', flow: 'callback', timeoutMs: 1000 });
    expect(result.ok).toBe(true);
    const channelId = (result as { channelId: string }).channelId;
    await driver.until(async () => (await driver.channel(channelId)) === undefined, 'the ringing channel gone', 5000);
    expect(calls.some((c) => c.port.facts.callId === channelId)).toBe(false);
  });

  it('after an answered transfer, the caller hanging up ends the agent leg too', async () => {
    ari = await adapter();
    const { ivrLeg, callerLeg } = await driver.call('ivr');
    const call = await nextCall(ivrLeg);
    call.port.answer();
    call.port.transfer({ kind: 'dial', endpoint: 'Local/answer@touchtone-test-agents', ringTimeoutMs: 2000 });
    expect((await event(call, 'transfer.result')).outcome).toBe('answered');
    expect(await driver.channel(`${ivrLeg}-dial-1`)).toBeDefined();
    await driver.hangup(callerLeg);
    await event(call, 'hangup');
    await driver.until(async () => (await driver.channel(`${ivrLeg}-dial-1`)) === undefined, 'agent leg gone');
  });

  it('variables for the dialplan, then the queue context; with no agents the fallback takes the call', async () => {
    ari = await adapter();
    const { ivrLeg, callerLeg } = await driver.call('ivr');
    const call = await nextCall(ivrLeg);
    call.port.answer();
    call.port.setVariables({ TOUCHTONE_ACCOUNT: '123456\r\nInjected: yes' });
    call.port.enqueue({ queue: 'support' });
    const where = await inQueue(ivrLeg);
    // `support` has no members (joinempty): the shipped dialplan sends the caller on to the operators.
    expect(where.dialplan?.context).toBe('touchtone-fallback');
    expect(await driver.variable(ivrLeg, 'TOUCHTONE_ACCOUNT')).toBe('123456Injected: yes');
    expect(await driver.variable(ivrLeg, 'TOUCHTONE_QUEUE')).toBe('support');
    await driver.hangup(callerLeg);
  });

  it('an E.164 number dialled into touchtone-entry reaches the app with its `+`, and the route map picks its flow', async () => {
    ari = await adapter(undefined, { '+4930555': 'e164-flow' });
    const { ivrLeg, callerLeg } = await driver.call('+4930555', 'touchtone-entry');
    const call = await nextCall(ivrLeg);
    expect(call.port.facts).toMatchObject({ dialled: '+4930555', flow: 'e164-flow' });
    await driver.hangup(callerLeg);
  });

  it('a queue name with a hyphen reaches Queue() whole: the shipped FILTER keeps `-`', async () => {
    ari = await adapter();
    const { ivrLeg, callerLeg } = await driver.call('ivr');
    const call = await nextCall(ivrLeg);
    call.port.answer();
    call.port.enqueue({ queue: 'touchtone-operators' });
    const where = await inQueue(ivrLeg);
    // `touchtone-operators` takes callers with no agents (joinempty = yes): the caller waits in the queue context.
    // A filter that dropped the `-` would ask for `touchtoneoperators`, and the caller would land in the fallback.
    expect(where.dialplan).toMatchObject({ context: 'touchtone-queue', app_data: expect.stringMatching(/^touchtone-operators,/) });
    await driver.hangup(callerLeg);
  });

  it('a department context reads the screen-pop variables: the agent sees the account as the caller name', async () => {
    ari = await adapter();
    const { ivrLeg, callerLeg } = await driver.call('ivr');
    const call = await nextCall(ivrLeg);
    call.port.answer();
    call.port.setVariables({ TOUCHTONE_ACCOUNT: '1234;${SHELL(id)}' });
    call.port.transfer({ kind: 'dialplan', context: 'touchtone-departments', extension: 'sales', priority: 1 });
    expect((await event(call, 'transfer.result')).outcome).toBe('answered');
    // `sales` dials PJSIP/sales (not registered here), then falls back to the operators' queue.
    await inQueue(ivrLeg);
    expect(await driver.variable(ivrLeg, 'CALLERID(name)')).toBe('Acct 1234');
    await driver.hangup(callerLeg);
  });

  it('hostile caller id stays data: literal in facts and variables, never evaluated', async () => {
    ari = await adapter();
    const evil = '123&PJSIP/evil;${SHELL(id)}';
    const { ivrLeg, callerLeg } = await driver.call('ivr', 'touchtone-test', `"Eve, ${'$'}{EXTEN}" <${evil}>`);
    const call = await nextCall(ivrLeg);
    expect(call.port.facts.caller).not.toMatch(/[\r\n]/);
    expect(call.port.facts.caller).toBe(evil); // Asterisk passes it through: it is data from here on.
    call.port.answer();
    call.port.setVariables({ TOUCHTONE_CALLER: call.port.facts.caller });
    const stored = await driver.until(async () => driver.variable(ivrLeg, 'TOUCHTONE_CALLER'), 'variable set');
    // Stored as given, not evaluated (no `uid=` from SHELL, no extension from EXTEN).
    expect(stored).toBe(call.port.facts.caller);
    expect(stored).not.toContain('uid=');
    call.port.transfer({ kind: 'dial', endpoint: `Local/${call.port.facts.caller}@touchtone-test-agents`, ringTimeoutMs: 1000 });
    const result = await event(call, 'transfer.result');
    expect(result.outcome).toBe('failed');
    expect(result.reason).toContain('not a plain dial endpoint');
    await driver.hangup(callerLeg);
  });

  it('records the caller', async () => {
    ari = await adapter();
    const { ivrLeg } = await driver.call('ivr');
    const call = await nextCall(ivrLeg);
    call.port.answer();
    call.port.record('it-rec', { name: `touchtone-it-${Date.now()}`, maxDurationMs: 1000, maxSilenceMs: 0, beep: false, terminator: 'none' });
    const done = await event(call, 'recording.finished');
    expect(done.outcome).toBe('finished');
    call.port.hangup('test done');
  });

  it('hangup by the caller mid-prompt', async () => {
    ari = await adapter();
    const { ivrLeg, callerLeg } = await driver.call('ivr');
    const call = await nextCall(ivrLeg);
    call.port.answer();
    call.port.play('it-long', [{ kind: 'silence', durationMs: 10_000 }]);
    await event(call, 'playback.started');
    await driver.hangup(callerLeg);
    await event(call, 'hangup');
    expect(call.events.filter((e) => e.type === 'hangup')).toHaveLength(1);
  });

  it('engine down: Stasis fails and the shipped dialplan queues the call for the operators', async () => {
    const { ivrLeg, callerLeg } = await driver.call('ivr');
    const ch = await inQueue(ivrLeg);
    expect(ch.dialplan).toMatchObject({ context: 'touchtone-fallback' });
    await driver.hangup(callerLeg);
  });

  it('re-attach: a new adapter takes back a call left inside the app, and it still plays and hears keys', async () => {
    ari = await adapter();
    const { ivrLeg, callerLeg } = await driver.call('ivr');
    const first = await nextCall(ivrLeg);
    first.port.answer();
    first.port.play('it-again', [{ kind: 'silence', durationMs: 10_000 }, { kind: 'silence', durationMs: 10_000 }]);
    await event(first, 'playback.started');
    const { call, info } = await restartAdapter();
    expect(info.reason).toBe('startup');
    expect(call.port.facts).toMatchObject({ callId: ivrLeg, flow: 'integration' });
    // As a resumed flow does: stop the prompt the snapshot names, then play with the same id again. Without the
    // stop (or with colliding ids) the new prompt would queue behind 20 s of the old one.
    const startedAt = Date.now();
    call.port.stopPlayback('it-again');
    call.port.play('it-again', [{ kind: 'sound', name: 'hello-world' }]);
    await event(call, 'playback.started');
    expect(Date.now() - startedAt).toBeLessThan(3000);
    await driver.press(callerLeg, '#');
    expect((await event(call, 'key')).digit).toBe('#');
    call.port.hangup('test done');
  });

  it('re-attach without a saved state: our first prompt plays once the old prompt nobody can name has ended', async () => {
    ari = await adapter();
    const { ivrLeg, callerLeg } = await driver.call('ivr');
    const first = await nextCall(ivrLeg);
    first.port.answer();
    first.port.play('old-menu', [{ kind: 'silence', durationMs: 8000 }]);
    await event(first, 'playback.started');
    const { call } = await restartAdapter();
    // As a session beginning at the flow's error step does: it plays at once, not knowing the old prompt.
    const startedAt = Date.now();
    call.port.play('apology', [{ kind: 'sound', name: 'hello-world' }]);
    await driver.until(async () => call.events.find((e) => e.type === 'playback.started' || e.type === 'playback.finished'), 'the apology started or failed', 15_000);
    expect(call.events.find((e) => e.type === 'playback.finished')).toBeUndefined();
    // It queued behind the old prompt for longer than the usual 3 s bound.
    expect(Date.now() - startedAt).toBeGreaterThan(3000);
    await driver.hangup(callerLeg);
  }, 30_000);

  it('a hand-over stops the prompt first: the call reaches the dialplan at once, not when the prompt ends', async () => {
    ari = await adapter();
    const { ivrLeg, callerLeg } = await driver.call('ivr');
    const call = await nextCall(ivrLeg);
    call.port.answer();
    call.port.play('long', [{ kind: 'silence', durationMs: 10_000 }]);
    await event(call, 'playback.started');
    const startedAt = Date.now();
    // What `CallSession.handOver` sends: the stop and the `continue` go out together, on different sockets.
    call.port.stopPlayback('long');
    call.port.transfer({ kind: 'dialplan', context: 'touchtone-test-agents', extension: 'answer', priority: 1 });
    await driver.until(async () => ((await driver.channel(ivrLeg))?.dialplan?.context === 'touchtone-test-agents' ? true : undefined), 'the call in the dialplan', 5000);
    expect(Date.now() - startedAt).toBeLessThan(2000);
    await driver.hangup(callerLeg);
  });

  it('the hot path goes over the websocket; a variable set during a prompt waits for it and holds up no other call', async () => {
    ari = await adapter();
    await driver.until(async () => (ari!.status().requestsVia === 'websocket' ? true : undefined), 'requests over the websocket');
    const a = await driver.call('ivr');
    const first = await nextCall(a.ivrLeg);
    first.port.answer();
    first.port.play('a-long', [{ kind: 'silence', durationMs: 5000 }]);
    await event(first, 'playback.started');
    // Asterisk sets a variable on the channel's own thread, which is busy playing: this request waits for the
    // prompt. On the websocket it would hold every request behind it; it goes over HTTP.
    first.port.setVariables({ TOUCHTONE_ACCOUNT: '4711' });
    const b = await driver.call('ivr');
    const second = await nextCall(b.ivrLeg);
    second.port.answer();
    const startedAt = Date.now();
    second.port.play('b-prompt', [{ kind: 'silence', durationMs: 5000 }]);
    await event(second, 'playback.started');
    second.port.stopPlayback('b-prompt');
    await event(second, 'playback.finished');
    expect(await ari.ping(1000)).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(1000);
    first.port.stopPlayback('a-long');
    expect(await driver.until(async () => driver.variable(a.ivrLeg, 'TOUCHTONE_ACCOUNT'), 'the variable, once the prompt ended')).toBe('4711');
    await driver.hangup(a.callerLeg);
    await driver.hangup(b.callerLeg);
  });

  it('re-attach while the caller talks to an agent: the bridge stays, and the caller comes back when the agent hangs up', async () => {
    ari = await adapter();
    const { ivrLeg, callerLeg } = await driver.call('ivr');
    const first = await nextCall(ivrLeg);
    first.port.answer();
    first.port.transfer({ kind: 'dial', endpoint: 'Local/answer@touchtone-test-agents', ringTimeoutMs: 2000, returns: true });
    expect((await event(first, 'transfer.result')).outcome).toBe('answered');
    const { call, info } = await restartAdapter();
    expect(info.bridged).toBe(true);
    const legId = `${ivrLeg}-dial-1`;
    expect(await driver.channel(legId)).toBeDefined();
    await driver.hangup(legId);
    expect((await event(call, 'transfer.ended')).type).toBe('transfer.ended');
    // Back in the flow: still inside the app, and it plays.
    expect((await driver.channel(ivrLeg))?.dialplan?.app_name).toBe('Stasis');
    call.port.play('after-agent', [{ kind: 'sound', name: 'hello-world' }]);
    await event(call, 'playback.started');
    await driver.hangup(callerLeg);
    await event(call, 'hangup');
  });

  it('re-attach without a taker sends the call to the safe destination', async () => {
    ari = await adapter();
    const { ivrLeg, callerLeg } = await driver.call('ivr');
    (await nextCall(ivrLeg)).port.answer();
    await ari.stop();
    ari = await adapter(); // No onReattach handler.
    const ch = await driver.until(async () => {
      const c = await driver.channel(ivrLeg);
      return c?.dialplan?.context === 'touchtone-fallback' ? c : undefined;
    }, 'safe destination');
    expect(ch.dialplan?.app_name).not.toBe('Stasis');
    await driver.hangup(callerLeg);
  });

  // Restarting Asterisk needs a shell on its host: only when TOUCHTONE_TEST_ASTERISK_RESTART names the command
  // (for example `asterisk -rx "core restart now"`).
  it.runIf(process.env.TOUCHTONE_TEST_ASTERISK_RESTART !== undefined)('Asterisk restart: the call ends, the adapter reconnects, new calls work', async () => {
    ari = await adapter();
    const { ivrLeg } = await driver.call('ivr');
    const call = await nextCall(ivrLeg);
    call.port.answer();
    execSync(process.env.TOUCHTONE_TEST_ASTERISK_RESTART!);
    await event(call, 'hangup');
    await driver.until(async () => ari!.status().reconnects >= 1 && ari!.status().connected, 'reconnected', 60_000);
    driver.close();
    driver = new AsteriskDriver(target!);
    await driver.until(async () => driver.open().then(() => true, () => false), 'driver back', 30_000);
    const second = await driver.call('ivr');
    (await nextCall(second.ivrLeg)).port.hangup('test done');
  }, 90_000);

  // Asterisk-initiated event websocket: needs the websocket_client.conf / ari.conf `outbound_websocket` entries
  // of asterisk-config/websocket_client.conf enabled for app TOUCHTONE_TEST_ARI_INBOUND_APP, pointing at
  // ws://127.0.0.1:<TOUCHTONE_TEST_ARI_INBOUND_PORT>/ari/events, and an extension that enters that app.
  const inbound = process.env.TOUCHTONE_TEST_ARI_INBOUND_PORT;
  it.runIf(inbound !== undefined)('Asterisk opens the event websocket to us (22.5+): a call runs over it', async () => {
    const app = process.env.TOUCHTONE_TEST_ARI_INBOUND_APP ?? 'touchtone-ob';
    const events: PortEvent[] = [];
    ari = createAriAdapter({
      ...target!,
      app,
      inboundSocket: {
        port: Number(inbound),
        username: process.env.TOUCHTONE_TEST_ARI_INBOUND_USER ?? 'asterisk',
        password: process.env.TOUCHTONE_TEST_ARI_INBOUND_PASSWORD ?? '',
      },
    });
    ari.onCall((port) => {
      port.onEvent((e) => events.push(e));
      port.answer();
      port.play('ob-1', [{ kind: 'sound', name: 'hello-world' }]);
    });
    await ari.start();
    await driver.until(async () => ari!.status().connected, 'Asterisk connected to us', 15_000);
    // Asterisk answers requests on the socket it opened, with the rights of the outbound connection's local_ari_user.
    await driver.until(async () => (ari!.status().requestsVia === 'websocket' ? true : undefined), 'requests over the socket Asterisk opened');
    const { callerLeg } = await driver.call(process.env.TOUCHTONE_TEST_ARI_INBOUND_EXTEN ?? 'ivr-ob');
    await driver.until(async () => events.some((e) => e.type === 'playback.started'), 'playback started');
    await driver.press(callerLeg, '7');
    await driver.until(async () => events.find((e) => e.type === 'key'), 'key');
    await driver.hangup(callerLeg);
    await driver.until(async () => events.some((e) => e.type === 'hangup'), 'hangup');
  });
});
