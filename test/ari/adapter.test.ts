import { afterEach, describe, expect, it } from 'vitest';
import { eventsOf, startRig, waitFor, type Rig } from './harness.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('ARI adapter: connection', () => {
  it('connects with a Basic-auth header, never subscribeAll, and installs an event filter', async () => {
    rig = await startRig();
    expect(rig.fake.socketQueries).toEqual([{ app: 'touchtone' }]);
    expect(rig.fake.socketQueries.some((q) => 'subscribeAll' in q || 'api_key' in q)).toBe(false);
    const allowed = rig.fake.eventFilters.get('touchtone')!;
    expect(allowed.has('StasisStart')).toBe(true);
    expect(allowed.has('ChannelDtmfReceived')).toBe(true);
    expect(allowed.has('DeviceStateChanged')).toBe(false);
    expect(await rig.ari.ping(500)).toBe(true);
  });

  it('never logs the password', async () => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.hangup('test');
    await waitFor(() => !rig!.fake.channels.has(id), 'hangup');
    rig.fake.dropSockets();
    await waitFor(() => rig!.ari.status().reconnects === 1, 'reconnect');
    expect(JSON.stringify(rig.logs)).not.toContain('fake-secret');
    expect(JSON.stringify(rig.ari.status())).not.toContain('fake-secret');
  });
});

