/**
 * Shared by the take-back tests: a flow that collects a code into a variable and checks it after a menu, a server
 * configuration against the fake ARI with a SQLite file, and reads of the saved call states.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FakeAri } from '../fakes/fake-ari/index.js';

export const ARI_PASSWORD = 'resume-test-ari-pass';
export const TOKEN = 'resume-test-token-0123456789abcdef';

/** Menu → code into `code` → menu `pick` → a branch on the code: `right` only if the variable survived. */
export const RESUME_FLOW = `flow: demo
language: en
start: main
prompts:
  hello: { sound: demo/hello, text: "Press 1 to enter your code." }
  code: { sound: demo/code, text: "Enter your code, then hash." }
  pick: { sound: demo/pick, text: "Press 1 to check your code, 2 to leave." }
  right: { sound: demo/right, text: "That is the right code." }
  wrong: { sound: demo/wrong, text: "That is not the right code." }
  bye: { sound: demo/bye, text: "Goodbye." }
steps:
  main:
    menu: { prompt: hello, options: { "1": ask } }
    exhausted: bye
  ask:
    input: { prompt: code, digits: 3-6, terminator: "#", into: code }
    next: pick
    exhausted: bye
  pick:
    menu: { prompt: pick, options: { "1": check, "2": bye } }
    exhausted: bye
  check:
    branch: [{ if: 'code == "4711"', then: right }]
    else: wrong
  right: { play: [right], next: bye }
  wrong: { play: [wrong], next: bye }
  bye: { hangup: [bye] }
`;

/** A transfer whose caller comes back when the agent hangs up (`answered:`), to the `after` prompt. */
export const AGENT_FLOW = `flow: agent
language: en
start: main
prompts:
  hello: { sound: agent/hello, text: "Connecting you to sales." }
  after: { sound: agent/after, text: "Thank you for talking to sales. Goodbye." }
  sorry: { sound: agent/sorry, text: "Sales cannot take your call. Goodbye." }
departments:
  sales: { dial: PJSIP/sales, ringTimeout: 20s }
steps:
  main:
    transfer: sales
    prompt: hello
    answered: after
    failed: sorry
  after: { hangup: [after] }
  sorry: { hangup: [sorry] }
`;

/** A temp folder holding the flows; removed by the returned function. */
export function flowFolder(): { dir: string; db: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tt-resume-'));
  writeFileSync(join(dir, 'demo.yaml'), RESUME_FLOW);
  writeFileSync(join(dir, 'agent.yaml'), AGENT_FLOW);
  return { dir, db: join(dir, 'touchtone.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The server's environment against the fake ARI, with the store in `db`. */
export function serverEnv(dir: string, db: string, fake: FakeAri): Record<string, string> {
  return {
    TOUCHTONE_FLOWS_DIR: dir,
    TOUCHTONE_HTTP_HOST: '127.0.0.1',
    TOUCHTONE_HTTP_PORT: '0',
    TOUCHTONE_STORE_PATH: db,
    TOUCHTONE_TOKEN: TOKEN,
    TOUCHTONE_ARI_URL: fake.url,
    TOUCHTONE_ARI_PASSWORD: ARI_PASSWORD,
    TOUCHTONE_SHUTDOWN_GRACE_MS: '0',
  };
}

/** The saved state of a call as the file holds it (a second connection, as a restarted process reads it). */
export function savedStep(db: string, callId: string): string | undefined {
  let conn: Database.Database | undefined;
  try {
    conn = new Database(db, { readonly: true, fileMustExist: true });
    const row = conn.prepare('SELECT snapshot FROM live_calls WHERE id = ?').get(callId) as { snapshot: string } | undefined;
    return row ? (JSON.parse(row.snapshot) as { actor: { context: { call: { step: string } } } }).actor.context.call.step : undefined;
  } catch {
    return undefined;
  } finally {
    conn?.close();
  }
}

/** True once a playback whose media names `sound` has been requested for `channelId`. */
export function played(fake: FakeAri, channelId: string, sound: string): boolean {
  return plays(fake, channelId, sound) > 0;
}

/** How many times the call was asked to play a sound. */
export function plays(fake: FakeAri, channelId: string, sound: string): number {
  return fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith(`/ari/channels/${encodeURIComponent(channelId)}/play`) && (r.query.media ?? '').includes(sound)).length;
}

/** Puts a channel inside our app on the fake as if it entered Stasis while nobody here knew it (a lost engine). */
export function strandInApp(fake: FakeAri, channelId: string, flow = 'demo'): void {
  const channel = fake.channels.get(channelId);
  if (!channel) throw new Error(`no channel \`${channelId}\` on the fake`);
  channel.app = 'touchtone';
  channel.state = 'Up';
  channel.dialplan = { context: 'touchtone-entry', exten: '100', priority: 2, app_name: 'Stasis', app_data: `touchtone,${flow}` };
}
