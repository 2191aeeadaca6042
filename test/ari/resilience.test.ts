import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/runtime/clock.js';
import type { CallPort } from '../../src/telephony/port.js';
import type { ReattachInfo } from '../../src/telephony/ari/index.js';
import { eventsOf, startRig, waitFor, type Rig } from './harness.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const safeDestination = { kind: 'dialplan' as const, context: 'touchtone-fallback', extension: 's', priority: 1 };

describe('ARI adapter: resilience', () => {
  it('socket drop mid-call: reconnects, keeps the call, and replays a playback end lost in the gap', async () => {
    rig = await startRig({ fake: { playbackMs: Infinity } });
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.play('p1', [{ kind: 'sound', name: 'x' }]);
    await waitFor(() => eventsOf(call, 'playback.started').length, 'started');
    rig.fake.dropSockets();
    // While we are away the prompt ends; its PlaybackFinished is lost, as on a real Asterisk.
    await waitFor(() => rig!.fake.socketCount() === 0, 'socket gone');
    rig.fake.finishPlayback('p1');
    await waitFor(() => rig!.ari.status().reconnects === 1, 'reconnected');
    await waitFor(() => eventsOf(call, 'playback.finished').length, 'lost end replayed');
    expect(eventsOf(call, 'playback.finished')[0]!.outcome).toBe('finished');
    // The call still works on the new socket.
    rig.fake.pressKey(id, '7');
    await waitFor(() => eventsOf(call, 'key').length, 'key after reconnect');
    expect(rig.calls).toHaveLength(1);
  });

  it('a call that hung up during the gap ends with one hangup after the reconnect', async () => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    rig.fake.dropSockets();
    await waitFor(() => rig!.fake.socketCount() === 0, 'socket gone');
    rig.fake.callerHangsUp(id);
    await waitFor(() => eventsOf(call, 'hangup').length, 'hangup after reconnect');
    expect(eventsOf(call, 'hangup')).toHaveLength(1);
  });

  it('a dial leg whose StasisStart fell into the gap is found on reconnect and dialled', async () => {
    rig = await startRig();
    rig.fake.placeCall();
    const call = await rig.call();
    // Drop the socket the moment the leg is created: its StasisStart (sent a moment later) is lost.
    rig.fake.on('request', (r: { path: string }) => {
      if (r.path === '/ari/channels/create') rig!.fake.dropSockets();
    });
    call.port.transfer({ kind: 'dial', endpoint: 'PJSIP/sales', ringTimeoutMs: 20_000 });
    await waitFor(() => eventsOf(call, 'transfer.result').length, 'transfer result', 5000);
    expect(eventsOf(call, 'transfer.result')[0]!.outcome).toBe('answered');
    expect(rig.ari.status().reconnects).toBe(1);
  });

  it('a call whose StasisEnd fell into the gap is released after the reconnect', async () => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    rig.fake.dropSockets();
    await waitFor(() => rig!.fake.socketCount() === 0, 'socket gone');
    // Someone (an admin, a redirect) moved the channel out of the app while we were away.
    const ch = rig.fake.channels.get(id)!;
    ch.app = undefined;
    ch.dialplan = { context: 'elsewhere', exten: 's', priority: 1, app_name: 'Dial', app_data: 'PJSIP/x' };
    await waitFor(() => eventsOf(call, 'hangup').length, 'session told');
    expect(eventsOf(call, 'hangup')[0]!.cause).toBe('left-stasis');
    expect(rig.ari.status().calls).toBe(0);
  });

  it('a 1011 close is survived like any other', async () => {
    rig = await startRig();
    rig.fake.placeCall();
    const call = await rig.call();
    rig.fake.dropSockets(1011);
    await waitFor(() => rig!.ari.status().reconnects === 1, 'reconnected');
    expect(rig.ari.status().lastError).toContain('1011');
    expect(eventsOf(call, 'hangup')).toEqual([]);
  });

  it('re-attach: a new process finds calls inside the app and hands them to onReattach, which resumes them', async () => {
    rig = await startRig({ start: false, ari: { safeDestination } });
    // Calls that were in Stasis before this process connected (Asterisk sends no new StasisStart for them).
    rig.fake.placeCall({ app: 'touchtone', id: 'early' }); // No socket yet: Stasis fails for this one …
    const inside = rig.fake.channels.get('early')!;
    inside.app = 'touchtone';
    inside.dialplan = { context: 'touchtone-entry', exten: '100', priority: 2, app_name: 'Stasis', app_data: 'touchtone,acme-hotline,vip=1' };
    const found: Array<{ call: CallPort; info: ReattachInfo }> = [];
    rig.ari.onReattach((call, info) => {
      found.push({ call, info });
      call.onEvent(() => undefined);
    });
    await rig.ari.start();
    await waitFor(() => found.length, 're-attached');
    expect(found[0]!.call.facts).toMatchObject({ callId: 'early', flow: 'acme-hotline', dialled: '100', args: { vip: '1' } });
    expect(found[0]!.info).toMatchObject({ reason: 'startup', args: ['acme-hotline', 'vip=1'] });
    expect(rig.fake.channels.get('early')!.app).toBe('touchtone');
  });

  it('re-attach: a reused playback id does not collide with the old process\'s prompt, which can be stopped', async () => {
    rig = await startRig({ fake: { playbackMs: Infinity }, start: false });
    // A previous process left a prompt playing on a call inside the app.
    const id = await leaveOldPrompt(rig, 'p1');
    const { call, events } = await takeBackWithPlaybackEvents(rig);
    // The resumed flow first stops the prompt its snapshot names (unknown here: it goes to Asterisk as it is) …
    call.stopPlayback(`${id}:p1`);
    await waitFor(() => rig!.fake.playbacks.size === 0, 'old prompt silenced');
    // … then numbers its playbacks from 1 again; on Asterisk's side the id differs, events carry the runtime's.
    call.play(`${id}:p1`, [{ kind: 'sound', name: 'new-prompt' }]);
    await waitFor(() => events.includes(`playback.started ${id}:p1`), 'new prompt started');
    expect([...rig.fake.playbacks.values()].map((p) => p.id)).toEqual([expect.stringMatching(new RegExp(`^${id.replace('.', '\\.')}:p1:r`))]);
    call.stopPlayback(`${id}:p1`);
    await waitFor(() => events.includes(`playback.finished ${id}:p1 stopped`), 'stopped');
    expect(rig.fake.playbacks.size).toBe(0);
  });

  it('re-attach without a saved state: our first prompt waits behind the old prompt nobody can name, past the usual start bound', async () => {
    rig = await startRig({ fake: { playbackMs: Infinity }, start: false, ari: { playbackStartTimeoutMs: 50, foundPlaybackStartTimeoutMs: 5000 } });
    const id = await leaveOldPrompt(rig, 'p7');
    const { call, events } = await takeBackWithPlaybackEvents(rig);
    // The new session begins at the flow's error step: its apology queues behind the old menu prompt.
    call.play('apology', [{ kind: 'sound', name: 'sorry' }]);
    await new Promise((resolve) => setTimeout(resolve, 200)); // four times the usual bound
    expect(events).toEqual([]);
    rig.fake.finishPlayback(`${id}:p7`);
    await waitFor(() => events.includes('playback.started apology'), 'the apology started once the old prompt ended');
    // From then on the queue is ours, and the usual bound applies again: a prompt stuck behind ours is given up.
    call.play('next', [{ kind: 'sound', name: 'next' }]);
    await waitFor(() => events.includes('playback.finished next failed'), 'the usual bound gave up the next prompt', 1000);
  });

  it('an app Asterisk deactivated behind an open socket is noticed by the probe, and the adapter registers it again', async () => {
    rig = await startRig({ ari: { appProbeIntervalMs: 30 } });
    await waitFor(() => rig!.fake.requests.some((q) => q.path === '/ari/events/user/touchtone-probe'), 'first probe');
    expect(rig.ari.status().reconnects).toBe(0);
    // An old connection's cleanup unregistered the app by name: the socket is open, pings answer, events are gone.
    rig.fake.inactiveApps.add('touchtone');
    await waitFor(() => rig!.ari.status().reconnects === 1 && rig!.ari.status().connected, 'reconnected');
    expect(rig.logs.some((l) => (l.obj as { code?: string }).code === 'ARI_APP_INACTIVE')).toBe(true);
    expect(rig.fake.inactiveApps.has('touchtone')).toBe(false);
    rig.fake.placeCall();
    await rig.call();
  });

  it('an app Asterisk removed altogether behind an open socket (the probe answers 404 Application not found) is registered again', async () => {
    rig = await startRig({ ari: { appProbeIntervalMs: 30 } });
    await waitFor(() => rig!.fake.requests.some((q) => q.path === '/ari/events/user/touchtone-probe'), 'first probe');
    // Until a new connection registers the app again.
    const connections = rig.fake.connections;
    rig.fake.statusOf = (q) => (rig!.fake.connections === connections && q.path === '/ari/events/user/touchtone-probe' ? 404 : undefined);
    await waitFor(() => rig!.ari.status().reconnects === 1 && rig!.ari.status().connected, 'reconnected');
    expect(rig.logs.some((l) => (l.obj as { code?: string }).code === 'ARI_APP_INACTIVE')).toBe(true);
  });

  it('a probe lost while other events of the app keep arriving does not recycle a busy, healthy socket', async () => {
    rig = await startRig({ ari: { appProbeIntervalMs: 20, pongTimeoutMs: 60 } });
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    rig.fake.lostEvents.add('ChannelUserevent');
    // Keys every 10 ms for 400 ms: several probes go unanswered, but the app's events prove it alive.
    for (let i = 0; i < 40; i++) {
      rig.fake.pressKey(id, '1');
      await waitFor(() => call.events.filter((e) => e.type === 'key').length > i, `key ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(rig.ari.status().reconnects).toBe(0);
    // Silence, and still no probe: now nothing shows the app is alive.
    await waitFor(() => rig!.ari.status().reconnects === 1, 'recycled once nothing proves the app alive');
  });

  it('an Asterisk that refuses the probe (no user events) is warned about once, not reconnected in a loop', async () => {
    rig = await startRig({ start: false, ari: { appProbeIntervalMs: 5 } });
    rig.fake.statusOf = (q) => (q.path === '/ari/events/user/touchtone-probe' ? 405 : undefined);
    await rig.ari.start();
    await waitFor(() => rig!.logs.some((l) => (l.obj as { code?: string }).code === 'ARI_PROBE_REFUSED'), 'the warning');
    expect(await rig.ari.ping(1000)).toBe(true);
    expect(rig.ari.status().reconnects).toBe(0);
    expect(rig.logs.filter((l) => (l.obj as { code?: string }).code === 'ARI_PROBE_REFUSED')).toHaveLength(1);
  });

  it('a probe that gets a server error or no answer is followed by the next one: the checks go on', async () => {
    rig = await startRig({ start: false, ari: { appProbeIntervalMs: 5 } });
    let failures = 2;
    rig.fake.statusOf = (q) => (q.path === '/ari/events/user/touchtone-probe' && failures-- > 0 ? 500 : undefined);
    await rig.ari.start();
    const probes = (): number => rig!.fake.requests.filter((q) => q.path === '/ari/events/user/touchtone-probe').length;
    await waitFor(() => probes() >= 5, 'probes after the failed ones');
    expect(rig.ari.status().reconnects).toBe(0);
    expect(rig.logs.some((l) => (l.obj as { code?: string }).code === 'ARI_PROBE_REFUSED')).toBe(false);
  });

  it('a caller who dials in while the listing is on its way is served as a new call, not taken back', async () => {
    rig = await startRig({ start: false, ari: { safeDestination } });
    // Asterisk lists the channel the moment it enters Stasis(); its StasisStart reaches the socket a little later.
    let placed = false;
    rig.fake.on('request', (r: { method: string; path: string }) => {
      if (placed || r.method !== 'GET' || r.path !== '/ari/channels') return;
      placed = true;
      const channel = rig!.fake.alreadyInApp('newcomer', { args: ['acme'], state: 'Ring' });
      setTimeout(() => rig!.fake.event('touchtone', 'StasisStart', { args: ['acme'], channel: rig!.fake.channelJson(channel) }), 30);
    });
    const reattached: string[] = [];
    rig.ari.onReattach((call) => void reattached.push(call.facts.callId));
    await rig.ari.start();
    const call = await rig.call();
    expect(call.port.facts).toMatchObject({ callId: 'newcomer', flow: 'acme' });
    await waitFor(() => rig!.fake.requests.some((q) => q.path === '/ari/bridges'), 'the take-back pass over');
    expect(reattached).toEqual([]);
    expect(rig.fake.channels.get('newcomer')!.app).toBe('touchtone');
  });

  it('re-attach: a call nobody claims goes to the safe destination after the orphan limit', async () => {
    rig = await startRig({ start: false, ari: { safeDestination, orphanLimitMs: 20 } });
    rig.fake.placeCall({ id: 'orphan' });
    const ch = rig.fake.channels.get('orphan')!;
    ch.app = 'touchtone';
    ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: 'touchtone' };
    rig.ari.onReattach(() => undefined); // Looks, but does not claim.
    const orphans: Array<[string, string]> = [];
    rig.ari.onOrphan((facts, info) => orphans.push([facts.callId, info.handedTo]));
    await rig.ari.start();
    await waitFor(() => rig!.fake.channels.get('orphan')!.app === undefined, 'sent to safety');
    expect(rig.fake.channels.get('orphan')!.dialplan).toMatchObject({ context: 'touchtone-fallback', exten: 's' });
    // The server hears of it, to close the call's record.
    expect(orphans).toEqual([['orphan', 'dialplan']]);
  });

  it('re-attach without a handler and without a safe destination hangs the call up, never leaves it silent', async () => {
    rig = await startRig({ start: false });
    rig.fake.placeCall({ id: 'silent' });
    const ch = rig.fake.channels.get('silent')!;
    ch.app = 'touchtone';
    ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: 'touchtone' };
    await rig.ari.start();
    await waitFor(() => !rig!.fake.channels.has('silent'), 'hung up');
  });

  it('Asterisk restart: calls end, the adapter reconnects when Asterisk is back, and new calls work', async () => {
    rig = await startRig();
    rig.fake.placeCall();
    const call = await rig.call();
    rig.fake.crash();
    await waitFor(() => !rig!.ari.status().connected, 'noticed');
    // Refused for a while: several reconnect attempts fail.
    await waitFor(() => rig!.fake.connections === 1 && rig!.logs.filter((l) => l.msg.includes('reconnecting')).length >= 3, 'retries');
    rig.fake.recover();
    await waitFor(() => rig!.ari.status().connected && rig!.ari.status().reconnects === 1, 'back');
    await waitFor(() => eventsOf(call, 'hangup').length, 'old call ended');
    rig.fake.placeCall();
    const second = await rig.call(1);
    second.port.answer();
    expect(second.port.facts.callId).not.toBe(call.port.facts.callId);
  });

  it('keeps reconnecting well past ari-client\'s 10 attempts', async () => {
    rig = await startRig({ ari: { backoffInitialMs: 1, backoffMaxMs: 2 } });
    rig.fake.crash();
    await waitFor(() => rig!.logs.filter((l) => l.msg.includes('reconnecting')).length >= 25, '25 failed attempts', 5000);
    rig.fake.recover();
    await waitFor(() => rig!.ari.status().connected, 'connected again', 5000);
  });

  it('a broken or garbled API description does not matter: the adapter does not need it', async () => {
    rig = await startRig({ start: false });
    rig.fake.apiDocs = 'error';
    await rig.ari.start();
    await waitFor(() => rig!.ari.status().connected, 'connected despite api-docs 500');
    rig.fake.apiDocs = 'garbage';
    rig.fake.dropSockets();
    await waitFor(() => rig!.ari.status().reconnects === 1, 'reconnected despite garbage api-docs');
    rig.fake.placeCall();
    await rig.call();
    expect(rig.fake.requests.some((r) => r.path.startsWith('/ari/api-docs'))).toBe(false);
  });

  it('slow ARI answers delay commands but lose nothing', async () => {
    rig = await startRig();
    rig.fake.responseDelayMs = 150;
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.answer();
    call.port.play('p', [{ kind: 'sound', name: 'x' }]);
    await waitFor(() => eventsOf(call, 'playback.finished').length, 'played');
    expect(rig.fake.channels.get(id)!.state).toBe('Up');
    expect(eventsOf(call, 'playback.finished')[0]!.outcome).toBe('finished');
  });

  it('a request that never gets an answer fails within the request deadline', async () => {
    rig = await startRig({ ari: { requestTimeoutMs: 100, playbackStartTimeoutMs: 10_000 } });
    rig.fake.placeCall();
    const call = await rig.call();
    rig.fake.frozen = true;
    call.port.play('p', [{ kind: 'sound', name: 'x' }]);
    await waitFor(() => eventsOf(call, 'playback.finished').length, 'failed by deadline');
    expect(eventsOf(call, 'playback.finished')[0]).toMatchObject({ outcome: 'failed' });
  });

  it('detects a dead socket by ping/pong within the bound', async () => {
    rig = await startRig({ ari: { pingIntervalMs: 30, pongTimeoutMs: 30 } });
    rig.fake.stopPongs();
    const started = Date.now();
    await waitFor(() => rig!.ari.status().lastError === 'no pong from Asterisk', 'pong timeout');
    expect(Date.now() - started).toBeLessThan(1000);
    await waitFor(() => rig!.ari.status().reconnects === 1, 'reconnected');
  });

  it('readiness notices an ARI that accepts TCP but answers nothing', async () => {
    rig = await startRig();
    expect(await rig.ari.ping(200)).toBe(true);
    rig.fake.frozen = true;
    const started = Date.now();
    expect(await rig.ari.ping(100)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('an event socket down past the orphan limit hands our calls to the safe destination, and tells their sessions so', async () => {
    rig = await startRig({ ari: { safeDestination, orphanLimitMs: 30 } });
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    const orphans: string[] = [];
    rig.ari.onOrphan((facts) => orphans.push(facts.callId));
    rig.fake.refuseSockets = true; // The websocket can't come back, but REST still answers.
    rig.fake.dropSockets();
    await waitFor(() => rig!.fake.channels.get(id)!.app === undefined, 'sent to safety');
    expect(rig.fake.channels.get(id)!.dialplan).toMatchObject({ context: 'touchtone-fallback' });
    await waitFor(() => eventsOf(call, 'handed-over').length, 'session told');
    // Its session ends `transferred` there, not hung up; the orphan handler is for calls without a session.
    expect(eventsOf(call, 'handed-over')).toEqual([{ type: 'handed-over', context: 'touchtone-fallback', reason: 'event socket down past the orphan limit' }]);
    expect(eventsOf(call, 'hangup')).toEqual([]);
    expect(orphans).toEqual([]);
  });

  it('another client taking over the app name: the adapter takes it back after the longest backoff, not at once', async () => {
    const clock = new VirtualClock(Date.now());
    rig = await startRig({ ari: { clock, backoffInitialMs: 10, backoffMaxMs: 5000 } });
    const { default: WebSocket } = await import('ws');
    const intruder = new WebSocket(`${rig.fake.url.replace('http', 'ws')}/ari/events?app=touchtone`, {
      headers: { authorization: `Basic ${Buffer.from('touchtone:fake-secret').toString('base64')}` },
    });
    await waitFor(() => rig!.logs.some((l) => l.msg.includes('another client registered')), 'replaced');
    // The reconnect is scheduled at least 3/4 of the longest backoff away (a normal first retry would be ~10 ms).
    expect(clock.nextDue()! - clock.now()).toBeGreaterThanOrEqual(3750);
    intruder.terminate();
    await clock.advance(10_000);
    await waitFor(() => rig!.ari.status().connected && rig!.fake.socketCount() === 1, 'back');
  });

  it('ignores malformed frames, events of other apps and unknown event types', async () => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    rig.fake.sendRaw('touchtone', '{"type": "ChannelDtmfReceived", "digit": "1", ');
    rig.fake.sendRaw('touchtone', 'null');
    rig.fake.sendRaw('touchtone', JSON.stringify({ type: 'SomethingNew', application: 'touchtone', channel: { id } }));
    rig.fake.sendRaw('touchtone', JSON.stringify({ type: 'ChannelDtmfReceived', application: 'touchtone', digit: 'Z', channel: { id } }));
    rig.fake.sendRaw('touchtone', JSON.stringify({ type: 'ChannelDtmfReceived', application: 'other-app', digit: '1', channel: { id } }));
    rig.fake.sendRaw('touchtone', JSON.stringify({ type: 'ChannelDtmfReceived', application: 'touchtone', digit: '2', channel: { id: 'someone-else' } }));
    rig.fake.pressKey(id, '9');
    await waitFor(() => eventsOf(call, 'key').length, 'key');
    expect(eventsOf(call, 'key').map((e) => e.digit)).toEqual(['9']);
  });
});

/** A previous process's socket plays a prompt (`<call>:<seq>`) on a new call, then goes away; returns the call id. */
async function leaveOldPrompt(r: Rig, seq: string): Promise<string> {
  const auth = { authorization: `Basic ${Buffer.from('touchtone:fake-secret').toString('base64')}` };
  const { default: WebSocket } = await import('ws');
  const old = new WebSocket(`${r.fake.url.replace('http', 'ws')}/ari/events?app=touchtone`, { headers: auth });
  await new Promise((resolve) => old.once('open', resolve));
  const { id } = r.fake.placeCall();
  const res = await fetch(`${r.fake.url}/ari/channels/${id}/play/${encodeURIComponent(`${id}:${seq}`)}?media=sound:old-prompt`, { method: 'POST', headers: auth });
  expect(res.status).toBe(201);
  old.terminate();
  await waitFor(() => r.fake.socketCount() === 0, 'old process gone');
  return id;
}

/** Starts the adapter, takes back the one call it finds, and lists its playback events (`<type> <id> <outcome>`). */
async function takeBackWithPlaybackEvents(r: Rig): Promise<{ call: CallPort; events: string[] }> {
  const taken: CallPort[] = [];
  const events: string[] = [];
  r.ari.onReattach((call) => {
    taken.push(call);
    call.onEvent((e) => (e.type === 'playback.started' || e.type === 'playback.finished') && events.push(`${e.type} ${e.playbackId} ${'outcome' in e ? e.outcome : ''}`.trim()));
  });
  await r.ari.start();
  return { call: await waitFor(() => taken[0], 're-attached'), events };
}
