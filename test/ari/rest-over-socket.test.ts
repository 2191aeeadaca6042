/**
 * ARI requests over the event websocket (`RESTRequest` / `RESTResponse`, Asterisk 20.14+, 21.9+, 22.4+): which
 * requests take it, how answers are matched, and every way back to HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AriRestClient, socketSafe, type RequestSocket } from '../../src/telephony/ari/rest-client.js';
import { FakeAri } from '../fakes/fake-ari/index.js';
import { eventsOf, PASSWORD, startRig, waitFor, type Rig } from './harness.js';

/** A socket that keeps what is sent and answers only when the test says so. */
class StubSocket implements RequestSocket {
  readonly frames: Array<Record<string, unknown>> = [];
  open = true;
  send(frame: string): boolean {
    if (!this.open) return false;
    this.frames.push(JSON.parse(frame) as Record<string, unknown>);
    return true;
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function client(timeoutMs = 1000): Promise<{ rest: AriRestClient; fake: FakeAri; silent: string[] }> {
  const fake = await FakeAri.start({ password: PASSWORD });
  const silent: string[] = [];
  const rest = new AriRestClient({ url: fake.url, username: 'touchtone', password: PASSWORD, timeoutMs, onSocketSilent: (reason) => silent.push(reason) });
  cleanups.push(() => fake.close(), () => rest.close());
  return { rest, fake, silent };
}

describe('which requests may travel on the websocket', () => {
  it.each([
    ['POST', '/channels/c1/play/p1'],
    ['DELETE', '/playbacks/p1'],
    ['POST', '/channels/c1/moh'],
    ['DELETE', '/channels/c1/moh'],
    ['POST', '/channels/c1/ring'],
    ['DELETE', '/channels/c1/ring'],
    ['GET', '/asterisk/ping'],
  ] as const)('%s %s: a caller waits for it, and Asterisk answers it without the channel thread', (method, path) => {
    expect(socketSafe(method, path)).toBe(true);
  });

  it.each([
    ['POST', '/channels/c1/answer'],
    ['POST', '/channels/c1/variable'],
    ['POST', '/channels/c1/continue'],
    ['POST', '/channels/c1-dial-1/dial'],
    ['DELETE', '/channels/c1'],
    ['POST', '/bridges/b1/addChannel'],
    ['GET', '/channels'],
    ['POST', '/channels'],
    ['POST', '/channels/create'],
    ['PUT', '/applications/touchtone/eventFilter'],
    ['GET', '/channels/c1/play/p1'],
    ['POST', '/channels/c1/play/p1/extra'],
  ] as const)('%s %s: waits for the channel thread, or happens once per call: HTTP', (method, path) => {
    expect(socketSafe(method, path)).toBe(false);
  });
});

describe('AriRestClient over a websocket', () => {
  it('sends a RESTRequest in ARI shape and resolves with the matching RESTResponse', async () => {
    const { rest } = await client();
    const socket = new StubSocket();
    rest.useSocket(socket);
    const pending = rest.request('POST', '/channels/c%2F1/play/p1', { media: 'sound:hello', lang: undefined, skipms: 0 });
    expect(socket.frames).toHaveLength(1);
    const frame = socket.frames[0]!;
    expect(frame).toMatchObject({ type: 'RESTRequest', method: 'POST', uri: 'channels/c%2F1/play/p1', query_strings: [{ name: 'media', value: 'sound:hello' }, { name: 'skipms', value: '0' }] });
    expect(frame.request_id).toBe(frame.transaction_id);
    expect(frame).not.toHaveProperty('message_body');
    // Someone else's answer, and a late one, are ignored.
    rest.answer({ type: 'RESTResponse', request_id: 'not-ours', status_code: 500 });
    rest.answer({ type: 'RESTResponse', request_id: frame.request_id, status_code: 201, message_body: '{"id":"p1","state":"queued"}' });
    expect(await pending).toEqual({ status: 201, body: { id: 'p1', state: 'queued' } });
    expect(rest.overWebsocket).toBe(true);
  });

  it('a body travels as a JSON string with its content type', async () => {
    const { rest } = await client();
    const socket = new StubSocket();
    rest.useSocket(socket);
    void rest.request('POST', '/channels/c1/moh', undefined, { note: 'x' });
    expect(socket.frames[0]).toMatchObject({ uri: 'channels/c1/moh', content_type: 'application/json', message_body: '{"note":"x"}' });
  });

  it('requests that wait for the channel thread go over HTTP even while the socket is in use', async () => {
    const { rest, fake } = await client();
    const socket = new StubSocket();
    rest.useSocket(socket);
    const { id } = fake.placeCall();
    const res = await rest.request('POST', `/channels/${id}/variable`, { variable: 'TOUCHTONE_X', value: '1' });
    expect(res.status).toBe(204);
    expect(socket.frames).toHaveLength(0);
    expect(fake.requests.at(-1)).toMatchObject({ path: `/ari/channels/${id}/variable`, via: 'http' });
  });

  it('the socket closing: a play waiting on it ends at once with status 0; a stop is sent again over HTTP', async () => {
    const { rest, fake } = await client(60_000);
    const socket = new StubSocket();
    rest.useSocket(socket);
    const play = rest.request('POST', '/channels/c1/play/p1', { media: 'sound:hello' });
    const stop = rest.request('DELETE', '/playbacks/p1');
    rest.useSocket(undefined);
    expect(await play).toEqual({ status: 0, body: undefined, error: 'the websocket closed before Asterisk answered' });
    expect((await stop).status).toBe(404); // The fake never heard of p1: HTTP carried the stop.
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.via}`)).toEqual(['DELETE /ari/playbacks/p1 http']);
    expect(rest.overWebsocket).toBe(false);
  });

  it('a stop sent again over HTTP is sent once, even when HTTP answers after the socket deadline', async () => {
    const { rest, fake } = await client(200);
    fake.delayOf = () => 100;
    const socket = new StubSocket();
    rest.useSocket(socket);
    const stop = rest.request('DELETE', '/playbacks/p1');
    await new Promise((resolve) => setTimeout(resolve, 150));
    rest.useSocket(undefined); // lost late: the HTTP retry answers after the socket's deadline (200 ms) had passed
    expect((await stop).status).toBe(404);
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.via}`)).toEqual(['DELETE /ari/playbacks/p1 http']);
  });

