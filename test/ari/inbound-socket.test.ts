/**
 * Asterisk-initiated event websocket (`websocket_client.conf`, Asterisk 22.5+): the adapter listens, the fake
 * connects to it as Asterisk would. REST goes to the fake's HTTP server, and the hot path over that same socket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAriAdapter, type AriAdapter } from '../../src/telephony/ari/index.js';
import type { CallPort, PortEvent } from '../../src/telephony/port.js';
import { InboundEventServer } from '../../src/telephony/ari/event-server.js';
import { systemClock } from '../../src/runtime/clock.js';
import { FakeAri } from '../fakes/fake-ari/index.js';
import { PASSWORD, waitFor } from './harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function inboundRig(): Promise<{ fake: FakeAri; ari: AriAdapter; events: PortEvent[]; ports: CallPort[]; url: string }> {
  const fake = await FakeAri.start({ password: PASSWORD });
  cleanups.push(() => fake.close());
  const ari = createAriAdapter({
    url: fake.url,
    username: 'touchtone',
    password: PASSWORD,
    inboundSocket: { port: 0, username: 'asterisk', password: 'ws-secret' },
    pingIntervalMs: 100,
    pongTimeoutMs: 100,
  });
  const events: PortEvent[] = [];
  const ports: CallPort[] = [];
  ari.onCall((call) => {
    ports.push(call);
    call.onEvent((e) => events.push(e));
    call.answer();
  });
  await ari.start();
  cleanups.push(() => ari.stop());
  const url = ari.inboundAddress()!;
  expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ari\/events$/);
  return { fake, ari, events, ports, url };
}

describe('ARI adapter: Asterisk-initiated event websocket', () => {
  it('accepts Asterisk with the right credentials and runs calls over it', async () => {
    const { fake, ari, events, url } = await inboundRig();
    expect(ari.status().connected).toBe(false);
    await fake.connectOutbound(url, 'asterisk', 'ws-secret');
    await waitFor(() => ari.status().connected && fake.eventFilters.has('touchtone'), 'set up');
    const { id } = fake.placeCall();
    await waitFor(() => fake.channels.get(id)?.state === 'Up', 'answered over REST');
    fake.pressKey(id, '3');
    await waitFor(() => events.some((e) => e.type === 'key'), 'key over the inbound socket');
  });

  it("the hot path's requests travel on the socket Asterisk opened", async () => {
    const { fake, ari, events, ports, url } = await inboundRig();
    await fake.connectOutbound(url, 'asterisk', 'ws-secret');
    await waitFor(() => ari.status().requestsVia === 'websocket', 'requests over the inbound socket');
    const { id } = fake.placeCall();
    const port = await waitFor(() => ports[0], 'call');
    port.play('hello', [{ kind: 'sound', name: 'hello' }]);
    await waitFor(() => events.some((e) => e.type === 'playback.finished'), 'played');
    const via = (suffix: string): string | undefined => fake.requests.find((r) => r.path.endsWith(suffix))?.via;
    expect({ answer: via(`/channels/${id}/answer`), play: via('/play/hello') }).toEqual({ answer: 'http', play: 'websocket' });
  });

  it('refuses wrong credentials', async () => {
    const { fake, url } = await inboundRig();
    await expect(fake.connectOutbound(url, 'asterisk', 'wrong')).rejects.toThrow(/401/);
  });

  it('Asterisk reconnecting after a drop: calls are reconciled as after any reconnect', async () => {
    const { fake, ari, events, url } = await inboundRig();
    const first = await fake.connectOutbound(url, 'asterisk', 'ws-secret');
    await waitFor(() => ari.status().connected, 'connected');
    const { id } = fake.placeCall();
    await waitFor(() => fake.channels.get(id)?.state === 'Up', 'answered');
    first.terminate();
    await waitFor(() => !ari.status().connected, 'noticed the drop');
    fake.callerHangsUp(id); // Lost: nobody listens.
    await fake.connectOutbound(url, 'asterisk', 'ws-secret');
    await waitFor(() => events.some((e) => e.type === 'hangup'), 'hangup found by the reconcile');
    expect(ari.status().reconnects).toBe(1);
  });
});

describe('the listener for Asterisk-initiated sockets', () => {
  it('an error after it listens reports the socket down instead of crashing the process', async () => {
    const downs: string[] = [];
    const server = new InboundEventServer(
      { port: 0, username: 'asterisk', password: 'ws-secret' },
      { clock: systemClock, pingIntervalMs: 1000, pongTimeoutMs: 1000 },
      { open: () => undefined, event: () => undefined, down: (reason) => void downs.push(reason) },
    );
    await server.listen();
    cleanups.push(() => server.stop());
    (server as unknown as { server: import('node:http').Server }).server.emit('error', new Error('EMFILE: too many open files'));
    expect(downs).toEqual(["Asterisk's websocket listener failed: EMFILE: too many open files"]);
  });
});
