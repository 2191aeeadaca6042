/**
 * Taking calls back, in one process: the server against the fake ARI (127.0.0.1, real time, bounded waits) with a
 * SQLite file. A socket drop mid-call keeps the call at its step with its variables; a call found in the app with
 * no saved state goes to the safe destination within 2 s; a call found with a saved state is resumed from it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, openStoreReadonly } from '../../src/store/index.js';
import { startCall } from '../engine/helpers.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import type { Logger } from '../../src/runtime/services.js';
import { FakeAri } from '../fakes/fake-ari/index.js';
import { waitFor } from '../ari/harness.js';
import { ARI_PASSWORD, flowFolder, played, RESUME_FLOW, savedStep, serverEnv, strandInApp } from './resume-flow.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function capture(): { logger: Logger; lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> } {
  const lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, msg: msg ?? '', obj: obj as Record<string, unknown> });
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

async function boot(fake: FakeAri, folder: { dir: string; db: string }, logger: Logger): Promise<RunningServer> {
  const { config, diagnostics } = loadConfig({ cwd: folder.dir, env: serverEnv(folder.dir, folder.db, fake) });
  expect(diagnostics).toEqual([]);
  const server = await startServer({ config: config!, logger, watch: false });
  cleanups.push(() => server.shutdown('test'));
  return server;
}

async function rig(logger: Logger = capture().logger) {
  const fake = await FakeAri.start({ password: ARI_PASSWORD, playbackMs: 20 });
  cleanups.push(() => fake.close());
  const folder = flowFolder();
  cleanups.push(folder.remove);
  return { fake, folder, logger };
}

/** Drives a call to the `pick` menu with the code 4711 entered. */
async function toPick(fake: FakeAri, server: RunningServer, id: string): Promise<void> {
  await waitFor(() => played(fake, id, 'demo/hello'), 'the first menu');
  fake.pressKey(id, '1');
  await waitFor(() => played(fake, id, 'demo/code'), 'the code prompt');
  for (const d of '4711#') fake.pressKey(id, d);
  await waitFor(() => server.engine.liveCalls.get(id)?.step === 'pick', 'the call at `pick`');
}