  it('a socket that cannot send any more hands the request to HTTP', async () => {
    const { rest, fake } = await client();
    const socket = new StubSocket();
    rest.useSocket(socket);
    socket.open = false;
    const res = await rest.request('GET', '/asterisk/ping');
    expect(res.status).toBe(200);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/ari/asterisk/ping', via: 'http' });
  });

  it('no answer within the deadline: the play fails, the stop goes again over HTTP, and so does every later request', async () => {
    const { rest, fake, silent } = await client(50);
    const socket = new StubSocket();
    rest.useSocket(socket);
    const [play, stop] = await Promise.all([rest.request('POST', '/channels/c1/play/p1', { media: 'sound:hello' }), rest.request('DELETE', '/playbacks/p1')]);
    expect(play).toEqual({ status: 0, body: undefined, error: 'no answer on the websocket within 50 ms' });
    expect(stop.status).toBe(404);
    expect(silent).toEqual(['no answer to POST /channels/c1/play/p1 on the websocket within 50 ms']);
    expect(rest.overWebsocket).toBe(false);
    expect((await rest.request('GET', '/asterisk/ping')).status).toBe(200);
    expect(socket.frames).toHaveLength(2);
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.via}`)).toEqual(['DELETE /ari/playbacks/p1 http', 'GET /ari/asterisk/ping http']);
  });

  it('trySocket: an Asterisk that answers gets the socket; one that ignores the frame (before 20.14) keeps HTTP', async () => {
    const { rest } = await client();
    const ignoring = new StubSocket();
    expect(await rest.trySocket(ignoring, 30)).toBe(false);
    expect(rest.overWebsocket).toBe(false);
    expect(ignoring.frames[0]).toMatchObject({ method: 'GET', uri: 'asterisk/ping' });

    const answering = new StubSocket();
    const tried = rest.trySocket(answering, 1000);
    rest.answer({ type: 'RESTResponse', request_id: answering.frames[0]!.request_id, status_code: 200, message_body: '{"ping":"pong"}' });
    expect(await tried).toBe(true);
    expect(rest.overWebsocket).toBe(true);
  });
});

describe('ARI adapter: requests over the event websocket', () => {
  it('prompts and their stops travel on the socket, the rest over HTTP; answers pass the event filter', async () => {
    rig = await startRig({ fake: { playbackMs: Infinity } });
    expect(rig.ari.status().requestsVia).toBe('websocket');
    expect(rig.fake.eventFilters.get('touchtone')?.has('RESTResponse')).toBe(true);
    const { id } = rig.fake.placeCall();
    const call = await rig.call();
    call.port.answer();
    call.port.play('p1', [{ kind: 'sound', name: 'hello' }]);
    await waitFor(() => eventsOf(call, 'playback.started').length, 'started');
    call.port.stopPlayback('p1');
    await waitFor(() => eventsOf(call, 'playback.finished').length, 'stopped');
    call.port.setVariables({ TOUCHTONE_ACCOUNT: '4711' });
    call.port.enqueue({ queue: 'support' });
    await waitFor(() => rig!.fake.channels.get(id)?.app === undefined, 'left the app');
    const via = (suffix: string): string | undefined => rig!.fake.requests.find((r) => r.path.endsWith(suffix))?.via;
    expect({ answer: via('/answer'), play: via('/play/p1'), stop: via('/playbacks/p1'), variable: via('/variable'), continue: via('/continue') }).toEqual({
      answer: 'http',
      play: 'websocket',
      stop: 'websocket',
      variable: 'http',
      continue: 'http',
    });
    expect(rig.fake.channels.get(id)!.variables.__TOUCHTONE_ACCOUNT).toBe('4711');
  });

  it('a variable set during a prompt waits for the prompt, and holds up no other call', async () => {
    rig = await startRig({ fake: { playbackMs: Infinity } });
    const a = rig.fake.placeCall().id;
    const first = await rig.call(0);
    first.port.play('a-prompt', [{ kind: 'sound', name: 'long' }]);
    await waitFor(() => eventsOf(first, 'playback.started').length, 'a playing');
    first.port.setVariables({ TOUCHTONE_ACCOUNT: '1' });
    rig.fake.placeCall();
    const second = await rig.call(1);
    second.port.play('b-prompt', [{ kind: 'sound', name: 'hello' }]);
    await waitFor(() => eventsOf(second, 'playback.started').length, "the other call's prompt started");
    expect(rig.fake.channels.get(a)!.variables.__TOUCHTONE_ACCOUNT).toBeUndefined();
    rig.fake.finishPlayback('a-prompt');
    await waitFor(() => rig!.fake.channels.get(a)!.variables.__TOUCHTONE_ACCOUNT === '1', 'variable set once the prompt ended');
  });

  it('an Asterisk older than 20.14 ignores RESTRequest: everything stays on HTTP and calls work', async () => {
    rig = await startRig({ fake: { socketRequests: false, playbackMs: Infinity } });
    await waitFor(() => rig!.logs.find((l) => l.msg.includes('20.14')), 'probe given up');
    expect(rig.ari.status().requestsVia).toBe('http');
    rig.fake.placeCall();
    const call = await rig.call();
    call.port.play('p1', [{ kind: 'sound', name: 'hello' }]);
    await waitFor(() => eventsOf(call, 'playback.started').length, 'started');
    expect(rig.fake.requests.some((r) => r.via === 'websocket')).toBe(false);
  });

  it('turned off with requestsOverWebsocket: false, nothing is sent on the socket', async () => {
    rig = await startRig({ ari: { requestsOverWebsocket: false } });
    rig.fake.placeCall();
    const call = await rig.call();
    call.port.play('p1', [{ kind: 'sound', name: 'hello' }]);
    await waitFor(() => eventsOf(call, 'playback.finished').length, 'played');
    expect(rig.fake.requests.some((r) => r.via === 'websocket')).toBe(false);
    expect(rig.ari.status().requestsVia).toBe('http');
  });

  it('a socket that stops answering requests: warned, HTTP from then on, and the socket again after a reconnect', async () => {
    rig = await startRig({ ari: { requestTimeoutMs: 100 }, fake: { playbackMs: Infinity } });
    rig.fake.placeCall();
    const call = await rig.call();
    rig.fake.socketRequests = false;
    call.port.play('lost', [{ kind: 'sound', name: 'hello' }]);
    await waitFor(() => rig!.logs.find((l) => (l.obj as { code?: string }).code === 'ARI_REST_SOCKET_SILENT'), 'warned');
    expect(rig.ari.status().requestsVia).toBe('http');
    call.port.play('over-http', [{ kind: 'sound', name: 'hello' }]);
    await waitFor(() => rig!.fake.requests.find((r) => r.path.endsWith('/play/over-http'))?.via === 'http', 'played over HTTP');
    rig.fake.socketRequests = true;
    rig.fake.dropSockets();
    await waitFor(() => rig!.ari.status().reconnects === 1 && rig!.ari.status().requestsVia === 'websocket', 'socket again after the reconnect');
  });

  it('stop waits for requests on the socket: a barge-in sent just before stop lands', async () => {
    rig = await startRig({ fake: { playbackMs: Infinity } });
    rig.fake.placeCall();
    const call = await rig.call();
    call.port.play('p1', [{ kind: 'sound', name: 'hello' }]);
    await waitFor(() => eventsOf(call, 'playback.started').length, 'started');
    rig.fake.responseDelayMs = 30;
    call.port.stopPlayback('p1');
    await rig.ari.stop();
    expect(rig.fake.playbacks.has('p1')).toBe(false);
    expect(rig.fake.requests.find((r) => r.method === 'DELETE' && r.path === '/ari/playbacks/p1')?.via).toBe('websocket');
  });

  it('a play whose answer never came is stopped, in case Asterisk made it', async () => {
    rig = await startRig({ ari: { requestTimeoutMs: 100 }, fake: { playbackMs: Infinity } });
    rig.fake.placeCall();
    const call = await rig.call();
    // Asterisk makes the playback, but its answer is lost (the socket filters it out).
    rig.fake.eventFilters.get('touchtone')!.delete('RESTResponse');
    call.port.play('unanswered', [{ kind: 'sound', name: 'hello' }]);
    await waitFor(() => eventsOf(call, 'playback.finished').length, 'play given up');
    expect(eventsOf(call, 'playback.finished')[0]).toMatchObject({ outcome: 'failed', reason: 'no answer on the websocket within 100 ms' });
    await waitFor(() => !rig!.fake.playbacks.has('unanswered'), 'the playback Asterisk made is stopped');
    expect(rig.fake.requests.find((r) => r.method === 'DELETE' && r.path === '/ari/playbacks/unanswered')?.via).toBe('http');
  });
});
