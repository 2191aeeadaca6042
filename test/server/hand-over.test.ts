/**
 * A shutdown hand-over against the fake ARI (127.0.0.1) with the server on a virtual clock: a call still running at
 * the end of the grace time goes to the dialplan fallback and its session ends `transferred` there at once, so the
 * shutdown does not wait out the drain's 5 s (the virtual clock is never advanced past the grace time). The prompt
 * playing is stopped first: Asterisk holds a `continue` back until the playback ends.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer } from '../../src/server/start-server.js';
import { VirtualClock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/services.js';
import { FakeAri } from '../fakes/fake-ari/index.js';
import { startCall } from '../engine/helpers.js';
import { waitFor } from '../ari/harness.js';
import { ARI_PASSWORD, flowFolder, serverEnv, strandInApp } from './resume-flow.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('shutdown hand-over', () => {
  it('ends handed-over calls `transferred` to the fallback, so the drain after the hand-over does not wait', async () => {
    // The first prompt never ends by itself: it is still playing when the grace time is over.
    const fake = await FakeAri.start({ password: ARI_PASSWORD, playbackMs: Infinity });
    cleanups.push(() => fake.close());
    const folder = flowFolder();
    cleanups.push(folder.remove);
    const { config, diagnostics } = loadConfig({ cwd: folder.dir, env: { ...serverEnv(folder.dir, ':memory:', fake), TOUCHTONE_SHUTDOWN_GRACE_MS: '1000' } });
    expect(diagnostics).toEqual([]);
    const clock = new VirtualClock(Date.parse('2026-01-05T10:00:00Z'));
    const server = await startServer({ config: config!, logger: silentLogger, clock, watch: false });
    await waitFor(() => fake.socketCount() > 0, 'the server connected');
    const { id } = fake.placeCall({ args: ['demo'] });
    const session = await waitFor(() => server.engine.liveCalls.get(id), 'the call in the engine');
    await waitFor(() => session.step === 'main', 'the call at `main`');

    let stopped = false;
    const stopping = server.shutdown('SIGTERM').then(() => (stopped = true));
    await clock.advance(1000);
    await waitFor(() => fake.channels.get(id)?.dialplan.context === 'touchtone-fallback', 'the call handed to the fallback');
    expect(await session.done).toEqual({ kind: 'transferred', step: 'main', department: 'touchtone-fallback' });
    // Asterisk runs `continue` only once the prompt ends, so the prompt is stopped first.
    const calls = fake.requests.map((q) => `${q.method} ${q.path}`);
    const stop = calls.indexOf(`DELETE /ari/playbacks/${encodeURIComponent(`${id}:p1`)}`);
    expect(stop).toBeGreaterThanOrEqual(0);
    expect(stop).toBeLessThan(calls.indexOf(`POST /ari/channels/${id}/continue`));
    // Only real time passes from here: a drain still waiting for the session would need the clock to reach 6 s.
    await waitFor(() => stopped, 'the shutdown finished without the drain timeout', 3000);
    await stopping;
    expect(clock.now()).toBe(Date.parse('2026-01-05T10:00:01Z'));
  }, 20_000);

  it('hands over a call whose resume failed and that began again at the error step', async () => {
    const fake = await FakeAri.start({ password: ARI_PASSWORD, playbackMs: Infinity });
    cleanups.push(() => fake.close());
    const folder = flowFolder();
    cleanups.push(folder.remove);
    // The apology never ends by itself: the call is still at the error step when the grace time is over.
    const flowText =
      'flow: careful\nlanguage: en\nstart: hello\ndefaults: { error: sorry }\nprompts:\n  hello: { sound: careful/hello, text: "Welcome." }\n' +
      '  sorry: { sound: careful/sorry, text: "Sorry." }\nsteps:\n  hello: { play: [hello], next: sorry }\n  sorry: { hangup: [sorry] }\n';
    writeFileSync(join(folder.dir, 'careful.yaml'), flowText);
    // A saved state as the engine writes it, then made to name no step of the flow: its resume fails.
    const sim = await startCall(flowText);
    const saved = JSON.parse(JSON.stringify(sim.call.snapshot())) as { actor: object };
    const { config, diagnostics } = loadConfig({ cwd: folder.dir, env: { ...serverEnv(folder.dir, folder.db, fake), TOUCHTONE_SHUTDOWN_GRACE_MS: '1000' } });
    expect(diagnostics).toEqual([]);
    const clock = new VirtualClock(Date.parse('2026-01-05T10:00:00Z'));
    const server = await startServer({ config: config!, logger: silentLogger, clock, watch: false });
    await waitFor(() => fake.socketCount() > 0, 'the server connected');
    // A call left by a previous process.
    const { id } = fake.placeCall({ app: 'elsewhere' });
    strandInApp(fake, id, 'careful');
    const version = server.engine.flow('careful')!.version;
    server.store.liveCalls.save(id, 'careful', version, { ...saved, callId: id, actor: { ...saved.actor, value: 'no-such-step' } });
    fake.dropSockets();
    await waitFor(() => fake.socketCount() === 0, 'the socket down');
    // The adapter's reconnect backoff runs on the server's clock.
    for (let i = 0; i < 100 && !server.engine.liveCalls.has(id); i++) {
      await clock.advance(10);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const session = await waitFor(() => server.engine.liveCalls.get(id), 'the call begun again at the error step');
    await waitFor(() => session.step === 'sorry', 'the call at `sorry`');

    const stopping = server.shutdown('SIGTERM');
    await clock.advance(1000);
    await waitFor(() => fake.channels.get(id)?.dialplan.context === 'touchtone-fallback', 'the call handed to the fallback');
    expect(await session.done).toEqual({ kind: 'transferred', step: 'sorry', department: 'touchtone-fallback' });
    await stopping;
  }, 20_000);
});
