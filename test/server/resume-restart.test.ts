/**
 * The engine process is killed (`SIGKILL`) while a call sits in a menu with a variable set, and started again on
 * the same store. Asterisk (the fake ARI in this process) keeps the call inside Stasis and sends no new
 * `StasisStart`; the restarted server finds it, resumes it from its saved state at the same step with the same
 * variables within 2 s of connecting, and the caller's next key works.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { FakeAri } from '../fakes/fake-ari/index.js';
import { waitFor } from '../ari/harness.js';
import { ARI_PASSWORD, flowFolder, played, plays, savedStep, serverEnv } from './resume-flow.js';

const RECOVERY_BOUND_MS = 2000;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** `touchtone serve` as its own process; its output is kept for failure messages and the decision log. */
function serve(dir: string, db: string, fake: FakeAri): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    env: { ...process.env, ...serverEnv(dir, db, fake), TOUCHTONE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, output: () => output };
}

/** A fake Asterisk and a flows folder with its store, and a first server connected to them. */
async function firstServer() {
  const fake = await FakeAri.start({ password: ARI_PASSWORD, playbackMs: 20 });
  cleanups.push(() => fake.close());
  const folder = flowFolder();
  cleanups.push(folder.remove);
  const first = serve(folder.dir, folder.db, fake);
  await waitFor(() => fake.socketCount() > 0, `the first server connected; its output:\n${first.output()}`, 20_000);
  return { fake, folder, first };
}

/** `kill -9` of the first server, then a second one on the same store; resolves when it has connected. */
async function killAndRestart(fake: FakeAri, folder: { dir: string; db: string }, first: ReturnType<typeof serve>) {
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));
  await waitFor(() => fake.socketCount() === 0, 'the socket of the killed server gone');
  const second = serve(folder.dir, folder.db, fake);
  await waitFor(() => fake.socketCount() > 0, `the restarted server connected; its output:\n${second.output()}`, 20_000);
  return second;
}

describe('engine restart with a call in Stasis', () => {
  it('kill -9 mid-menu, restart: the call is resumed at the same step with its variables within 2 s, and keys work', async () => {
    const { fake, folder, first } = await firstServer();
    const { id } = fake.placeCall({ args: ['demo'], caller: '+4930123' });
    await waitFor(() => played(fake, id, 'demo/hello'), 'the first menu', 5000);
    fake.pressKey(id, '1');
    await waitFor(() => played(fake, id, 'demo/code'), 'the code prompt', 5000);
    for (const d of '4711#') fake.pressKey(id, d);
    await waitFor(() => played(fake, id, 'demo/pick'), 'the second menu', 5000);
    // The saved state reached the file: at most one flush interval after the step change.
    await waitFor(() => savedStep(folder.db, id) === 'pick', 'the saved state at `pick`', 2000);

    const second = await killAndRestart(fake, folder, first);
    expect(fake.channels.get(id)?.app).toBe('touchtone');
    const connectedAt = performance.now();
    await waitFor(() => second.output().includes(`call \`${id}\` resumed at step \`pick\``), `the call resumed; output:\n${second.output()}`, RECOVERY_BOUND_MS);
    const recoveryMs = performance.now() - connectedAt;
    expect(recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);

    // The variable from before the kill decides the branch after it.
    fake.pressKey(id, '1');
    await waitFor(() => played(fake, id, 'demo/right'), `the branch on the saved variable; output:\n${second.output()}`, 2000);
    expect(played(fake, id, 'demo/wrong')).toBe(false);
    expect(fake.channels.get(id)?.dialplan.context).not.toBe('touchtone-fallback');
    process.stdout.write(`engine kill -9: call resumed from its saved state ${recoveryMs.toFixed(0)} ms after the restarted server connected\n`);

    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  }, 60_000);

  it('kill -9 while the caller talks to an agent, restart: the conversation goes on, and the caller comes back to the flow when the agent hangs up', async () => {
    const { fake, folder, first } = await firstServer();
    const { id } = fake.placeCall({ args: ['agent'] });
    const legId = `${id}-dial-1`;
    await waitFor(() => fake.bridges.get(`${id}-bridge-1`)?.channels.length === 2, `caller and agent bridged; output:\n${first.output()}`, 5000);
    await waitFor(() => savedStep(folder.db, id) === 'main', 'the saved state at the transfer step', 2000);

    const second = await killAndRestart(fake, folder, first);
    await waitFor(() => second.output().includes(`call \`${id}\` resumed at step \`main\``), `the call resumed; output:\n${second.output()}`, RECOVERY_BOUND_MS);
    // Still talking: the restart neither hung up the agent nor pulled the caller out of the bridge.
    expect(fake.channels.has(legId)).toBe(true);
    expect(fake.bridges.get(`${id}-bridge-1`)?.channels).toEqual([id, legId]);

    fake.callerHangsUp(legId);
    await waitFor(() => played(fake, id, 'agent/after'), `the flow's answered branch after the agent hung up; output:\n${second.output()}`, 2000);
    expect(played(fake, id, 'agent/sorry')).toBe(false);
    expect(fake.channels.get(id)?.dialplan.context).not.toBe('touchtone-fallback');

    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  }, 60_000);

  it('kill -9 while the caller talks to an agent who hangs up before the restart: the caller comes back to the flow, and nothing is dialled again', async () => {
    const { fake, folder, first } = await firstServer();
    const { id } = fake.placeCall({ args: ['agent'] });
    const legId = `${id}-dial-1`;
    await waitFor(() => fake.bridges.get(`${id}-bridge-1`)?.channels.length === 2, `caller and agent bridged; output:\n${first.output()}`, 5000);
    // Saved at the step change, while the announcement played: the saved state does not know the answer.
    await waitFor(() => savedStep(folder.db, id) === 'main', 'the saved state at the transfer step', 2000);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await waitFor(() => fake.socketCount() === 0, 'the socket of the killed server gone');
    fake.callerHangsUp(legId); // the agent leaves while no engine runs

    const second = serve(folder.dir, folder.db, fake);
    await waitFor(() => played(fake, id, 'agent/after'), `the flow's answered branch; output:\n${second.output()}`, 20_000);
    expect(fake.requests.filter((q) => q.method === 'POST' && q.path === '/ari/channels/create')).toHaveLength(1);
    // The announcement was played once, by the first server.
    expect(plays(fake, id, 'agent/hello')).toBe(1);
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  }, 60_000);
});
