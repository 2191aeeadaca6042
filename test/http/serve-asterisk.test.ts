/**
 * The server pointed at Asterisk (the fake ARI and AMI servers, on 127.0.0.1, real time): calls arrive over ARI,
 * readiness tells the truth about ARI and AMI, and no secret reaches a log line or a response.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { createLogger } from '../../src/logging/logger.js';
import { FakeAri } from '../fakes/fake-ari/index.js';
import { FakeAmi } from '../fakes/fake-ami.js';

const TOKEN = 'asterisk-test-token-0123456789';
const ARI_PASSWORD = 'ari-pass-5f2c9a';
const AMI_SECRET = 'ami-secret-77b1d0';
const FLOW = `flow: demo
language: en
start: main
prompts:
  hello: { text: "Hello. Press 1." }
  bye: { text: "Goodbye." }
steps:
  main:
    menu: { prompt: hello, options: { "1": bye } }
    exhausted: bye
  bye: { hangup: [bye] }
`;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  cleanup = [];
});

describe('touchtone serve with Asterisk', () => {
  it('takes calls over ARI, reports ARI and AMI readiness truthfully, and never logs a secret', async () => {
    const fake = await FakeAri.start({ password: ARI_PASSWORD, playbackMs: 20 });
    cleanup.push(() => fake.close());
    const ami = new FakeAmi({ users: { touchtone: AMI_SECRET }, queues: { support: { loggedIn: 1, available: 1, callers: 0, holdTime: 0 } } });
    const amiPort = await ami.listen();
    cleanup.push(() => ami.close());

    const dir = mkdtempSync(join(tmpdir(), 'tt-ast-'));
    writeFileSync(join(dir, 'demo.yaml'), FLOW);
    const { config, diagnostics } = loadConfig({
      cwd: dir,
      env: {
        TOUCHTONE_FLOWS_DIR: dir,
        TOUCHTONE_HTTP_PORT: '0',
        TOUCHTONE_STORE_PATH: ':memory:',
        TOUCHTONE_TOKEN: TOKEN,
        TOUCHTONE_ARI_URL: fake.url,
        TOUCHTONE_ARI_PASSWORD: ARI_PASSWORD,
        TOUCHTONE_AMI_HOST: '127.0.0.1',
        TOUCHTONE_AMI_PORT: String(amiPort),
        TOUCHTONE_AMI_SECRET: AMI_SECRET,
        TOUCHTONE_LOG_LEVEL: 'debug',
        TOUCHTONE_SHUTDOWN_GRACE_MS: '0',
      },
    });
    expect(diagnostics).toEqual([]);
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk, _e, done) => void (lines.push(String(chunk)), done()) }) });
    logger.debug({ config }, 'configuration as a careless caller might log it');
    const server: RunningServer = await startServer({ config: config!, logger, watch: false });
    cleanup.push(() => server.shutdown('test'));
    const api = request(server.url.replace(/\/$/, ''));

    await vi.waitFor(async () => {
      const ready = await api.get('/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.components).toMatchObject({ ari: { ok: true, state: 'connected' }, ami: { ok: true, state: 'connected' } });
    }, { timeout: 5000, interval: 50 });

    const { id } = fake.placeCall({ args: ['demo'], caller: '+4930123' });
    await vi.waitFor(async () => {
      const live = (await api.get('/api/calls/live')).body.calls;
      expect(live).toEqual([expect.objectContaining({ id, flow: 'demo', step: 'main', source: 'asterisk', caller: '+4930123' })]);
    }, { timeout: 5000, interval: 20 });
    fake.pressKey(id, '1');
    await vi.waitFor(async () => expect((await api.get('/metrics')).text).toContain('touchtone_calls_total{flow="demo",outcome="completed"} 1'), { timeout: 5000, interval: 20 });

    // An Asterisk that accepts TCP but answers nothing is not ready.
    fake.crash();
    await vi.waitFor(async () => {
      const ready = await api.get('/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.components.ari).toMatchObject({ ok: false, state: 'unreachable' });
    }, { timeout: 8000, interval: 100 });

    const responses = [await api.get('/ready'), await api.get('/api/flows'), await api.get('/metrics')].map((r) => r.text).join('\n');
    for (const secret of [TOKEN, ARI_PASSWORD, AMI_SECRET]) {
      expect(lines.join(''), 'logs').not.toContain(secret);
      expect(responses, 'responses').not.toContain(secret);
    }
    expect(lines.length).toBeGreaterThan(3);
  }, 30_000);
});