describe('ARI adapter: a call', () => {
  it('turns StasisStart into call facts: flow from Stasis args, key=value args, caller, dialled, language', async () => {
    rig = await startRig();
    rig.fake.placeCall({ caller: '+4930123', callerName: 'Ada', dialled: '100', args: ['acme-hotline', 'vip=yes'], language: 'de' });
    const call = await rig.call();
    expect(call.port.facts).toMatchObject({ caller: '+4930123', callerName: 'Ada', dialled: '100', flow: 'acme-hotline', language: 'de', args: { vip: 'yes' } });
  });

  it('chooses the flow by route map, then by the default', async () => {
    rig = await startRig({ ari: { routes: { '200': 'sales-line' }, defaultFlow: 'acme-hotline' } });
    rig.fake.placeCall({ dialled: '200' });
    rig.fake.placeCall({ dialled: '300' });
    expect((await rig.call(0)).port.facts.flow).toBe('sales-line');
    expect((await rig.call(1)).port.facts.flow).toBe('acme-hotline');
  });

  it('answers, plays a media list with the playback id, and reports started then finished', async () => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.answer();
    call.port.play('pb-1', [
      { kind: 'sound', name: 'acme/welcome' },
      { kind: 'number', value: '42' },
      { kind: 'digits', value: '123#' },
      { kind: 'characters', value: 'AB1' },
      { kind: 'silence', durationMs: 1500 },
    ]);
    await waitFor(() => eventsOf(call, 'playback.finished').length === 1, 'playback end');
    expect(rig.fake.channels.get(id)!.state).toBe('Up');
    const play = rig.fake.requests.find((r) => r.path === `/ari/channels/${id}/play/pb-1`)!;
    expect(play.query.media).toBe('sound:acme/welcome,number:42,digits:123#,characters:AB1,sound:silence/2');
    expect(play.query.lang).toBe('en');
    expect(call.events.map((e) => e.type)).toEqual(['playback.started', 'playback.finished']);
    expect(eventsOf(call, 'playback.finished')[0]!.outcome).toBe('finished');
  });

  it('barge-in: a key does not stop the playback by itself; stopPlayback deletes it and ends it as stopped', async () => {
    rig = await startRig({ fake: { playbackMs: Infinity } });
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.play('pb-1', [{ kind: 'sound', name: 'long-prompt' }]);
    await waitFor(() => eventsOf(call, 'playback.started').length, 'started');
    rig.fake.pressKey(id, '5');
    await waitFor(() => eventsOf(call, 'key').length, 'key');
    expect(rig.fake.playbacks.has('pb-1')).toBe(true);
    call.port.stopPlayback('pb-1');
    await waitFor(() => eventsOf(call, 'playback.finished').length, 'stopped');
    expect(eventsOf(call, 'playback.finished')[0]).toEqual({ type: 'playback.finished', playbackId: 'pb-1', outcome: 'stopped' });
    expect(rig.fake.requests.some((r) => r.method === 'DELETE' && r.path === '/ari/playbacks/pb-1')).toBe(true);
  });

  it('a stop sent before the play request is answered still stops the audio on Asterisk', async () => {
    rig = await startRig({ fake: { playbackMs: Infinity } });
    rig.fake.placeCall();
    const call = await rig.call();
    rig.fake.responseDelayMs = 30;
    call.port.play('early', [{ kind: 'sound', name: 'x' }]);
    call.port.stopPlayback('early');
    await waitFor(() => eventsOf(call, 'playback.finished').length, 'stopped');
    expect(eventsOf(call, 'playback.finished')[0]!.outcome).toBe('stopped');
    await waitFor(() => !rig!.fake.playbacks.has('early'), 'audio stopped on the fake');
  });

  it('playbacks queue per channel: the second starts after the first ends', async () => {
    rig = await startRig({ fake: { playbackMs: Infinity } });
    rig.fake.placeCall();
    const call = await rig.call();
    call.port.play('a', [{ kind: 'sound', name: 'one' }]);
    call.port.play('b', [{ kind: 'sound', name: 'two' }]);
    await waitFor(() => eventsOf(call, 'playback.started').length === 1, 'first started');
    expect(eventsOf(call, 'playback.started')[0]!.playbackId).toBe('a');
    rig.fake.finishPlayback('a');
    await waitFor(() => eventsOf(call, 'playback.started').length === 2, 'second started');
    expect(eventsOf(call, 'playback.finished').map((e) => [e.playbackId, e.outcome])).toEqual([['a', 'finished']]);
  });

  it('a missing sound ends as failed; a refused play ends as failed without a request for bad media', async () => {
    rig = await startRig();
    rig.fake.placeCall();
    const call = await rig.call();
    call.port.play('m', [{ kind: 'sound', name: 'missing-file' }]);
    call.port.play('bad', [{ kind: 'digits', value: '12,sound:secret' }]);
    await waitFor(() => eventsOf(call, 'playback.finished').length === 2, 'both ended');
    const outcomes = Object.fromEntries(eventsOf(call, 'playback.finished').map((e) => [e.playbackId, e.outcome]));
    expect(outcomes).toEqual({ m: 'failed', bad: 'failed' });
    expect(rig.fake.requests.some((r) => r.path.endsWith('/play/bad'))).toBe(false);
  });

  it('bounds the wait for PlaybackStarted', async () => {
    rig = await startRig({ ari: { playbackStartTimeoutMs: 30 } });
    rig.fake.placeCall();
    const call = await rig.call();
    rig.fake.responseDelayMs = 200; // Asterisk is slow: no PlaybackStarted within the bound.
    call.port.play('slow', [{ kind: 'sound', name: 'x' }]);
    await waitFor(() => eventsOf(call, 'playback.finished').length, 'failed by bound');
    expect(eventsOf(call, 'playback.finished')[0]).toMatchObject({ outcome: 'failed', reason: 'playback did not start in time' });
  });

  it('hangup mid-prompt delivers exactly one hangup and nothing after it', async () => {
    rig = await startRig({ fake: { playbackMs: Infinity } });
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.play('p', [{ kind: 'sound', name: 'x' }]);
    await waitFor(() => eventsOf(call, 'playback.started').length, 'started');
    rig.fake.callerHangsUp(id);
    await waitFor(() => eventsOf(call, 'hangup').length, 'hangup');
    rig.fake.pressKey(id, '1');
    call.port.play('after', [{ kind: 'sound', name: 'x' }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(call.events.map((e) => e.type)).toEqual(['playback.started', 'hangup']);
    expect(eventsOf(call, 'hangup')[0]!.cause).toBe('16');
    expect(rig.ari.status().calls).toBe(0);
  });

  it('sets TOUCHTONE_* variables (inherited), refuses other names, strips CR/LF and bounds values', async () => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.setVariables({ TOUCHTONE_ACCOUNT: 'a\r\nAction: Originate\u0000', PATH: 'x', 'TOUCHTONE_X;Y': 'y', TOUCHTONE_LONG: 'z'.repeat(10_000) });
    await waitFor(() => Object.keys(rig!.fake.channels.get(id)!.variables).length === 2, 'variables');
    expect(rig.fake.channels.get(id)!.variables).toEqual({ __TOUCHTONE_ACCOUNT: 'aAction: Originate', __TOUCHTONE_LONG: 'z'.repeat(1024) });
  });

  it('music on hold starts and stops', async () => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.startMusicOnHold('default');
    await waitFor(() => rig!.fake.channels.get(id)!.moh, 'moh on');
    call.port.stopMusicOnHold();
    await waitFor(() => !rig!.fake.channels.get(id)!.moh, 'moh off');
  });

  it('records and reports the duration', async () => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.record('rec-1', { name: 'voicemail/acme-1', maxDurationMs: 60_000, maxSilenceMs: 5000, beep: true, terminator: '#' });
    await waitFor(() => eventsOf(call, 'recording.finished').length, 'recording');
    expect(eventsOf(call, 'recording.finished')[0]).toEqual({ type: 'recording.finished', recordingId: 'rec-1', outcome: 'finished', durationMs: 3000 });
    const req = rig.fake.requests.find((r) => r.path === `/ari/channels/${id}/record`)!;
    expect(req.query).toMatchObject({ name: 'voicemail/acme-1', format: 'wav', maxDurationSeconds: '60', maxSilenceSeconds: '5', beep: 'true', terminateOn: '#', ifExists: 'fail' });
  });
});

