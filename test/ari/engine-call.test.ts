/**
 * Whole calls: the real engine with in-memory services, the default hotline, the ARI adapter and the fake ARI.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/runtime/clock.js';
import { Engine } from '../../src/runtime/engine.js';
import { createInMemoryServices } from '../../src/runtime/in-memory-services.js';
import type { CallSession } from '../../src/runtime/call-session.js';
import { createHoursService } from '../../src/data/hours.js';
import { fakeHours } from '../../src/testing/fakes.js';
import { compileFlowFile } from '../../src/testing/load-flow.js';
import { createAriAdapter, type AriAdapter } from '../../src/telephony/ari/index.js';
import { FakeAri } from '../fakes/fake-ari/index.js';
import { PASSWORD, waitFor } from './harness.js';

const cleanups: Array<() => Promise<void>> = [];
let compiled: Awaited<ReturnType<typeof compileFlowFile>> | undefined;
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function hotline(
  fake: FakeAri,
  onReattach?: (engine: Engine) => Parameters<AriAdapter['onReattach']>[0],
): Promise<{ engine: Engine; ari: AriAdapter; sessions: CallSession[] }> {
  const services = createInMemoryServices({
    clock: systemClock,
    data: { accounts: [{ number: '123456', balance: 42.5 }], prices: [{ code: '1234', price: 9.99 }] },
    hours: fakeHours(createHoursService(), { office: 'open' }),
  });
  const engine = new Engine(services);
  // One compiled version shared by both "processes": the flow catalog keeps versions across restarts.
  compiled ??= await compileFlowFile('flows/acme-hotline.yaml');
  engine.publish(compiled);
  const ari = createAriAdapter({
    url: fake.url,
    username: 'touchtone',
    password: PASSWORD,
    backoffInitialMs: 10,
    backoffMaxMs: 50,
    safeDestination: { kind: 'dialplan', context: 'touchtone-fallback', extension: 's', priority: 1 },
  });
  const sessions: CallSession[] = [];
  ari.onCall((call) => sessions.push(engine.startCall(call)));
  // Registered before start(): calls found at the first connect are offered at once.
  if (onReattach) ari.onReattach(onReattach(engine));
  await ari.start();
  await waitFor(() => ari.status().connected, 'connected');
  cleanups.push(() => ari.stop());
  return { engine, ari, sessions };
}

/** Resolves when a playback whose media contains `sound` has started on the fake. */
function promptStarted(fake: FakeAri, sound: string): Promise<void> {
  return new Promise((resolve) => {
    const on = (type: string, fields: { playback?: { media_uri?: string; id?: string } }): void => {
      const id = fields.playback?.id;
      const media = id ? fake.requests.findLast((r) => r.path.endsWith(`/play/${encodeURIComponent(id)}`))?.query.media : undefined;
      if (type === 'PlaybackStarted' && media?.includes(sound)) {
        fake.off('event', on);
        resolve();
      }
    };
    fake.on('event', on);
  });
}

describe('a whole call over ARI', () => {
  it('menu → balance lookup → sales transfer (busy) → queue, with barge-in on the menu', async () => {
    const fake = await FakeAri.start({ password: PASSWORD, playbackMs: 20 });
    cleanups.push(() => fake.close());
    fake.endpoints.set('PJSIP/sales', 'busy');
    const { sessions } = await hotline(fake);

    const menu = promptStarted(fake, 'acme/main-menu');
    const { id } = fake.placeCall({ caller: '5551234', dialled: '100', args: ['acme-hotline'] });
    await menu;
    const enterAccount = promptStarted(fake, 'acme/enter-account');
    fake.pressKey(id, '1'); // Barge-in on the main menu.
    await enterAccount;
    const balance = promptStarted(fake, 'acme/your-balance-is');
    for (const d of '123456#') fake.pressKey(id, d);
    await balance;
    const menuAgain = promptStarted(fake, 'acme/main-menu');
    await menuAgain;
    fake.pressKey(id, '4'); // Sales: busy → sales-busy → agent queue.
    const session = sessions[0]!;
    const outcome = await session.done;

    expect(outcome).toMatchObject({ kind: 'queued', queue: 'support' });
    await waitFor(() => fake.channels.get(id)!.app === undefined, 'handed to the queue context');
    expect(fake.channels.get(id)!.dialplan).toMatchObject({ context: 'touchtone-queue', exten: 's' });
    expect(fake.channels.get(id)!.variables.__TOUCHTONE_QUEUE).toBe('support');
    expect(fake.channels.get(id)!.state).toBe('Up');
    // Barge-in really stopped the menu prompt on Asterisk's side.
    expect(fake.requests.some((r) => r.method === 'DELETE' && r.path.startsWith('/ari/playbacks/'))).toBe(true);
    // The balance was spoken from the lookup.
    const spoken = fake.requests.filter((r) => r.path.includes('/play/')).map((r) => r.query.media).join(' ');
    expect(spoken).toMatch(/number:42/);
    expect(fake.requests.some((r) => r.path === '/ari/channels/create' && r.query.endpoint === 'PJSIP/sales')).toBe(true);
  });

  it('hangup mid-prompt ends the session as hung up', async () => {
    const fake = await FakeAri.start({ password: PASSWORD, playbackMs: Infinity });
    cleanups.push(() => fake.close());
    const { sessions } = await hotline(fake);
    const welcome = promptStarted(fake, 'acme/welcome');
    const { id } = fake.placeCall({ args: ['acme-hotline'] });
    await welcome;
    fake.callerHangsUp(id);
    const outcome = await sessions[0]!.done;
    expect(outcome.kind).toBe('hungup');
  });

  it('socket drop mid-call, then a new process resumes the call from its snapshot', async () => {
    const fake = await FakeAri.start({ password: PASSWORD, playbackMs: 20 });
    cleanups.push(() => fake.close());
    const first = await hotline(fake);
    const menu = promptStarted(fake, 'acme/main-menu');
    const { id } = fake.placeCall({ args: ['acme-hotline'] });
    await menu;
    const enterAccount = promptStarted(fake, 'acme/enter-account');
    fake.pressKey(id, '1');
    await enterAccount;
    // The persisted snapshot (engineer C's store keeps it; here we hold it in memory), then the process dies.
    await waitFor(() => first.sessions[0]!.snapshot().actor.status === 'active', 'active');
    const snapshot = first.sessions[0]!.snapshot();
    await first.ari.stop();
    fake.dropSockets();

    const resumed: CallSession[] = [];
    const reasons: string[] = [];
    await hotline(fake, (engine) => (call, info) => {
      reasons.push(info.reason);
      resumed.push(engine.resumeCall(call, snapshot.flow, snapshot.version, snapshot));
    });
    await waitFor(() => resumed.length, 'resumed');
    expect(reasons).toEqual(['startup']);
    const balance = promptStarted(fake, 'acme/your-balance-is');
    for (const d of '123456#') fake.pressKey(id, d);
    await balance;
    expect(resumed[0]!.id).toBe(id);
    fake.callerHangsUp(id);
    expect((await resumed[0]!.done).kind).toBe('hungup');
  });

  it('the engine down: Stasis fails and the call goes to the fallback (no call lost)', async () => {
    const fake = await FakeAri.start({ password: PASSWORD });
    cleanups.push(() => fake.close());
    const placed = fake.placeCall({ args: ['acme-hotline'] });
    expect(placed.stasisStatus).toBe('FAILED');
    expect(fake.channels.get(placed.id)!.dialplan).toMatchObject({ context: 'touchtone-fallback', app_name: 'Queue' });
  });
});
