/**
 * Callback instead of waiting, through the whole server: a caller's key books a request in the SQLite store; without
 * ARI the dashboard lists it and nothing is dialled; with (fake) ARI and AMI the scheduler calls back when an agent
 * is free, the callback flow runs and queues the person with the callback priority, and its end completes the request.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { settle, VirtualClock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/services.js';
import { SimulatedPhone } from '../../src/telephony/simulator/simulated-phone.js';
import { FakeAri } from '../fakes/fake-ari/index.js';
import { FakeAmi } from '../fakes/fake-ami.js';

const DEMO = `flow: demo
language: en
start: q
variables: { account: "1234" }
prompts:
  offer: { text: "Press 5 to be called back." }
  booked: { text: "We will call you back." }
queues: { support: { whenUnknown: open } }
steps:
  q:
    queue: { name: support, callback: { key: "5", prompt: offer, next: booked } }
  booked: { hangup: [booked] }
`;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  cleanup = [];
});

function flowsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tt-callbacks-'));
  writeFileSync(join(dir, 'demo.yaml'), DEMO);
  writeFileSync(join(dir, 'callback.yaml'), readFileSync('flows/callback.yaml', 'utf8'));
  return dir;
}

function configFor(dir: string, env: Record<string, string>) {
  const { config, diagnostics } = loadConfig({
    cwd: dir,
    env: { TOUCHTONE_FLOWS_DIR: dir, TOUCHTONE_HTTP_PORT: '0', TOUCHTONE_STORE_PATH: ':memory:', TOUCHTONE_SHUTDOWN_GRACE_MS: '0', TOUCHTONE_CALLBACKS_ENABLED: 'true', TOUCHTONE_CALLBACK_ENDPOINT: 'PJSIP/{number}@trunk', ...env },
  });
  expect(diagnostics).toEqual([]);
  return config!;
}

describe('callbacks in the server', () => {
  it('without ARI, a booked callback is stored and listed on the dashboard, and nobody is dialled', async () => {
    const clock = new VirtualClock(Date.parse('2026-12-07T09:00:00Z'));
    const server: RunningServer = await startServer({ config: configFor(flowsDir(), {}), logger: silentLogger, clock, watch: false, phone: { clock } });
    cleanup.push(() => server.shutdown('test'));
    const phone = new SimulatedPhone(clock, { callId: 'sim-1', caller: '+4930123456', dialled: '100', flow: 'demo', args: {} });
    const call = server.engine.startCall(phone, 'demo');
    await settle();
    await clock.advance(1000);
    phone.press('5');
    await settle();
    await clock.advance(10_000);
    expect(await call.done).toMatchObject({ step: 'booked' });

    const api = request(server.url.replace(/\/$/, ''));
    const listed = (await api.get('/api/recordings?purpose=callback')).body.recordings;
    expect(listed).toEqual([expect.objectContaining({ purpose: 'callback', caller: '+4930123456', queue: 'support', state: 'waiting', attempts: 0, vars: { account: '1234' } })]);
    expect((await api.get('/api/recordings?purpose=voicemail')).body.recordings).toEqual([]);
    await clock.advance(60_000);
    expect(server.store.callbacks.open()).toMatchObject([{ state: 'waiting', attempts: 0, callId: 'sim-1' }]);
  });

  it('with ARI and AMI, the scheduler calls back at once when an agent is free; the callback flow queues the person and completes the request', async () => {
    const fake = await FakeAri.start({ password: 'pw', playbackMs: 20 });
    cleanup.push(() => fake.close());
    const ami = new FakeAmi({ users: { touchtone: 'secret' }, queues: { support: { loggedIn: 1, available: 1, callers: 0, holdTime: 0 } } });
    const amiPort = await ami.listen();
    cleanup.push(() => ami.close());
    const config = configFor(flowsDir(), { TOUCHTONE_ARI_URL: fake.url, TOUCHTONE_ARI_PASSWORD: 'pw', TOUCHTONE_AMI_HOST: '127.0.0.1', TOUCHTONE_AMI_PORT: String(amiPort), TOUCHTONE_AMI_SECRET: 'secret' });
    const server = await startServer({ config, logger: silentLogger, watch: false });
    cleanup.push(() => server.shutdown('test'));
    const api = request(server.url.replace(/\/$/, ''));
    await vi.waitFor(async () => expect((await api.get('/ready')).body.components).toMatchObject({ ari: { ok: true }, ami: { ok: true } }), { timeout: 5000, interval: 50 });

    const { id } = fake.placeCall({ args: ['demo'], caller: '+4930123456' });
    // The key counts once the offer plays (before it, the step is still asking AMI).
    await vi.waitFor(() => expect([...server.engine.liveCalls.values()].flatMap((c) => c.trace.filter((e) => e.type === 'prompt'))).toMatchObject([{ prompts: ['offer'] }]), { timeout: 5000, interval: 10 });
    fake.pressKey(id, '5');

    // The callback call arrives in the callback flow with the request as Stasis arguments.
    const callback = await vi.waitFor(
      () => {
        const live = [...server.engine.liveCalls.values()].find((c) => c.flow.name === 'callback');
        expect(live).toBeDefined();
        return live!;
      },
      { timeout: 5000, interval: 20 },
    );
    const requestId = server.store.callbacks.list()[0]!.id;
    expect(callback.facts.args).toMatchObject({ TOUCHTONE_CALLBACK_ID: requestId, TOUCHTONE_QUEUE_PRIO: '10', QUEUE_PRIO: '10', TOUCHTONE_ACCOUNT: '1234', TOUCHTONE_CALLBACK_QUEUE: 'support' });
    expect(server.store.callbacks.list()[0]).toMatchObject({ state: 'calling', attempts: 1, position: 1 });
    await vi.waitFor(() => expect(callback.step).toBe('offer'), { timeout: 5000, interval: 20 });
    fake.pressKey(callback.id, '1');
    await expect(callback.done).resolves.toMatchObject({ kind: 'queued', queue: 'support' });
    await vi.waitFor(() => expect(server.store.callbacks.list()[0]).toMatchObject({ id: requestId, state: 'done' }), { timeout: 5000, interval: 20 });
    expect(server.store.callbacks.attempts(requestId)).toMatchObject([{ attempt: 1, ok: true }]);
  }, 30_000);
});