describe('ARI adapter: transfers and hand-offs', () => {
  const dial = (endpoint: string) => ({ kind: 'dial' as const, endpoint, ringTimeoutMs: 25_000 });

  it.each([
    ['answer', 'answered'],
    ['busy', 'busy'],
    ['noAnswer', 'noAnswer'],
    ['fail', 'failed'],
    ['congestion', 'failed'],
  ] as const)('dial endpoint that does %s → %s', async (behaviour, outcome) => {
    rig = await startRig();
    rig.fake.endpoints.set('PJSIP/sales', behaviour);
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.transfer(dial('PJSIP/sales'));
    await waitFor(() => eventsOf(call, 'transfer.result').length, 'transfer result');
    expect(eventsOf(call, 'transfer.result')[0]!.outcome).toBe(outcome);
    const create = rig.fake.requests.find((r) => r.path === '/ari/channels/create')!;
    expect(create.query).toMatchObject({ endpoint: 'PJSIP/sales', app: 'touchtone', originator: id });
    const dialReq = rig.fake.requests.find((r) => r.path.endsWith('/dial'))!;
    expect(dialReq.query).toMatchObject({ caller: id, timeout: '25' });
    if (outcome === 'answered') {
      expect([...rig.fake.bridges.values()][0]!.channels).toEqual([id, create.query.channelId]);
      expect(rig.fake.channels.get(id)!.ringing).toBe(false);
    }
  });

  it.each([
    ['the agent', 'the caller'],
    ['the caller', 'the agent leg'],
  ] as const)('after the bridge, when %s hangs up, %s is hung up too', async (who, _other) => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.transfer(dial('PJSIP/sales'));
    await waitFor(() => eventsOf(call, 'transfer.result').length, 'answered');
    const legId = rig.fake.requests.find((r) => r.path === '/ari/channels/create')!.query.channelId!;
    const [leaves, other] = who === 'the agent' ? [legId, id] : [id, legId];
    rig.fake.callerHangsUp(leaves);
    await waitFor(() => !rig!.fake.channels.has(other), 'the other side hung up');
    // The bridge's DELETE travels beside the hangup's, on another pooled connection: it may land a moment later.
    await waitFor(() => rig!.fake.bridges.size === 0, 'the bridge deleted');
  });

  it('a transfer that `returns`: when the agent hangs up, the bridge goes and the caller stays, with `transfer.ended`', async () => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.transfer({ ...dial('PJSIP/sales'), returns: true });
    await waitFor(() => eventsOf(call, 'transfer.result').length, 'answered');
    expect(eventsOf(call, 'transfer.result')[0]!.outcome).toBe('answered');
    const legId = rig.fake.requests.find((r) => r.path === '/ari/channels/create')!.query.channelId!;
    await waitFor(() => rig!.fake.bridges.size === 1, 'the bridge');
    rig.fake.callerHangsUp(legId);
    await waitFor(() => eventsOf(call, 'transfer.ended').length, 'the bridge ended');
    await waitFor(() => rig!.fake.bridges.size === 0, 'the bridge deleted');
    expect(eventsOf(call, 'transfer.ended')).toHaveLength(1);
    expect(rig.fake.channels.has(id)).toBe(true);
    expect(eventsOf(call, 'hangup')).toEqual([]);
    // The caller is back in the flow: the port still plays to it.
    call.port.play('back-1', [{ kind: 'sound', name: 'demo/bye' }]);
    await waitFor(() => eventsOf(call, 'playback.finished').length, 'a playback after the bridge');
    expect(eventsOf(call, 'playback.finished')[0]).toMatchObject({ playbackId: 'back-1', outcome: 'finished' });
  });

  it('hands a call to a dialplan context and reports answered', async () => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.transfer({ kind: 'dialplan', context: 'touchtone-departments', extension: 'sales', priority: 1 });
    await waitFor(() => eventsOf(call, 'transfer.result').length, 'result');
    expect(eventsOf(call, 'transfer.result')[0]!.outcome).toBe('answered');
    expect(rig.fake.channels.get(id)!.dialplan).toMatchObject({ context: 'touchtone-departments', exten: 'sales', priority: 1 });
    expect(eventsOf(call, 'hangup')).toEqual([]);
  });

  it('as on Asterisk, a continue sent during a prompt is answered at once but leaves only when the prompt ends', async () => {
    // Why the runtime stops its prompt before every hand-over (`CallSession.handOver`).
    rig = await startRig({ fake: { playbackMs: 60_000 } });
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.play('long', [{ kind: 'sound', name: 'demo/welcome' }]);
    await waitFor(() => eventsOf(call, 'playback.started').length, 'the prompt');
    call.port.transfer({ kind: 'dialplan', context: 'touchtone-departments', extension: 'sales', priority: 1 });
    await waitFor(() => eventsOf(call, 'transfer.result').length, 'the continue answered');
    expect(rig.fake.channels.get(id)!.app).toBe('touchtone');
    call.port.stopPlayback('long');
    await waitFor(() => rig!.fake.channels.get(id)!.app === undefined, 'left the app');
    expect(rig.fake.channels.get(id)!.dialplan).toMatchObject({ context: 'touchtone-departments', exten: 'sales' });
  });

  it('a caller who hangs up while the continue awaits its answer is reported hung up, not a failed hand-over', async () => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    rig.fake.delayOf = (r) => (r.path.endsWith('/continue') ? 50 : 0);
    call.port.transfer({ kind: 'dialplan', context: 'touchtone-departments', extension: 'sales', priority: 1 });
    await waitFor(() => rig!.fake.requests.some((r) => r.path.endsWith('/continue')), 'the continue sent');
    rig.fake.callerHangsUp(id);
    await waitFor(() => eventsOf(call, 'hangup').length, 'the hangup');
    await new Promise((resolve) => setTimeout(resolve, 100)); // the continue's 404 has come back
    expect(eventsOf(call, 'hangup')).toHaveLength(1);
    expect(eventsOf(call, 'transfer.result')).toEqual([]);
  });

  it('enqueue sets TOUCHTONE_QUEUE and continues in the queue context', async () => {
    rig = await startRig();
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.enqueue({ queue: 'support' });
    await waitFor(() => rig!.fake.channels.get(id)!.app === undefined, 'left the app');
    expect(rig.fake.channels.get(id)!.dialplan).toMatchObject({ context: 'touchtone-queue', exten: 's', priority: 1 });
    expect(rig.fake.channels.get(id)!.variables.__TOUCHTONE_QUEUE).toBe('support');
  });

  it('the dialplan and the dialled department see every variable set before: continue and dial wait for them', async () => {
    // Over HTTP, Asterisk answers requests in any order (over the websocket, in order); here every variable write
    // is the slowest.
    rig = await startRig({ ari: { requestsOverWebsocket: false } });
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    rig.fake.delayOf = (r) => (r.path.endsWith('/variable') ? 40 : 0);
    const seen: Record<string, Record<string, string>> = {};
    rig.fake.on('request', (r: { method: string; path: string }) => {
      if (r.method !== 'POST') return;
      const caller = r.path.endsWith('/channels/create') ? id : /^\/ari\/channels\/([^/]+)\/continue$/.exec(r.path)?.[1];
      if (caller) seen[r.path] = { ...rig!.fake.channels.get(decodeURIComponent(caller))!.variables };
    });
    call.port.setVariables({ TOUCHTONE_ACCOUNT: '4711' });
    call.port.transfer({ kind: 'dial', endpoint: 'PJSIP/sales', ringTimeoutMs: 5000 });
    await waitFor(() => eventsOf(call, 'transfer.result').length, 'dialled');
    expect(seen['/ari/channels/create']).toMatchObject({ __TOUCHTONE_ACCOUNT: '4711' });

    const second = rig.fake.placeCall().id;
    const queued = await rig.call(1);
    queued.port.setVariables({ TOUCHTONE_ACCOUNT: '42' });
    queued.port.enqueue({ queue: 'support' });
    await waitFor(() => rig!.fake.channels.get(second)!.app === undefined, 'left the app');
    expect(seen[`/ari/channels/${encodeURIComponent(second)}/continue`]).toMatchObject({ __TOUCHTONE_ACCOUNT: '42', __TOUCHTONE_QUEUE: 'support' });
  });
});

