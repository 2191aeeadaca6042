/**
 * `touchtone serve` against a real Asterisk, killed with `SIGKILL` mid-prompt and started again on the same store.
 * Runs only when TOUCHTONE_TEST_ARI_URL (and the user and password variables) are set; see README `asterisk`.
 * A call with its saved state is resumed where it was; a call whose state is gone begins at the flow's error step,
 * after the old prompt ends (ARI cannot stop a playback nobody can name), and reaches the error step's department.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AsteriskDriver, targetFromEnv } from './asterisk-driver.js';

const target = targetFromEnv();

/** The shipped test dialplan sends `ivr` to `Stasis(touchtone,integration,…)`. */
const FLOW = `flow: integration
language: en
start: main
defaults: { error: sorry }
prompts:
  menu: { sound: silence/5, text: "Press 1 to leave." }
  sorry: { sound: beep, text: "Sorry, something went wrong." }
departments: { ops: { context: touchtone-test-agents, extension: answer } }
steps:
  main: { menu: { prompt: menu, options: { "1": bye } } }
  sorry: { transfer: ops, prompt: sorry }
  bye: { hangup: true }
`;

describe.runIf(target !== undefined)('touchtone serve on a real Asterisk, killed and restarted', () => {
  let driver: AsteriskDriver;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    driver = new AsteriskDriver(target!);
    await driver.open();
  });
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => driver.close());

  /** Starts `touchtone serve` on the flows folder and store; resolves once it serves, with its log lines. */
  async function serve(): Promise<{ child: ChildProcess; logs: string[] }> {
    const logs: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      env: {
        ...process.env,
        TOUCHTONE_FLOWS_DIR: dir,
        TOUCHTONE_STORE_PATH: join(dir, 'touchtone.db'),
        TOUCHTONE_HTTP_HOST: '127.0.0.1',
        TOUCHTONE_HTTP_PORT: '0',
        TOUCHTONE_TOKEN: 'serve-restart-test-token-0123456789',
        TOUCHTONE_ARI_URL: target!.url,
        TOUCHTONE_ARI_USER: target!.username,
        TOUCHTONE_ARI_PASSWORD: target!.password,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const keep = (chunk: Buffer): void => void logs.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await driver.until(async () => logs.some((l) => l.includes('touchtone is serving')), `touchtone serve started; its output:\n${logs.join('\n')}`, 20_000);
    return { child, logs };
  }

  /** A count from the store, 0 while its file does not exist yet. */
  const count = (sql: string, ...params: string[]): number => {
    try {
      const db = new Database(join(dir, 'touchtone.db'), { readonly: true });
      try {
        return (db.prepare(sql).get(...params) as { n: number }).n;
      } finally {
        db.close();
      }
    } catch {
      return 0;
    }
  };
  const savedRows = (): number => count('SELECT count(*) AS n FROM live_calls');
  const matches = (callId: string): number => count("SELECT count(*) AS n FROM step_events WHERE call_id = ? AND type = 'match'", callId);

  /** Waits for the restarted server to resume the call at `main`; a failure shows the server's output. */
  const resumed = (logs: string[], callId: string): Promise<unknown> =>
    driver.until(async () => logs.some((l) => l.includes(`call \`${callId}\` resumed at step \`main\``)), 'the call resumed', 20_000).catch((error: Error) => {
      throw new Error(`${error.message}; output:\n${logs.join('\n')}`);
    });

  /** A call of `flow`, its state saved (and `ready`), then `kill -9` of the server. */
  async function callThenKill(flow = FLOW, ready?: (ivrLeg: string) => Promise<boolean>): Promise<{ callerLeg: string; ivrLeg: string }> {
    dir = mkdtempSync(join(tmpdir(), 'tt-serve-restart-'));
    writeFileSync(join(dir, 'integration.yaml'), flow);
    const first = await serve();
    const legs = await driver.call('ivr');
    await driver.until(async () => savedRows() > 0 && (ready ? await ready(legs.ivrLeg) : true), 'the call state saved');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    return legs;
  }

  it('with its saved state: resumed at the menu, and the next key works', async () => {
    const { ivrLeg, callerLeg } = await callThenKill();
    const second = await serve();
    await resumed(second.logs, ivrLeg);
    await driver.press(callerLeg, '1');
    // `bye` hangs up: the IVR leg goes.
    await driver.until(async () => ((await driver.channel(ivrLeg)) === undefined ? true : undefined), 'the call hung up by the flow');
  }, 60_000);

  it('an agent who hangs up while no engine runs: the caller comes back to the flow, and nothing is dialled again', async () => {
    const flow = `flow: integration
language: en
start: main
prompts:
  hello: { sound: silence/1, text: "Connecting you." }
  after: { sound: beep, text: "Thank you." }
departments: { agent: { dial: Local/answer@touchtone-test-agents, ringTimeout: 10s } }
steps:
  main: { transfer: agent, prompt: hello, answered: after }
  after: { hangup: [after] }
`;
    // Talking, and the answer on disk: the trace then tells how many dials there were.
    const talking = async (ivrLeg: string): Promise<boolean> => (await driver.channel(`${ivrLeg}-dial-1`))?.state === 'Up' && matches(ivrLeg) === 1;
    const { ivrLeg, callerLeg } = await callThenKill(flow, talking);
    await driver.hangup(`${ivrLeg}-dial-1`); // the agent leaves while no engine runs
    const second = await serve();
    await resumed(second.logs, ivrLeg);
    // `after` thanks the caller and hangs up.
    await driver.until(async () => ((await driver.channel(ivrLeg)) === undefined ? true : undefined), 'the flow went on at `answered` and ended');
    const db = new Database(join(dir, 'touchtone.db'), { readonly: true });
    const trace = db.prepare('SELECT type, step, detail FROM step_events WHERE call_id = ? ORDER BY rowid').all(ivrLeg) as Array<{ type: string; step: string; detail: string | null }>;
    db.close();
    expect(trace).toEqual(
      expect.arrayContaining([
        { type: 'note', step: 'main', detail: 'transfer-ended' },
        { type: 'step', step: 'after', detail: 'hangup' },
      ]),
    );
    // One dial, by the first server: a second would have left a second `match` of its result at `main`.
    expect(trace.filter((e) => e.type === 'match')).toEqual([{ type: 'match', step: 'main', detail: 'answered' }]);
    expect(await driver.channel(`${ivrLeg}-dial-2`)).toBeUndefined();
    await driver.hangup(callerLeg);
  }, 60_000);

  it('without it: begins at the error step once the old prompt ends, and reaches its department', async () => {
    const { ivrLeg, callerLeg } = await callThenKill();
    const db = new Database(join(dir, 'touchtone.db'));
    db.prepare('DELETE FROM live_calls').run();
    db.close();
    const second = await serve();
    const decision = await driver.until(async () => second.logs.find((l) => l.includes('"code":"call-not-resumed"')), 'the decision');
    expect(JSON.parse(decision)).toMatchObject({ callId: ivrLeg, reason: 'no saved state', destination: 'sorry' });
    await driver.until(async () => ((await driver.channel(ivrLeg))?.dialplan?.context === 'touchtone-test-agents' ? true : undefined), "the error step's department", 15_000);
    // The apology was played, not given up behind the old prompt.
    expect(second.logs.filter((l) => l.includes('"code":"playback-failed"'))).toEqual([]);
    await driver.hangup(callerLeg);
  }, 60_000);
});
