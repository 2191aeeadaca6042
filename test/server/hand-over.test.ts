/**
 * A shutdown hand-over against the fake ARI (127.0.0.1) with the server on a virtual clock: a call still running at
 * the end of the grace time goes to the dialplan fallback and its session ends `transferred` there at once, so the
 * shutdown does not wait out the drain's 5 s (the virtual clock is never advanced past the grace time). The prompt
 * playing is stopped first: Asterisk holds a `continue` back until the playback ends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer } from '../../src/server/start-server.js';
import { VirtualClock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/services.js';
import { FakeAri } from '../fakes/fake-ari/index.js';
import { waitFor } from '../ari/harness.js';
import { ARI_PASSWORD, flowFolder, serverEnv } from './resume-flow.js';

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
});