describe('ARI adapter: outbound calls', () => {
  it('originates a callback into the app; the answered call arrives through onCall with its flow', async () => {
    rig = await startRig();
    const result = await rig.ari.originate({ endpoint: 'PJSIP/+4930123@trunk', flow: 'callback', args: { ticket: 'T-1,evil|x' }, callerId: '+4930999' });
    expect(result.ok).toBe(true);
    const call = await rig.call();
    expect(call.port.facts).toMatchObject({ flow: 'callback', args: { ticket: 'T-1evilx' } });
    expect(rig.fake.requests.find((q) => q.method === 'POST' && q.path === '/ari/channels')?.query.formats).toBeUndefined();
  });

  it('originates to a Local channel with G.711 formats, so Asterisk does not resample every prompt', async () => {
    rig = await startRig();
    expect((await rig.ari.originate({ endpoint: 'Local/+4930123@callbacks-out', flow: 'callback' })).ok).toBe(true);
    expect(rig.fake.requests.find((q) => q.method === 'POST' && q.path === '/ari/channels')?.query.formats).toBe('ulaw,alaw');
  });

  it('sets channel variables on the new channel through the originate body; names that are not variable names are dropped', async () => {
    rig = await startRig();
    const result = await rig.ari.originate({ endpoint: 'PJSIP/+4930123@trunk', flow: 'callback', variables: { QUEUE_PRIO: '10', 'bad name': 'x', 'X)=Y': 'z', TOUCHTONE_NOTE: 'a\r\nb' } });
    expect(result.ok).toBe(true);
    const sent = rig.fake.requests.find((r) => r.path === '/ari/channels' && r.method === 'POST');
    expect(sent?.body).toEqual({ variables: { QUEUE_PRIO: '10', TOUCHTONE_NOTE: expect.not.stringMatching(/[\r\n]/) } });
  });

  it('refuses a dial string built from input', async () => {
    rig = await startRig();
    for (const endpoint of ['PJSIP/1&PJSIP/2', 'PJSIP/1,20,tT', 'Local/${EVIL}@x', 'PJSIP/1\r\nx', 'PJSIP/a b', 'PJSIP/../x;y']) {
      const result = await rig.ari.originate({ endpoint });
      expect(result).toMatchObject({ ok: false, code: 'ARI_ENDPOINT_INVALID' });
    }
    expect(rig.fake.requests.some((r) => r.path === '/ari/channels' && r.method === 'POST')).toBe(false);
  });
});
