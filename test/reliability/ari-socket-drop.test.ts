/**
 * Fault: the ARI websocket drops in the middle of a call (a prompt, a lookup, a transfer). The engine keeps its
 * call; the adapter reconnects and the call goes on within 2 s of the drop. Real engine, real adapter, the default
 * hotline, the fake ARI on 127.0.0.1 (real time, bounded waits).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../../src/runtime/clock.js';
import { Engine } from '../../src/runtime/engine.js';
import { createInMemoryServices } from '../../src/runtime/in-memory-services.js';
import type { CallSession } from '../../src/runtime/call-session.js';
import { createHoursService } from '../../src/data/hours.js';
import { fakeHours } from '../../src/testing/fakes.js';
import { compileFlowFile } from '../../src/testing/load-flow.js';
import { createAriAdapter, type AriAdapter } from '../../src/telephony/ari/index.js';
import { FakeAri } from '../fakes/fake-ari/index.js';
import { PASSWORD, waitFor } from '../ari/harness.js';
import { promptStarted } from './helpers.js';

const RECOVERY_BOUND_MS = 2000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

async function rig(fakeOptions: { playbackMs: number; ringMs?: number }): Promise<{ fake: FakeAri; ari: AriAdapter; sessions: CallSession[] }> {
  const fake = await FakeAri.start({ password: PASSWORD, ...fakeOptions });
  cleanups.push(() => fake.close());
  const services = createInMemoryServices({
    clock: systemClock,
    // A lookup slow enough for the socket to drop while it runs.
    data: { accounts: { records: [{ number: '123456', balance: 42.5 }], delay: 400 } },
    hours: fakeHours(createHoursService(), { office: 'open' }),
  });
  const engine = new Engine(services);
  engine.publish(await compileFlowFile('flows/acme-hotline.yaml'));
  const ari = createAriAdapter({
    url: fake.url,
    username: 'touchtone',
    password: PASSWORD,
    backoffInitialMs: 10,
    backoffMaxMs: 100,
    safeDestination: { kind: 'dialplan', context: 'touchtone-fallback', extension: 's', priority: 1 },
  });
  const sessions: CallSession[] = [];
  ari.onCall((call) => sessions.push(engine.startCall(call)));
  await ari.start();
  await waitFor(() => ari.status().connected, 'connected');
  cleanups.push(() => ari.stop());
  return { fake, ari, sessions };
}

/** Drops the socket and returns when it went down, after making sure the adapter saw it. */
async function drop(fake: FakeAri, ari: AriAdapter): Promise<number> {
  const reconnects = ari.status().reconnects;
  const at = performance.now();
  fake.dropSockets();
  await waitFor(() => ari.status().reconnects > reconnects, 'the adapter reconnected', RECOVERY_BOUND_MS);
  return at;
}

describe('ARI socket drops mid-call', () => {
  it('mid-prompt: the call hears the next prompt after a key pressed once the socket is back, within 2 s', async () => {
    const { fake, ari, sessions } = await rig({ playbackMs: 2000 });
    const menu = promptStarted(fake, 'acme/main-menu');
    const { id } = fake.placeCall({ args: ['acme-hotline'] });
    await menu;
    const droppedAt = await drop(fake, ari);
    const next = promptStarted(fake, 'acme/enter-account');
    fake.pressKey(id, '1');
    await next;
    const recoveryMs = performance.now() - droppedAt;
    expect(recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
    process.stdout.write(`ARI drop mid-prompt: next prompt ${recoveryMs.toFixed(0)} ms after the drop\n`);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.ended).toBe(false);
    fake.callerHangsUp(id);
    expect((await sessions[0]!.done).kind).toBe('hungup');
  });

  it('mid-lookup: the lookup result is spoken after the reconnect, within 2 s of the drop', async () => {
    const { fake, ari, sessions } = await rig({ playbackMs: 30 });
    const menu = promptStarted(fake, 'acme/main-menu');
    const { id } = fake.placeCall({ args: ['acme-hotline'] });
    await menu;
    const account = promptStarted(fake, 'acme/enter-account');
    fake.pressKey(id, '1');
    await account;
    for (const d of '123456#') fake.pressKey(id, d);
    await waitFor(() => sessions[0]!.step === 'find-account', 'the lookup running');
    const balance = promptStarted(fake, 'acme/your-balance-is');
    const droppedAt = await drop(fake, ari);
    await balance;
    const recoveryMs = performance.now() - droppedAt;
    expect(recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
    process.stdout.write(`ARI drop mid-lookup: result spoken ${recoveryMs.toFixed(0)} ms after the drop\n`);
    fake.callerHangsUp(id);
    expect((await sessions[0]!.done).kind).toBe('hungup');
  });

  /** Dials sales, drops the socket once `dropWhen` holds, and checks the call ends transferred within the bound. */
  async function transferWithDrop(what: string, dropWhen: (fake: FakeAri) => boolean): Promise<void> {
    const ringMs = 600;
    const { fake, ari, sessions } = await rig({ playbackMs: 30, ringMs });
    fake.endpoints.set('PJSIP/sales', 'answer');
    const menu = promptStarted(fake, 'acme/main-menu');
    const { id } = fake.placeCall({ args: ['acme-hotline'] });
    await menu;
    fake.pressKey(id, '4');
    await waitFor(() => dropWhen(fake), 'the moment to drop the socket');
    const droppedAt = await drop(fake, ari);
    const outcome = await Promise.race([sessions[0]!.done, new Promise<undefined>((resolve) => setTimeout(resolve, RECOVERY_BOUND_MS + ringMs))]);
    expect(outcome, `the call did not end within ${RECOVERY_BOUND_MS + ringMs} ms of the drop; it is at step \`${sessions[0]!.step}\``).toBeDefined();
    expect(outcome!.kind).toBe('transferred');
    const recoveryMs = performance.now() - droppedAt;
    expect(recoveryMs).toBeLessThan(RECOVERY_BOUND_MS + ringMs);
    process.stdout.write(`ARI drop ${what}: call transferred ${recoveryMs.toFixed(0)} ms after the drop (ring time ${ringMs} ms)\n`);
  }

  it('mid-transfer, while the department rings: the answer after the reconnect ends the call transferred, within 2 s', async () => {
    await transferWithDrop('mid-transfer (ringing)', (fake) => fake.requests.some((r) => r.method === 'POST' && /^\/ari\/channels\/[^/]+-dial-\d+\/dial$/.test(r.path)));
  });

  it('mid-transfer, between creating the department leg and dialling it: the call still ends transferred within 2 s', async () => {
    // The new leg's StasisStart is sent while the socket is down; the adapter must find the leg again on reconnect
    // (GET /channels lists it) instead of waiting for the ring timeout.
    await transferWithDrop('mid-transfer (create → dial)', (fake) => fake.requests.some((r) => r.path === '/ari/channels/create' && r.query.endpoint === 'PJSIP/sales'));
  });
});