describe('taking calls back', () => {
  it('socket drop mid-menu: after the reconnect the call is at the same step with its variables, and keys work', async () => {
    const { fake, folder, logger } = await rig();
    const server = await boot(fake, folder, logger);
    await waitFor(() => fake.socketCount() > 0, 'the server connected');
    const { id } = fake.placeCall({ args: ['demo'] });
    await toPick(fake, server, id);
    // The step change is saved within one flush interval.
    await waitFor(() => savedStep(folder.db, id) === 'pick', 'the saved state at `pick`', 2000);

    const session = server.engine.liveCalls.get(id)!;
    fake.dropSockets();
    await waitFor(() => fake.socketCount() === 0, 'the socket down');
    const droppedAt = performance.now();
    await waitFor(() => fake.socketCount() > 0, 'the server reconnected', 2000);
    expect(server.engine.liveCalls.get(id)).toBe(session);
    expect(session.step).toBe('pick');
    expect((session as unknown as { vars: Record<string, unknown> }).vars.code).toBe('4711');

    fake.pressKey(id, '1');
    await waitFor(() => played(fake, id, 'demo/right'), 'the branch on the variable after the reconnect', 2000);
    expect(performance.now() - droppedAt).toBeLessThan(2000);
    expect(played(fake, id, 'demo/wrong')).toBe(false);
    // The call never went to the fallback, and its saved state goes when it ends.
    expect(fake.channels.get(id)?.dialplan.context).not.toBe('touchtone-fallback');
    await waitFor(() => session.ended, 'the call ended after its goodbye');
    await waitFor(() => savedStep(folder.db, id) === undefined, 'the saved state removed at the end of the call', 2000);
  }, 20_000);

  it('a call found in the app with no saved state goes to the safe destination within 2 s, logged with its id', async () => {
    const { logger, lines } = capture();
    const { fake, folder } = await rig(logger);
    // Asterisk holds a call inside our app that no engine state describes (for example one placed before the store existed).
    const { id } = fake.placeCall({ args: ['demo'] });
    strandInApp(fake, id);
    const started = performance.now();
    const server = await boot(fake, folder, logger);
    await waitFor(() => fake.channels.get(id)?.app === undefined, 'the call left the app', 2000);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(fake.channels.get(id)?.dialplan.context).toBe('touchtone-fallback');
    expect(server.engine.liveCalls.has(id)).toBe(false);
    const decision = lines.find((l) => l.obj.callId === id && l.obj.code === 'call-not-resumed');
    expect(decision?.msg).toContain('no saved state');
    expect(decision?.msg).toContain('touchtone-fallback');
    // Its record is closed, not left "in progress".
    await server.store.flush();
    expect(server.store.callTrace(id)?.call).toMatchObject({ outcome: 'transferred' });
  }, 20_000);

  it("a call found with no saved state on a flow with an error step begins there: the author's apology, then the operator", async () => {
    const { logger, lines } = capture();
    const { fake, folder } = await rig(logger);
    writeFileSync(
      join(folder.dir, 'careful.yaml'),
      `flow: careful
language: en
start: hello
defaults: { error: sorry }
prompts:
  hello: { sound: careful/hello, text: "Welcome." }
  sorry: { sound: careful/sorry, text: "Sorry, something went wrong. Connecting you to an operator." }
departments: { operator: { context: operators } }
steps:
  hello: { hangup: [hello] }
  sorry: { transfer: operator, prompt: sorry }
`,
    );
    const { id } = fake.placeCall({ args: ['careful'] });
    strandInApp(fake, id, 'careful');
    const server = await boot(fake, folder, logger);
    await waitFor(() => fake.channels.get(id)?.dialplan.context === 'operators', "the call reached the error step's department", 2000);
    expect(played(fake, id, 'careful/sorry')).toBe(true);
    expect(played(fake, id, 'careful/hello')).toBe(false);
    expect(lines.find((l) => l.obj.callId === id && l.obj.code === 'call-not-resumed')?.msg).toBe(
      "call `" + id + "` was not resumed (no saved state); it begins at the flow's error step `sorry`",
    );
    await server.store.flush();
    const trace = server.store.callTrace(id);
    expect(trace?.call).toMatchObject({ flow: 'careful', outcome: 'transferred' });
  }, 20_000);

  it('after a reconnect, a call found in the app is resumed from its saved state; one whose state does not fit the flow goes to the safe destination', async () => {
    const { logger, lines } = capture();
    const { fake, folder } = await rig(logger);
    const server = await boot(fake, folder, logger);
    await waitFor(() => fake.socketCount() > 0, 'the server connected');
    const version = server.engine.flow('demo')!.version;
    // A saved state as the engine writes it, for a call at `pick` with the code entered.
    const sim = await startCall(RESUME_FLOW);
    await sim.advance(5000);
    await sim.press('1');
    await sim.advance(5000);
    await sim.press('4711#');
    await sim.advance(1000);
    expect(sim.step()).toBe('pick');
    const snapshot = JSON.parse(JSON.stringify(sim.call.snapshot())) as { callId: string; actor: { value: unknown } };
    // Two calls inside the app that this process does not hold (they reached Stasis while nobody listened here).
    const good = fake.placeCall({ app: 'elsewhere' }).id;
    const bad = fake.placeCall({ app: 'elsewhere' }).id;
    strandInApp(fake, good);
    strandInApp(fake, bad);
    server.store.liveCalls.save(good, 'demo', version, { ...snapshot, callId: good });
    server.store.liveCalls.save(bad, 'demo', version, { ...snapshot, callId: bad, playbackId: `${bad}:p7`, actor: { ...snapshot.actor, value: 'no-such-step' } });

    fake.dropSockets();
    await waitFor(() => fake.socketCount() === 0, 'the socket down');
    const droppedAt = performance.now();
    await waitFor(() => server.engine.liveCalls.get(good) && fake.channels.get(bad)?.app === undefined, 'both calls taken back', 2000);
    expect(performance.now() - droppedAt).toBeLessThan(2000);
    expect(server.engine.liveCalls.get(good)!.step).toBe('pick');
    expect(fake.channels.get(bad)?.dialplan.context).toBe('touchtone-fallback');
    expect(fake.requests.some((r) => r.method === 'DELETE' && r.path === `/ari/channels/${bad}`)).toBe(false);
    expect(lines.find((l) => l.obj.callId === bad && l.obj.code === 'call-not-resumed')?.msg).toContain('resume failed');
    // The prompt its saved state names (the old process's) is stopped before the hand-over, which would wait for it.
    const calls = fake.requests.map((r) => `${r.method} ${r.path}`);
    const stop = calls.indexOf(`DELETE /ari/playbacks/${encodeURIComponent(`${bad}:p7`)}`);
    expect(stop).toBeGreaterThanOrEqual(0);
    expect(stop).toBeLessThan(calls.indexOf(`POST /ari/channels/${bad}/continue`));
    fake.pressKey(good, '1');
    await waitFor(() => played(fake, good, 'demo/right'), 'the saved variable used after the resume', 2000);
  }, 20_000);

  it('a call saved on a flow version that is no longer current is resumed on that version, rebuilt from the store', async () => {
    const { logger, lines } = capture();
    const { fake, folder } = await rig(logger);
    const first = await boot(fake, folder, logger);
    await waitFor(() => fake.socketCount() > 0, 'the first server connected');
    const { id } = fake.placeCall({ args: ['demo'] });
    await toPick(fake, first, id);
    await waitFor(() => savedStep(folder.db, id) === 'pick', 'the saved state at `pick`', 2000);
    const saved = first.store.liveCalls.get(id)!;
    await first.shutdown('test');
    // A stop hands the call to the dialplan and forgets its saved state, so no later process takes it back.
    expect(fake.channels.get(id)?.dialplan.context).toBe('touchtone-fallback');
    expect(savedStep(folder.db, id)).toBeUndefined();
    const closed = openStoreReadonly(folder.db)!;
    expect(closed.callTrace(id)?.call).toMatchObject({ outcome: 'transferred', lastStep: 'pick' });
    await closed.close();
    // A process killed before its hand-over leaves the call in the app and its row on disk: the test puts both back.
    strandInApp(fake, id);
    const store = openStore({ path: folder.db, writer: 'inline' });
    store.liveCalls.save(id, saved.flow, saved.version, saved.snapshot);
    await store.close();
    // The flow changed while the engine was down: new calls get a new version, this call keeps its own.
    writeFileSync(join(folder.dir, 'demo.yaml'), RESUME_FLOW.replace('That is the right code.', 'Correct.'));

    const second = await boot(fake, folder, logger);
    await waitFor(() => second.engine.liveCalls.get(id), 'the call resumed', 2000);
    const session = second.engine.liveCalls.get(id)!;
    expect(session.step).toBe('pick');
    expect(session.flow.version).toBe(saved.version);
    expect(second.engine.flow('demo')!.version).not.toBe(saved.version);
    expect(lines.some((l) => l.obj.callId === id && l.obj.step === 'pick' && l.msg.includes('resumed'))).toBe(true);
    fake.pressKey(id, '1');
    await waitFor(() => played(fake, id, 'demo/right'), 'the variable used after the resume', 2000);
    await waitFor(() => session.ended, 'the resumed call ended after its goodbye', 3000);
  }, 20_000);

  it('two calls on two old versions, taken back together, each resume on their own version', async () => {
    const { logger } = capture();
    const { fake, folder } = await rig(logger);
    // Each process serves the flow as the file says then; a call reaches `pick` and its saved state is kept.
    const saveCallOn = async (text: string) => {
      writeFileSync(join(folder.dir, 'demo.yaml'), text);
      const server = await boot(fake, folder, logger);
      await waitFor(() => fake.socketCount() > 0, 'the server connected');
      const { id } = fake.placeCall({ args: ['demo'] });
      await toPick(fake, server, id);
      await waitFor(() => savedStep(folder.db, id) === 'pick', 'the saved state at `pick`', 2000);
      const saved = server.store.liveCalls.get(id)!;
      await server.shutdown('test');
      return { id, saved };
    };
    const calls = [await saveCallOn(RESUME_FLOW), await saveCallOn(RESUME_FLOW.replace('Goodbye.', 'Bye now.'))];
    expect(calls[0]!.saved.version).not.toBe(calls[1]!.saved.version);
    const store = openStore({ path: folder.db, writer: 'inline' });
    for (const { id, saved } of calls) {
      strandInApp(fake, id);
      store.liveCalls.save(id, saved.flow, saved.version, saved.snapshot);
    }
    await store.close();
    writeFileSync(join(folder.dir, 'demo.yaml'), RESUME_FLOW.replace('That is the right code.', 'Correct.'));

    // One listing finds both: their versions are rebuilt side by side, and neither may drop the other's.
    const third = await boot(fake, folder, logger);
    for (const { id, saved } of calls) {
      const session = await waitFor(() => third.engine.liveCalls.get(id), `call ${id} resumed`, 2000);
      expect(session.flow.version).toBe(saved.version);
    }
  }, 30_000);
});
