/**
 * Asterisk-initiated event websocket (`websocket_client.conf`, Asterisk 22.5+): the adapter listens, the fake
 * connects to it as Asterisk would, REST still goes to the fake's HTTP server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAriAdapter, type AriAdapter } from '../../src/telephony/ari/index.js';
import type { PortEvent } from '../../src/telephony/port.js';
import { FakeAri } from '../fakes/fake-ari/index.js';
import { PASSWORD, waitFor } from './harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function inboundRig(): Promise<{ fake: FakeAri; ari: AriAdapter; events: PortEvent[]; url: string }> {
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
  ari.onCall((call) => {
    call.onEvent((e) => events.push(e));
    call.answer();
  });
  await ari.start();
  cleanups.push(() => ari.stop());
  const url = ari.inboundAddress()!;
  expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ari\/events$/);
  return { fake, ari, events, url };
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
